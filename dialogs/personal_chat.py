"""A person's one-to-one chat with the bot: commands that work anywhere, and the report dialogue.

"avbryt", "hjelp" and "mine meldinger" work at every step; everything else goes to the report
dialogue when one is under way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime

from botbuilder.core import ConversationState, TurnContext
from botbuilder.dialogs import DialogContext, DialogSet

from cards.channel_cards import WORK_KEY
from cards.report_cards import ACTION_KEY, help_card, my_reports_card, welcome_card
from cards.texts import Language, text
from dialogs.case_commands import CaseCommands, case_command_of
from dialogs.case_work import CaseWorkDialog
from dialogs.experiences import ExperienceDialog
from dialogs.gatherings import GatheringDialog
from dialogs.intents import card_value, intent_of, language_of, reporter_of
from dialogs.people_commands import Roster, handle_people_command, people_command_of
from dialogs.report_commands import ReportCommands, report_command_of
from dialogs.report_dialog import ReportDialog, card
from dialogs.training import TrainingDialog
from domain.access import Action, NoTarget, decide
from domain.clock import utcnow
from domain.report import MAX_TEXT_LENGTH
from storage.cases import CaseRepository
from storage.gate import AccessDenied, AccessGate
from storage.organisation import OrganisationRepository

# The dialogue contexts made in a turn, released when it ends.
_DIALOG_CONTEXTS = "tryggest.dialog_contexts"


def _release_dialog_contexts(context: TurnContext) -> None:
    """botbuilder's DialogContext and its DialogStateManager refer to each other, and the
    context refers to the turn: so every turn's objects (its activity, cards, state) stayed in
    memory until the garbage collector found the cycle, a tenth of a megabyte a turn and
    collections of several milliseconds every few hundred turns (issue #9). Once the turn is
    done with them, the cycle is cut and they are freed at once."""
    for dc in context.turn_state.pop(_DIALOG_CONTEXTS, ()):
        dc.state = None


class PersonalChat:
    def __init__(
        self,
        conversation_state: ConversationState,
        cases: CaseRepository,
        organisation: OrganisationRepository,
        gate: AccessGate,
        case_commands: CaseCommands,
        roster: Roster,
        now: Callable[[], datetime] = utcnow,
        case_work: CaseWorkDialog | None = None,
        gatherings: GatheringDialog | None = None,
        report_commands: ReportCommands | None = None,
        experiences: ExperienceDialog | None = None,
        training: TrainingDialog | None = None,
    ) -> None:
        self._experiences = experiences
        self._training = training
        self._report_commands = report_commands
        self._gatherings = gatherings
        self._roster = roster
        self._case_work = case_work
        self._cases = cases
        self._organisation = organisation
        self._gate = gate
        self._case_commands = case_commands
        self._dialogs = DialogSet(conversation_state.create_property("DialogState"))
        self._dialogs.add(ReportDialog(cases, organisation, gate, now))

    async def welcome(self, context: TurnContext) -> None:
        await context.send_activity(card(welcome_card(language_of(context))))

    async def on_message(self, context: TurnContext) -> None:
        try:
            await self._on_message(context)
        finally:
            _release_dialog_contexts(context)

    async def _dialog_context(self, context: TurnContext) -> DialogContext:
        dc = await self._dialogs.create_context(context)
        context.turn_state.setdefault(_DIALOG_CONTEXTS, []).append(dc)
        return dc

    async def _on_message(self, context: TurnContext) -> None:
        # Who is who ("legg til @navn som koordinator", "roller"): see _people_command below.
        if await self._people_command(context):
            return
        lang = language_of(context)
        typed = context.activity.text
        if isinstance(typed, str) and len(typed) > MAX_TEXT_LENGTH:
            await context.send_activity(
                text(lang, "too_long", length=len(typed), max=MAX_TEXT_LENGTH)
            )
            return
        dc = await self._dialog_context(context)
        intent = intent_of(context)
        value = card_value(context)
        if self._gatherings is not None and await self._gatherings.on_message(context):
            # "ny samling", "samlinger" and the gathering cards' buttons; a report waits.
            await self._reprompt(dc)
        elif self._experiences is not None and await self._experiences.on_message(context):
            # "del erfaring", "søk erfaringer …" and the experience cards' buttons.
            await self._reprompt(dc)
        elif self._training is not None and await self._training.on_message(context):
            # "øvelsessak" and the training card's buttons.
            await self._reprompt(dc)
        elif case_command_of(context) is not None:
            # A team member's look at a case ("vis TE-2026-0042"); a report under way waits.
            await self._case_commands.handle(context)
            await self._reprompt(dc)
        elif self._report_commands is not None and report_command_of(context) is not None:
            # The half-year report ("rapport 2026H1", its buttons); a report under way waits.
            await self._report_commands.handle(context)
            await self._reprompt(dc)
        elif value and value.get(ACTION_KEY) == WORK_KEY and self._case_work is not None:
            # The coordinator's "Del i kanalen", or the reporter's answer to the team.
            await self._case_work.on_personal_submit(context)
            await self._reprompt(dc)
        elif dc.active_dialog is not None and value and value.get(ACTION_KEY) == "report":
            # A button on a report card: the dialogue checks it belongs to this very draft.
            await dc.continue_dialog()
        elif intent == "cancel":
            await self._cancel(dc, lang)
        elif intent == "help":
            await context.send_activity(card(help_card(lang, dc.active_dialog is not None)))
            await self._reprompt(dc)
        elif intent == "my_reports":
            await self._my_reports(context, lang)
            await self._reprompt(dc)
        elif intent == "report":
            if dc.active_dialog is not None:
                await context.send_activity(text(lang, "already_reporting"))
                await self._reprompt(dc)
            else:
                await self._start_report(dc, lang)
        elif dc.active_dialog is not None:
            await dc.continue_dialog()
        else:
            await self._outside_a_report(context, intent, lang)

    async def _reprompt(self, dc: DialogContext) -> None:
        if dc.active_dialog is not None:
            await dc.reprompt_dialog()

    async def _cancel(self, dc: DialogContext, lang: Language) -> None:
        if dc.active_dialog is None:
            await dc.context.send_activity(text(lang, "nothing_to_cancel"))
            return
        # The report dialogue cancels itself, so it can also close its open card.
        await dc.continue_dialog()

    async def _start_report(self, dc: DialogContext, lang: Language) -> None:
        reporter = reporter_of(dc.context)
        if reporter is None:
            await dc.context.send_activity(text(lang, "no_identity"))
            return
        principal = await self._gate.principal(reporter)
        municipalities = await self._organisation.municipalities_for_tenant(reporter.tenant_id)
        if not decide(principal, Action.REPORT, NoTarget()) or not municipalities:
            await dc.context.send_activity(text(lang, "not_set_up"))
            return
        await dc.begin_dialog(ReportDialog.__name__, municipalities)

    async def _my_reports(self, context: TurnContext, lang: Language) -> None:
        reporter = reporter_of(context)
        if reporter is None:
            await context.send_activity(text(lang, "no_identity"))
            return
        try:
            lines = await self._cases.list_for_reporter(await self._gate.principal(reporter))
        except AccessDenied:
            await context.send_activity(text(lang, "not_set_up"))
            return
        await context.send_activity(card(my_reports_card(lang, lines)))

    async def _outside_a_report(
        self, context: TurnContext, intent: str | None, lang: Language
    ) -> None:
        value = card_value(context)
        if value is not None and value.get(ACTION_KEY) == "report":
            # A button on a report that has ended: a second tap on "Send" finds the case it became.
            reporter = reporter_of(context)
            draft_id = value.get("draft")
            stored = None
            if intent == "send" and reporter and isinstance(draft_id, str):
                principal = await self._gate.principal(reporter)
                with contextlib.suppress(AccessDenied):
                    stored = await self._cases.find_by_draft(principal, draft_id)
                if stored is not None:
                    await context.send_activity(text(lang, "receipt.already", number=stored.number))
                    return
            await context.send_activity(text(lang, "stale_card"))
        elif intent == "greeting":
            await self.welcome(context)
        else:
            await context.send_activity(text(lang, "unknown"))

    # --- people commands (dialogs/people_commands.py) ------------------------------------------

    async def _people_command(self, context: TurnContext) -> bool:
        """A coordinator's people command, handled; but while a report is under way only one
        that cannot be an answer ("legg til @navn …", "synk medlemmer"), so "roller" typed as
        an answer still reaches the report."""
        command = people_command_of(context)
        if command is None:
            return False
        if not command.clear:
            dc = await self._dialog_context(context)
            if dc.active_dialog is not None:
                return False
        return await handle_people_command(context, self._gate, self._organisation, self._roster)
