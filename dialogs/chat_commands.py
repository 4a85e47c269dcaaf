"""A person's one-to-one chat with the bot: commands that work anywhere, and the report dialogue.

"avbryt", "hjelp" and "mine meldinger" work at every step; everything else goes to the report
dialogue when one is under way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime

from cards.channel_cards import WORK_KEY
from cards.report_cards import ACTION_KEY, help_card, my_reports_card, welcome_card
from cards.texts import Language, text
from dialogs.case_commands import CaseCommands, case_command_of
from dialogs.case_work import CaseWorkDialog
from dialogs.experiences import ExperienceDialog
from dialogs.gatherings import GatheringDialog
from dialogs.intents import intent_of
from dialogs.people_commands import Roster, handle_people_command, people_command_of
from dialogs.report_commands import ReportCommands, report_command_of
from dialogs.report_dialog import ReportDialog
from dialogs.training import TrainingDialog
from dialogs.turn import Turn
from domain.access import Action, NoTarget, decide
from domain.clock import utcnow
from domain.report import MAX_TEXT_LENGTH
from storage.cases import CaseRepository
from storage.gate import AccessDenied, AccessGate
from storage.organisation import OrganisationRepository


class PersonalChat:
    def __init__(
        self,
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
        self._report = ReportDialog(cases, organisation, gate, now)

    async def welcome(self, turn: Turn) -> None:
        await turn.send(welcome_card(turn.lang))

    async def on_message(self, turn: Turn) -> None:
        # Who is who ("legg til @navn som koordinator", "roller"): see _people_command below.
        if await self._people_command(turn):
            return
        lang = turn.lang
        typed = turn.text
        if isinstance(typed, str) and len(typed) > MAX_TEXT_LENGTH:
            await turn.send(text(lang, "too_long", length=len(typed), max=MAX_TEXT_LENGTH))
            return
        intent = intent_of(turn)
        value = turn.card_data
        if self._gatherings is not None and await self._gatherings.on_message(turn):
            # "ny samling", "samlinger" and the gathering cards' buttons; a report waits.
            await self._report.reprompt(turn)
        elif self._experiences is not None and await self._experiences.on_message(turn):
            # "del erfaring", "søk erfaringer …" and the experience cards' buttons.
            await self._report.reprompt(turn)
        elif self._training is not None and await self._training.on_message(turn):
            # "øvelsessak" and the training card's buttons.
            await self._report.reprompt(turn)
        elif case_command_of(turn) is not None:
            # A team member's look at a case ("vis TE-2026-0042"); a report under way waits.
            await self._case_commands.handle(turn)
            await self._report.reprompt(turn)
        elif self._report_commands is not None and report_command_of(turn) is not None:
            # The half-year report ("rapport 2026H1", its buttons); a report under way waits.
            await self._report_commands.handle(turn)
            await self._report.reprompt(turn)
        elif value and value.get(ACTION_KEY) == WORK_KEY and self._case_work is not None:
            # The coordinator's "Del i kanalen", or the reporter's answer to the team.
            await self._case_work.on_personal_submit(turn)
            await self._report.reprompt(turn)
        elif self._report.active(turn) and value and value.get(ACTION_KEY) == "report":
            # A button on a report card: the dialogue checks it belongs to this very draft.
            await self._report.continue_(turn)
        elif intent == "cancel":
            await self._cancel(turn, lang)
        elif intent == "help":
            await turn.send(help_card(lang, self._report.active(turn)))
            await self._report.reprompt(turn)
        elif intent == "my_reports":
            await self._my_reports(turn, lang)
            await self._report.reprompt(turn)
        elif intent == "report":
            if self._report.active(turn):
                await turn.send(text(lang, "already_reporting"))
                await self._report.reprompt(turn)
            else:
                await self._start_report(turn, lang)
        elif self._report.active(turn):
            await self._report.continue_(turn)
        else:
            await self._outside_a_report(turn, intent, lang)

    async def _cancel(self, turn: Turn, lang: Language) -> None:
        if not self._report.active(turn):
            await turn.send(text(lang, "nothing_to_cancel"))
            return
        # The report dialogue cancels itself, so it can also close its open card.
        await self._report.continue_(turn)

    async def _start_report(self, turn: Turn, lang: Language) -> None:
        reporter = turn.person
        if reporter is None:
            await turn.send(text(lang, "no_identity"))
            return
        principal = await self._gate.principal(reporter)
        municipalities = await self._organisation.municipalities_for_tenant(reporter.tenant_id)
        if not decide(principal, Action.REPORT, NoTarget()) or not municipalities:
            await turn.send(text(lang, "not_set_up"))
            return
        await self._report.begin(turn, municipalities)

    async def _my_reports(self, turn: Turn, lang: Language) -> None:
        reporter = turn.person
        if reporter is None:
            await turn.send(text(lang, "no_identity"))
            return
        try:
            lines = await self._cases.list_for_reporter(await self._gate.principal(reporter))
        except AccessDenied:
            await turn.send(text(lang, "not_set_up"))
            return
        await turn.send(my_reports_card(lang, lines))

    async def _outside_a_report(self, turn: Turn, intent: str | None, lang: Language) -> None:
        value = turn.card_data
        if value is not None and value.get(ACTION_KEY) == "report":
            # A button on a report that has ended: a second tap on "Send" finds the case it became.
            reporter = turn.person
            draft_id = value.get("draft")
            stored = None
            if intent == "send" and reporter and isinstance(draft_id, str):
                principal = await self._gate.principal(reporter)
                with contextlib.suppress(AccessDenied):
                    stored = await self._cases.find_by_draft(principal, draft_id)
                if stored is not None:
                    await turn.send(text(lang, "receipt.already", number=stored.number))
                    return
            await turn.send(text(lang, "stale_card"))
        elif intent == "greeting":
            await self.welcome(turn)
        else:
            await turn.send(text(lang, "unknown"))

    # --- people commands (dialogs/people_commands.py) ------------------------------------------

    async def _people_command(self, turn: Turn) -> bool:
        """A coordinator's people command, handled; but while a report is under way only one
        that cannot be an answer ("legg til @navn …", "synk medlemmer"), so "roller" typed as
        an answer still reaches the report."""
        command = people_command_of(turn)
        if command is None:
            return False
        if not command.clear and self._report.active(turn):
            return False
        return await handle_people_command(turn, self._gate, self._organisation, self._roster)
