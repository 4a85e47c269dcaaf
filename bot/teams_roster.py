"""Who is in a Teams team, read from the Bot Connector: the Roster dialogs/people_commands.py
asks for. Only bot/ talks to Teams' classes.

Teams is surprising here: botbuilder's TeamsInfo.get_team_member asks the activity's own
conversation instead of the team it is given, so a member is looked up in the team's roster
through the connector client directly.
"""

from __future__ import annotations

from collections.abc import Sequence

from botbuilder.core import BotAdapter
from botbuilder.core.teams import TeamsInfo

from bot.turns import context_of
from dialogs.people_commands import RosterPerson
from dialogs.turn import Turn
from storage.stand_in_rosters import StandInRosters


class EmptyRoster(Exception):
    """Teams answered that nobody is in the team. A Teams team always has its owners, so this is
    a fault on the way, never word that everyone left: it is treated as a failed answer."""


class TeamsRoster:
    def __init__(self, stand_ins: StandInRosters | None = None) -> None:
        # Local mode only: who a team really has, where the Agents Playground plays Teams and
        # puts every mock user in its team (the demo data says who is in the demo's team).
        # Otherwise None, and a roster is Teams' word alone.
        self._stand_ins = stand_ins

    async def member(self, turn: Turn, teams_team_id: str, member_id: str) -> RosterPerson | None:
        """A member of a Teams team by their '29:' id (GET /v3/conversations/{team}/members/{id})."""
        connector = context_of(turn).turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY)
        if connector is None:
            return None
        member = await connector.conversations.get_conversation_member(teams_team_id, member_id)
        extra = member.additional_properties or {}
        aad = getattr(member, "aad_object_id", None) or extra.get("aadObjectId")
        return RosterPerson(aad, member.name)

    async def everyone(self, turn: Turn, teams_team_id: str) -> Sequence[tuple[str, str | None]]:
        """Every member of the Teams team as (Entra object id, display name), page by page.
        Raises EmptyRoster when Teams names nobody, like any other failed answer."""
        people: dict[str, str | None] = {}
        token: str | None = None
        context = context_of(turn)
        for _ in range(1000):  # a guard against a service that never stops paging
            page = await TeamsInfo.get_paged_team_members(context, teams_team_id, token)
            for member in getattr(page, "members", None) or []:
                if member.aad_object_id:
                    people[member.aad_object_id] = member.name
            token = getattr(page, "continuation_token", None)
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
