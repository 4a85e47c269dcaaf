"""The commands of a person's one-to-one chat with the bot that are not a feature's own: start,
cancel and continue a report of concern, help, "mine meldinger", a greeting, and what to say to
a message the bot does not take. Which of them answers a turn is bot/routes.py's table.
"""

from __future__ import annotations

import contextlib

from cards.report_cards import ACTION_KEY, help_card, my_reports_card, welcome_card
from cards.texts import text
from dialogs.intents import intent_of
from dialogs.report_dialog import ReportDialog
from dialogs.turn import Turn
from domain.access import Action, MunicipalityTarget, NoTarget, decide
from domain.adaptation import Partner
from domain.report import MAX_TEXT_LENGTH
from storage.cases import CaseRepository
from storage.gate import AccessDenied, AccessGate
from storage.organisation import OrganisationRepository


def is_too_long(turn: Turn) -> bool:
    return turn.text is not None and len(turn.text) > MAX_TEXT_LENGTH


def presses_report_card(turn: Turn) -> bool:
    value = turn.card_data
    return value is not None and value.get(ACTION_KEY) == "report"


class ChatCommands:
    def __init__(
        self,
        report: ReportDialog,
        cases: CaseRepository,
        organisation: OrganisationRepository,
        gate: AccessGate,
    ) -> None:
        self._report = report
        self._cases = cases
        self._organisation = organisation
        self._gate = gate

    async def welcome(self, turn: Turn) -> None:
        await turn.send(welcome_card(turn.lang))

    async def too_long(self, turn: Turn) -> None:
        length = len(turn.text or "")
        await turn.send(text(turn.lang, "too_long", length=length, max=MAX_TEXT_LENGTH))

    async def help(self, turn: Turn) -> None:
        team_member = False
        tiltakskort: str | None = None
        partners: list[Partner] = []
        if turn.person is not None:
            principal = await self._gate.principal(turn.person)
            teams = [
                g.team_id
                for g in principal.grants
                if g.team_id
                and g.municipality_ids
                and decide(
                    principal, Action.REGISTER_ENQUIRY, MunicipalityTarget(g.municipality_ids)
                )
            ]
            team_member = bool(teams)
            for team_id in dict.fromkeys(teams):
                adaptation = await self._organisation.adaptation_of(team_id)
                tiltakskort = tiltakskort or adaptation.tiltakskort
                partners += [p for p in adaptation.partners if p not in partners]
            if tiltakskort is None:
                # A reporter reads the municipality's own card when its teams have one.
                tiltakskort = await self._organisation.tiltakskort_for_tenant(turn.person.tenant_id)
        await turn.send(
            help_card(turn.lang, self._report.active(turn), team_member, tiltakskort, partners)
        )

    async def cancel(self, turn: Turn) -> None:
        if not self._report.active(turn):
            await turn.send(text(turn.lang, "nothing_to_cancel"))
            return
        # The report dialogue cancels itself, so it can also close its open card.
        await self._report.continue_(turn)

    async def start_report(self, turn: Turn) -> None:
        if self._report.active(turn):
            await turn.send(text(turn.lang, "already_reporting"))
            await self._report.reprompt(turn)
            return
        reporter = turn.person
        if reporter is None:
            await turn.send(text(turn.lang, "no_identity"))
            return
        principal = await self._gate.principal(reporter)
        municipalities = await self._organisation.municipalities_for_tenant(reporter.tenant_id)
        if not decide(principal, Action.REPORT, NoTarget()) or not municipalities:
            await turn.send(text(turn.lang, "not_set_up"))
            return
        await self._report.begin(turn, municipalities)

    async def start_enquiry(self, turn: Turn) -> None:
        """ "ny henvendelse": a team member registers an enquiry for the municipalities their
        operational team serves."""
        if self._report.active(turn):
            await turn.send(text(turn.lang, "already_reporting"))
            await self._report.reprompt(turn)
            return
        member = turn.person
        if member is None:
            await turn.send(text(turn.lang, "no_identity"))
            return
        principal = await self._gate.principal(member)
        municipalities = [
            m
            for m in await self._organisation.municipalities_for_tenant(member.tenant_id)
            if decide(principal, Action.REGISTER_ENQUIRY, MunicipalityTarget(frozenset({m.id})))
        ]
        if not municipalities:
            await turn.send(text(turn.lang, "enquiry.only_team"))
            return
        await self._report.begin(turn, municipalities, enquiry=True)

    async def my_reports(self, turn: Turn) -> None:
        reporter = turn.person
        if reporter is None:
            await turn.send(text(turn.lang, "no_identity"))
            return
        try:
            lines = await self._cases.list_for_reporter(await self._gate.principal(reporter))
        except AccessDenied:
            await turn.send(text(turn.lang, "not_set_up"))
            return
        await turn.send(my_reports_card(turn.lang, lines))

    async def outside_a_report(self, turn: Turn) -> None:
        """Anything no other line of the table took, with no report under way."""
        lang = turn.lang
        intent = intent_of(turn)
        value = turn.card_data
        if presses_report_card(turn) and value is not None:
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
