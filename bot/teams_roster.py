"""Who is in a Teams team, read from the Bot Connector: the Roster dialogs/people_commands.py
asks for. Only bot/ talks to Teams' classes.

A member is looked up in the team's own roster (the team's id as the conversation), through
the turn's connector client, whatever conversation the turn came from.
"""

from __future__ import annotations

from collections.abc import Sequence

from microsoft_agents.hosting.core.connector import ConnectorClientBase
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

from bot.turns import context_of
from dialogs.people_commands import RosterPerson
from dialogs.turn import Turn
from storage.stand_in_rosters import StandInRosters


class EmptyRoster(Exception):
    """Teams answered that nobody is in the team. A Teams team always has its owners, so this is
    a fault on the way, never word that everyone left: it is treated as a failed answer."""


# Members per page asked of Teams (its most).
PAGE_SIZE = 500


def _connector(turn: Turn) -> TeamsConnectorClient | None:
    client = context_of(turn).services.get(ConnectorClientBase)  # type: ignore[type-abstract]
    return client if isinstance(client, TeamsConnectorClient) else None


class TeamsRoster:
    def __init__(self, stand_ins: StandInRosters | None = None) -> None:
        # Local mode only: who a team really has, where the Agents Playground plays Teams and
        # puts every mock user in its team (the demo data says who is in the demo's team).
        # Otherwise None, and a roster is Teams' word alone.
        self._stand_ins = stand_ins

    async def member(self, turn: Turn, teams_team_id: str, member_id: str) -> RosterPerson | None:
        """A member of a Teams team by their '29:' id (GET /v3/conversations/{team}/members/{id})."""
        connector = _connector(turn)
        if connector is None:
            return None
        member = await connector.get_conversation_member(teams_team_id, member_id)
        return RosterPerson(member.aad_object_id, member.name)

    async def everyone(self, turn: Turn, teams_team_id: str) -> Sequence[tuple[str, str | None]]:
        """Every member of the Teams team as (Entra object id, display name), page by page.
        Raises EmptyRoster when Teams names nobody, like any other failed answer."""
        people: dict[str, str | None] = {}
        token: str | None = None
        connector = _connector(turn)
        if connector is None:
            raise EmptyRoster("no connector client in this turn")
        for _ in range(1000):  # a guard against a service that never stops paging
            page = await connector.get_conversation_paged_member(
                teams_team_id, PAGE_SIZE, token or ""
            )
            for member in page.members or []:
                if member.aad_object_id:
                    people[member.aad_object_id] = member.name
            token = page.continuation_token
            if not token:
                break
        present = await self.in_team(turn.tenant_id, teams_team_id, list(people.items()))
        if not present:
            raise EmptyRoster(f"no member with an Entra id in {len(people)} listed")
        return present

    async def in_team(
        self,
        tenant_id: str | None,
        teams_team_id: str,
        people: Sequence[tuple[str, str | None]],
    ) -> list[tuple[str, str | None]]:
        """Those of `people` (Entra object id, name) whom Teams reports in the team of tenant
        `tenant_id` and who are really in it: everyone, except in a team the demo stands in for."""
        only = None
        if self._stand_ins is not None:
            only = await self._stand_ins.of(tenant_id or "", teams_team_id)
        return [(aad, name) for aad, name in people if only is None or aad in only]
