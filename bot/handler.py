"""The Teams activity handler: each activity, by its type and name, to what answers it (the
table is in bot/routes.py's docstring)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    ChannelAccount,
    InvokeResponse,
)
from microsoft_agents.hosting.core import ChannelAdapter, TurnContext

from bot.conversation_state import load_state, loaded_state
from bot.report_files import TeamsReportFiles
from bot.routes import Router
from bot.teams_roster import TeamsRoster
from bot.turns import is_personal, team_id_of, tenant_of, turn_of
from cards.texts import text
from dialogs.case_work import CardAnswer
from dialogs.chat_commands import ChatCommands
from dialogs.report_dialog import ReportDialog
from dialogs.turn import Turn
from domain.access import TeamKind
from storage.channels import Channels
from storage.db import DATABASE_ERRORS
from storage.gate import Where
from storage.organisation import OrganisationRepository, TeamRef
from storage.state_store import ConversationStates

log = logging.getLogger(__name__)

# Set on a turn whose dialogue state could not be saved.
STATE_NOT_SAVED = "tryggest.state_not_saved"


class TryggEstBot:
    """The Teams events: a message or a press goes to bot/routes.py's tables; the bot or people
    added to a team or removed, and a file accepted, are answered here."""

    def __init__(
        self,
        conversation_states: ConversationStates,
        router: Router,
        chat: ChatCommands,
        organisation: OrganisationRepository,
        roster: TeamsRoster,
        channels: Channels,
        on_team_reachable: Callable[[list[str]], Awaitable[None]] | None = None,
        report_files: TeamsReportFiles | None = None,
    ) -> None:
        self._router = router
        self._chat = chat
        self._report_files = report_files
        self._channels = channels
        self._on_team_reachable = on_team_reachable
        self._conversation_states = conversation_states
        self._organisation = organisation
        self._roster = roster

    def _turn(self, context: TurnContext) -> Turn:
        """The turn as the dialogues see it, with the conversation's state loaded in on_turn."""
        loaded = loaded_state(context)
        return turn_of(context, loaded.state if loaded is not None else None)

    async def on_turn(self, turn_context: TurnContext) -> None:
        # Read already, with the activity's claim, for messages and presses (bot/middleware.py).
        loaded = await load_state(self._conversation_states, turn_context)
        reporting = ReportDialog.active(turn_of(turn_context, loaded.state))
        await self._dispatch(turn_context)
        try:
            await self._conversation_states.save(loaded)
        except Exception as error:
            if reporting and not ReportDialog.active(turn_of(turn_context, loaded.state)):
                # The report was sent (or cancelled) in this turn and the person has been told
                # so: "your answer was not kept" would be untrue. The state left stored still
                # holds the summary, whose Send then names the case already made.
                log.error(
                    "state after the report's end not saved for activity %s: %s",
                    turn_context.activity.id,
                    type(error).__name__,
                )
                return
            # The person may already see their answer ticked off: on_turn_error tells them it
            # was not kept, rather than only that something went wrong.
            turn_context.turn_state[STATE_NOT_SAVED] = True
            raise

    async def _dispatch(self, context: TurnContext) -> None:
        activity = context.activity
        if activity.type == ActivityTypes.message:
            await self.on_message_activity(context)
        elif activity.type == ActivityTypes.invoke:
            answer = await self.on_invoke_activity(context)
            context.turn_state[ChannelAdapter.INVOKE_RESPONSE_KEY] = Activity(
                type=ActivityTypes.invoke_response, value=answer
            )
        elif activity.type == ActivityTypes.conversation_update:
            if activity.members_added:
                await self.on_members_added_activity(activity.members_added, context)
            if activity.members_removed:
                await self.on_members_removed_activity(activity.members_removed, context)
        # Any other activity (a reaction, an installation update, typing) is taken, unanswered.

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        turn = self._turn(turn_context)
        taken_by = await self._router.message(turn)
        log.debug("activity %s taken by: %s", turn.activity_id, taken_by)

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        if is_personal(turn_context.activity) and any(m.id == bot_id for m in members_added):
            await self._chat.welcome(self._turn(turn_context))
            return
        await self._team_members_added(turn_context, members_added, bot_id)

    # --- the Teams team's roster: Teams' own word on who is in the team ----------------------

    async def _team_members_added(
        self, context: TurnContext, members_added: list[ChannelAccount], bot_id: str | None
    ) -> None:
        """The bot added to a configured team: its operational team takes the Teams team's
        roster. People joining later become members at once. An empty or failed roster answer
        changes nothing (people leave by membersRemoved, or by a roster that names others)."""
        if any(m.id == bot_id for m in members_added):
            await self._bot_added_to_team(context, bot_id)
        team = await self._roster_team(context)
        if team is None:
            return
        where = Where(conversation_id=context.activity.conversation.id)
        teams_team_id = team.teams_team_id or ""
        if any(m.id == bot_id for m in members_added):
            try:
                roster = await self._roster.everyone(self._turn(context), teams_team_id)
            except Exception as error:
                log.warning("roster of team %s not fetched: %s", team.id, type(error).__name__)
                return
            change = await self._organisation.sync_roster(team, roster, where)
            if change.empty_roster:
                log.warning("roster of team %s named nobody: nothing changed", team.id)
                return
            log.info(
                "roster of team %s: %d added, %d removed", team.id, change.added, change.removed
            )
            return
        joined: list[tuple[str, str | None]] = []
        for member in members_added:
            # Teams may name a newcomer by their '29:' id alone: the team's roster says who.
            aad = member.aad_object_id or await self._aad_of(context, teams_team_id, member)
            if aad:
                joined.append((aad, member.name))
        joined = await self._roster.in_team(tenant_of(context.activity), teams_team_id, joined)
        if joined:
            await self._organisation.add_from_roster(team, joined, where)

    async def _bot_added_to_team(self, context: TurnContext, bot_id: str | None) -> None:
        """Teams tells where the team is reached (its service URL): the reference the cases'
        channel posts are made with. Posts that waited for it go out now."""
        teams_team_id = team_id_of(context.activity)
        tenant_id = tenant_of(context.activity)
        if is_personal(context.activity) or not teams_team_id or not tenant_id:
            return
        teams = await self._channels.bot_added(
            tenant_id, teams_team_id, context.activity.service_url or "", bot_id
        )
        if teams and self._on_team_reachable is not None:
            refs = await self._organisation.teams_for_teams_team(tenant_id, teams_team_id)
            await self._on_team_reachable([t.id for t in refs])

    async def on_members_removed_activity(
        self, members_removed: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        """Someone left the Teams team: their roles in its TryggEst teams go at once, so their
        access to the team's cases ends with this turn."""
        teams_team_id = team_id_of(turn_context.activity)
        tenant_id = tenant_of(turn_context.activity)
        if not teams_team_id or not tenant_id:
            return
        teams = await self._organisation.teams_for_teams_team(tenant_id, teams_team_id)
        if not teams:
            return
        where = Where(conversation_id=turn_context.activity.conversation.id)
        bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        unknown = False
        for member in members_removed:
            if member.id == bot_id:
                log.info("removed from Teams team %s", teams_team_id)
                for team in teams:
                    await self._channels.bot_removed(team.id)
                continue
            aad = member.aad_object_id or await self._aad_of(turn_context, teams_team_id, member)
            if aad is None:
                unknown = True
                continue
            for team in teams:
                await self._organisation.remove_from_team(team, aad, where)
        if unknown:
            # Teams did not say who left: whoever is no longer in the roster goes. A roster
            # naming nobody raises (EmptyRoster) and, like a failed one, takes nobody's access.
            try:
                roster = await self._roster.everyone(self._turn(turn_context), teams_team_id)
            except Exception as error:
                # Loud, not retried here: their access stays until a sync or a removal works.
                log.error(
                    "a member left Teams team %s and the roster could not be read: %s",
                    teams_team_id,
                    type(error).__name__,
                )
                return
            present = {aad for aad, _ in roster}
            for team in teams:
                await self._organisation.remove_absent_from_team(team, present, where)

    async def _roster_team(self, context: TurnContext) -> TeamRef | None:
        """The one operational team of this Teams team, when it is configured."""
        teams_team_id = team_id_of(context.activity)
        tenant_id = tenant_of(context.activity)
        if is_personal(context.activity) or not teams_team_id or not tenant_id:
            return None
        teams = await self._organisation.teams_for_teams_team(tenant_id, teams_team_id)
        operational = [t for t in teams if t.kind == TeamKind.OPERATIONAL]
        if not teams:
            # An administrator needs this id for the configuration file (it is no personal data).
            log.info("in Teams team %s, which is not in the configuration", teams_team_id)
        elif len(operational) != 1:
            log.info(
                "Teams team %s has %d operational teams: roster not followed",
                teams_team_id,
                len(operational),
            )
        return operational[0] if len(operational) == 1 else None

    async def _aad_of(
        self, context: TurnContext, teams_team_id: str, member: ChannelAccount
    ) -> str | None:
        # A person who has left is usually no longer found; then the roster decides.
        try:
            found = await self._roster.member(self._turn(context), teams_team_id, member.id)
        except Exception:
            return None
        return found.aad_object_id if found is not None else None

    async def _card_action(self, context: TurnContext) -> InvokeResponse:
        """A press on a case card (Action.Execute): answered with the card as it now is, which
        Teams shows in place of the old one, or with a short message to the presser."""
        turn = self._turn(context)
        try:
            answer = await self._router.press(turn)
        except DATABASE_ERRORS as error:
            # The press changed nothing: the presser is told so on the card, as Teams shows a
            # message answer, and may press again; a 5xx would only show "something went wrong".
            log.error(
                "card press on activity %s not carried out: %s",
                turn.activity_id,
                type(error).__name__,
            )
            answer = CardAnswer(message=text(turn.lang, "press.not_saved"))
        if answer is None:
            return InvokeResponse(status=400)
        if answer.card is not None:
            body = {
                "statusCode": 200,
                "type": "application/vnd.microsoft.card.adaptive",
                "value": answer.card,
            }
        else:
            body = {
                "statusCode": 200,
                "type": "application/vnd.microsoft.activity.message",
                "value": answer.message or text(turn.lang, "unknown_action"),
            }
        return InvokeResponse(status=200, body=body)

    async def _file_consent(self, context: TurnContext) -> InvokeResponse:
        """The half-year report's file: the person accepted or declined saving it in OneDrive."""
        value = context.activity.value
        if self._report_files is None or not isinstance(value, dict):
            return InvokeResponse(status=400)
        if value.get("action") == "accept":
            await self._report_files.on_accept(
                context, value.get("context"), value.get("uploadInfo")
            )
        elif value.get("action") == "decline":
            await self._report_files.on_decline(context)
        else:
            return InvokeResponse(status=400)
        return InvokeResponse(status=200)

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        name = turn_context.activity.name
        if name == "adaptiveCard/action":
            return await self._card_action(turn_context)
        if name == "fileConsent/invoke":
            return await self._file_consent(turn_context)
        # An invoke the bot does not take: a request we refuse, not a server error.
        return InvokeResponse(status=400)
