"""Who is in a Teams team, read from the Bot Connector: the Roster dialogs/people_commands.py
asks for. Only bot/ talks to Teams' classes.

Teams is surprising here: botbuilder's TeamsInfo.get_team_member asks the activity's own
conversation instead of the team it is given, so a member is looked up in the team's roster
through the connector client directly.
"""

from __future__ import annotations

from collections.abc import Sequence

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.core.teams import TeamsInfo

from dialogs.people_commands import RosterPerson


class TeamsRoster:
    async def member(
        self, context: TurnContext, teams_team_id: str, member_id: str
    ) -> RosterPerson | None:
        """A member of a Teams team by their '29:' id (GET /v3/conversations/{team}/members/{id})."""
        connector = context.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY)
        if connector is None:
            return None
        member = await connector.conversations.get_conversation_member(teams_team_id, member_id)
        extra = member.additional_properties or {}
        aad = getattr(member, "aad_object_id", None) or extra.get("aadObjectId")
        return RosterPerson(aad, member.name)

    async def everyone(
        self, context: TurnContext, teams_team_id: str
    ) -> Sequence[tuple[str, str | None]]:
        """Every member of the Teams team as (Entra object id, display name), page by page."""
        people: dict[str, str | None] = {}
        token: str | None = None
        for _ in range(1000):  # a guard against a service that never stops paging
            page = await TeamsInfo.get_paged_team_members(context, teams_team_id, token)
            for member in getattr(page, "members", None) or []:
                if member.aad_object_id:
                    people[member.aad_object_id] = member.name
            token = getattr(page, "continuation_token", None)
            if not token:
                break
        return list(people.items())
