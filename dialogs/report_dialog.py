"""The report dialogue: one question at a time, then a summary, then the case.

The draft lives in this dialogue's state, which the bot stores in the database after every turn,
so a restart mid-report carries on where the person was. Which question comes next is decided by
domain.report (first unanswered question that applies); this module asks, reads answers and
sends the report.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from cards.report_cards import (
    ACTION_KEY,
    ANSWER_INPUT,
    OSLO,
    acute_guidance_card,
    acute_reminder_card,
    answered_card,
    closed_card,
    confirm_cancel_card,
    question_card,
    receipt_card,
    summary_card,
)
from cards.texts import Language, text
from dialogs.intents import intent_of, strip_mentions
from dialogs.turn import Card, Turn
from domain.answers import NotUnderstood, read_answer
from domain.case import case_from_draft
from domain.choices import normalise
from domain.clock import utcnow
from domain.danger import danger_now
from domain.report import PRIVATE_ANSWER_STEPS, Municipality, ReportDraft
from storage.cases import CaseRepository
from storage.db import DATABASE_ERRORS, SQL_ERRORS
from storage.gate import AccessDenied, AccessGate
from storage.organisation import MunicipalityInfo, OperationalTeam, OrganisationRepository
from storage.personal_views import PersonalViews

log = logging.getLogger(__name__)

# What typed on the summary sends the report, as its Send button does.
SEND_TYPED = frozenset({"send", "send inn", "ja, send"})

SUMMARY = None  # the step value while the summary is shown
# The personal view a report's open card is while it shows what identifies the person (the
# summary, a question with an earlier answer in its field): hidden again after a while.
DRAFT_CARD = "draft_card"
# Where the dialogue keeps its state in the conversation's state: the draft, the step, the open
# card. Absent while no report is under way.
STATE_KEY = "report"


async def replace_pressed_card(turn: Turn, content: Card) -> None:
    """The card whose button was pressed becomes `content` (what came of the press), so an old
    form cannot be sent twice; a client that cannot update a card gets a new message."""
    if turn.reply_to_id:
        try:
            await turn.update(turn.reply_to_id, content)
            return
        except Exception as error:
            log.info("pressed card not replaced: %s", type(error).__name__)
    await turn.send(content)


def _from_dialog_stack(state: dict[str, Any]) -> None:
    """A report begun before the bot kept its own state was stored on botbuilder-dialogs' stack:
    {"DialogState": {dialog_stack: [{id: "ReportDialog", state: {...}}]}} (objects or, once
    read without botbuilder, their attributes as dicts). The report's own state moves to its
    key, so a person mid-report when the bot is upgraded carries on."""
    stack_owner = state.pop("DialogState", None)
    if stack_owner is None:
        return

    def field(node: Any, name: str) -> Any:
        return node.get(name) if isinstance(node, dict) else getattr(node, name, None)

    stack = field(stack_owner, "dialog_stack") or []
    top = stack[0] if stack else None
    if top is not None and field(top, "id") == "ReportDialog":
        earlier = field(top, "state")
        if isinstance(earlier, dict) and "draft" in earlier:
            state.setdefault(STATE_KEY, dict(earlier))


class ReportDialog:
    def __init__(
        self,
        cases: CaseRepository,
        organisation: OrganisationRepository,
        gate: AccessGate,
        now: Callable[[], datetime] = utcnow,
        views: PersonalViews | None = None,
    ) -> None:
        self._views = views
        self._cases = cases
        self._organisation = organisation
        self._gate = gate
        self._now = now

    def _today(self) -> date:
        """Today in Norway: ages and birth dates are judged by the Oslo calendar."""
        return self._now().astimezone(OSLO).date()

    # --- the dialogue: begun, continued, asked again, ended -----------------------------------

    @staticmethod
    def active(turn: Turn) -> bool:
        """Whether a report is under way in this conversation."""
        _from_dialog_stack(turn.state)
        return STATE_KEY in turn.state

    @staticmethod
    def _state(turn: Turn) -> dict[str, Any]:
        state: dict[str, Any] = turn.state[STATE_KEY]
        return state

    @staticmethod
    def _end(turn: Turn) -> None:
        turn.state.pop(STATE_KEY, None)

    async def begin(
        self, turn: Turn, municipalities: Sequence[MunicipalityInfo], enquiry: bool = False
    ) -> None:
        """A report of concern, or (`enquiry`) a team member registering an enquiry that came
        by phone, letter or in person, answered on the caller's behalf."""
        draft = ReportDraft(
            municipalities=[Municipality(m.id, m.name) for m in municipalities], enquiry=enquiry
        )
        draft.choose_municipality_if_only_one()
        turn.state[STATE_KEY] = {}
        note = text(turn.lang, "enquiry.intro") if enquiry else None
        await self._go_to(turn, draft, draft.next_step(), note)

    async def continue_(self, turn: Turn) -> None:
        """The person's message or press while a report is under way."""
        draft, step = self._load(turn)
        lang = turn.lang
        value = turn.card_data
        if value is not None and value.get("draft") != draft.draft_id:
            await turn.send(text(lang, "old_card"))
            await self._go_to(turn, draft, step)
            return
        intent = intent_of(turn)
        if intent in ("cancel_confirmed", "resume") and value and value.get("step") != step:
            await turn.send(text(lang, "old_card"))
            await self._go_to(turn, draft, step)
            return
        if intent == "cancel" and value is not None:
            # A tap on "Avbryt" is easy to make by mistake: the card turns into a question
            # before the draft is deleted, and back again on "Nei, fortsett".
            confirm = confirm_cancel_card(lang, draft, step)
            if not await self._freeze(turn, confirm):
                self._state(turn)["card_id"] = await self._send_card(turn, confirm)
            return
        if intent in ("cancel", "cancel_confirmed"):
            await self._freeze(turn, closed_card(lang, text(lang, "closed.cancelled")))
            await turn.send(text(lang, "cancelled"))
            self._end(turn)
            return
        if intent == "resume":
            current = await self._card_for(turn, draft, step, lang)
            if not await self._freeze(turn, current):
                self._state(turn)["card_id"] = await self._send_card(turn, current)
            if shows_private(draft, step):
                await self._hide_later(turn, draft, step, self._state(turn).get("card_id"))
            return
        if intent == "back":
            await self._back(turn, draft, step, lang)
            return
        if intent == "send":
            if step is not SUMMARY:
                await turn.send(text(lang, "old_card"))
                await self._go_to(turn, draft, step)
                return
            await self._send(turn, draft, lang)
            return
        if intent == "edit":
            part = value.get("part") if value else None
            if step is not SUMMARY or not isinstance(part, str):
                await turn.send(text(lang, "old_card"))
                await self._go_to(turn, draft, step)
                return
            await self._freeze(turn, closed_card(lang, text(lang, "closed.edit")))
            draft.reopen_part(part)
            await self._go_to(turn, draft, draft.next_step())
            return
        if self._state(turn).get("unshown") and value is None:
            # The last answer was kept but its next question never reached the person: this
            # message answers nothing they have seen. Show the question now.
            await self._go_to(turn, draft, step, text(lang, "resume.unshown"))
            return
        if step is SUMMARY:
            # Typed text on the summary: "send" sends, anything else shows the summary again.
            typed = normalise(strip_mentions(turn.text or ""))
            if typed in SEND_TYPED:
                await self._send(turn, draft, lang)
                return
            await self._go_to(turn, draft, SUMMARY)
            return
        if value is not None and value.get("step") != step:
            await turn.send(text(lang, "old_card"))
            await self._go_to(turn, draft, step)
            return
        await self._answer(turn, draft, step, lang, value)

    async def reprompt(self, turn: Turn) -> None:
        """The open question again, after something else was answered in between."""
        if not self.active(turn):
            return
        draft, step = self._load(turn)
        state = self._state(turn)
        state["card_id"] = await self._ask(turn, draft, step, turn.lang)
        state.pop("unshown", None)

    # --- steps ------------------------------------------------------------------------------

    def _load(self, turn: Turn) -> tuple[ReportDraft, str | None]:
        state = self._state(turn)
        return ReportDraft.from_state(state["draft"]), state.get("step")

    async def _go_to(
        self,
        turn: Turn,
        draft: ReportDraft,
        step: str | None,
        note: str | None = None,
        as_buttons: bool = False,
    ) -> None:
        state = self._state(turn)
        state["draft"] = draft.to_state()
        state["step"] = step
        lang = turn.lang
        try:
            state["card_id"] = await self._ask(turn, draft, step, lang, note, as_buttons)
        except Exception as error:
            # The answer is kept (the state is saved when the turn ends) even when Teams did
            # not take the next question: the person's next message shows it again instead
            # of being read as an answer to a question they never saw.
            log.warning(
                "question %s not sent on activity %s: %s",
                step,
                turn.activity_id,
                type(error).__name__,
            )
            state["card_id"] = None
            state["unshown"] = True
        else:
            state.pop("unshown", None)
            if shows_private(draft, step):
                await self._hide_later(turn, draft, step, state["card_id"])

    async def _hide_later(
        self, turn: Turn, draft: ReportDraft, step: str | None, card_id: str | None
    ) -> None:
        """The open card shows who the person is: it is hidden again when its minutes are up,
        if the report has not moved on by then."""
        where = turn.message(card_id)
        if self._views is not None and turn.person is not None and where is not None:
            await self._views.shown(
                turn.person, None, DRAFT_CARD, where, draft_id=draft.draft_id, step=step
            )

    async def _ask(
        self,
        turn: Turn,
        draft: ReportDraft,
        step: str | None,
        lang: Language,
        note: str | None = None,
        as_buttons: bool = False,
    ) -> str | None:
        """Send the card for `step`; returns its activity id, so it can be closed later."""
        return await self._send_card(
            turn, await self._card_for(turn, draft, step, lang, note, as_buttons)
        )

    async def _card_for(
        self,
        turn: Turn,
        draft: ReportDraft,
        step: str | None,
        lang: Language,
        note: str | None = None,
        as_buttons: bool = False,
    ) -> dict[str, Any]:
        if step is SUMMARY:
            return summary_card(lang, draft, await self._team_name(turn, draft))
        if step == "acute_guidance":
            return acute_guidance_card(lang, draft)
        return question_card(lang, draft, step, note, as_buttons)

    @staticmethod
    async def _send_card(turn: Turn, content: Card) -> str | None:
        return await turn.send(content)

    async def _freeze(self, turn: Turn, content: Card, card_id: str | None = None) -> bool:
        """Replace the open card (or the card `card_id`) in place, so old buttons cannot be
        pressed again. False when there is no card to replace or Teams would not replace it."""
        card_id = card_id or self._state(turn).get("card_id")
        if not card_id:
            return False
        try:
            await turn.update(card_id, content)
        except Exception as error:  # a card left as it was is no reason to fail the answer
            log.warning(
                "could not replace card on activity %s: %s",
                turn.activity_id,
                type(error).__name__,
            )
            return False
        return True

    async def _team_name(self, turn: Turn, draft: ReportDraft) -> str | None:
        reporter = turn.person
        municipality = draft.answers.get("municipality")
        if reporter is None or not municipality:
            return None
        try:
            team = await self._organisation.operational_team_for(reporter.tenant_id, municipality)
        except SQL_ERRORS:
            return None  # the summary is still worth showing without the team's name
        return team.name if team else None

    async def _back(self, turn: Turn, draft: ReportDraft, step: str | None, lang: Language) -> None:
        previous = draft.previous_step(step)
        if previous is None:
            await turn.send(text(lang, "first_question"))
            await self._go_to(turn, draft, step)
            return
        await self._freeze(turn, closed_card(lang, text(lang, "closed.back")))
        draft.unanswer(previous)
        await self._go_to(turn, draft, previous)

    async def _answer(
        self,
        turn: Turn,
        draft: ReportDraft,
        step: str,
        lang: Language,
        value: dict[str, Any] | None,
    ) -> None:
        raw: Any = value.get("answer", value.get(ANSWER_INPUT)) if value else None
        if value is None:
            raw = strip_mentions(turn.text or "")
        typed = raw if value is None and isinstance(raw, str) else None
        try:
            reading = read_answer(step, raw, draft, self._today(), from_card=value is not None)
        except NotUnderstood as error:
            if typed is not None and step != "acute" and danger_now(typed):
                await self._remind_of_danger(turn, lang)
            await turn.send(
                text(lang, error.key, **error.values, **self._examples(step, draft, lang))
            )
            await self._go_to(turn, draft, step, as_buttons=error.buttons)
            return
        answer = reading.value
        if step == "acute_guidance" and answer == "stop":
            await self._freeze(turn, closed_card(lang, text(lang, "closed.cancelled")))
            await turn.send(text(lang, "stopped_after_acute"))
            self._end(turn)
            return
        note = text(lang, "anonymous.cleaned") if reading.cleaned else None
        if typed is not None and step in PRIVATE_ANSWER_STEPS:
            note = self._typed_stays_note(turn, lang, note)
        draft.answer(step, answer)
        if step == "consent" and answer == "anonymous":
            note = text(lang, "consent.anonymous_note")
        # Words of danger now in a later answer: the guidance again, and the report goes on.
        if typed is not None and step not in ("acute", "acute_guidance") and danger_now(typed):
            await self._remind_of_danger(turn, lang)
        # The answered card is closed while the next question goes out, not before it: the
        # person waits for one request to the Bot Connector, not two in a row.
        answered = self._freeze(
            turn, answered_card(lang, draft, step), self._state(turn).get("card_id")
        )
        await asyncio.gather(answered, self._go_to(turn, draft, draft.next_step(), note))

    def _typed_stays_note(self, turn: Turn, lang: Language, note: str | None) -> str | None:
        """Once a report: what is typed in the chat stays there, and how to delete it."""
        state = self._state(turn)
        if state.get("told_typed_stays"):
            return note
        state["told_typed_stays"] = True
        told = text(lang, "typed.stays_in_chat")
        return f"{note}\n\n{told}" if note else told

    async def _remind_of_danger(self, turn: Turn, lang: Language) -> None:
        await turn.send(acute_reminder_card(lang))

    @staticmethod
    def _examples(step: str, draft: ReportDraft, lang: Language) -> dict[str, str]:
        """Two answers to type, in the person's language form, for the retry message."""
        if step == "municipality":
            names = [m.name for m in draft.municipalities]
            if len(names) >= 2:
                return {
                    "examples": text(
                        lang, "q.municipality.examples", first=names[0], second=names[1]
                    )
                }
            return {
                "examples": text(lang, "q.municipality.example", first=names[0] if names else "")
            }
        if step == "reporter_phone":
            return {}
        try:
            return {"examples": text(lang, f"q.{step}.examples")}
        except KeyError:
            return {}

    async def _send(self, turn: Turn, draft: ReportDraft, lang: Language) -> None:
        reporter = turn.person
        if reporter is None:
            await turn.send(text(lang, "no_identity"))
            return
        try:
            new_case = case_from_draft(draft, reporter, self._today())
            principal = await self._gate.principal(reporter)
            # The case goes to the municipality's operational team, looked up in the case's
            # own transaction, which also gives the team's name and phone for the receipt.
            stored = await self._cases.create_from_report(principal, new_case, now=self._now())
        except AccessDenied:
            # The tenant was removed from the allowed list while the report was written.
            await turn.send(text(lang, "not_set_up"))
            return
        except DATABASE_ERRORS as error:
            await self._not_stored(turn, draft.draft_id, draft.answers.get("municipality"), error)
            # The summary card already shown keeps working: its "Send" tries again.
            return
        log.info(
            "report stored as %s (draft %s, activity %s, new=%s)",
            stored.number,
            draft.draft_id,
            turn.activity_id,
            stored.created,
        )
        await self._freeze(turn, closed_card(lang, text(lang, "closed.sent", number=stored.number)))
        await turn.send(
            receipt_card(
                lang, stored.number, stored.team_name, stored.team_phone, enquiry=draft.enquiry
            )
        )
        self._end(turn)

    @staticmethod
    def asks_to_send(turn: Turn) -> bool:
        """The summary's Send pressed, or "send" typed: whatever fails in this turn, the
        report was not sent."""
        value = turn.card_data
        if value is None:
            return normalise(strip_mentions(turn.text or "")) in SEND_TYPED
        return value.get(ACTION_KEY) == "report" and intent_of(turn) == "send"

    async def tell_not_stored(self, turn: Turn, error: BaseException) -> None:
        """The database failed in a turn that sent a report, before the report could be read or
        stored (bot/app.py's turn error handler): as when storing it failed."""
        value = turn.card_data or {}
        draft_id = value.get("draft")
        await self._not_stored(turn, draft_id if isinstance(draft_id, str) else None, None, error)

    async def _not_stored(
        self,
        turn: Turn,
        draft_id: str | None,
        municipality_id: str | None,
        error: BaseException,
    ) -> None:
        """Tells the person the report was NOT sent (and whom to phone if it is urgent, when
        the database can still say), and logs the line operators alert on."""
        log.error(
            "report not stored (draft %s, activity %s): %s",
            draft_id,
            turn.activity_id,
            type(error).__name__,
        )
        message = text(turn.lang, "not_sent")
        team = None
        if turn.person is not None and municipality_id:
            team = await self._team_to_call(turn.person.tenant_id, municipality_id)
        if team and team.phone:
            message += text(turn.lang, "not_sent.call", team=team.name, phone=team.phone)
        await turn.send(message)

    async def _team_to_call(self, tenant_id: str, municipality_id: str) -> OperationalTeam | None:
        """The team a report that could not be sent can be phoned to, if it can be read."""
        try:
            return await self._organisation.operational_team_for(tenant_id, municipality_id)
        except DATABASE_ERRORS:
            return None


def shows_private(draft: ReportDraft, step: str | None) -> bool:
    """Whether the card for `step` shows what identifies the person: the summary, or a question
    about them opened again with the earlier answer in its field."""
    return step is SUMMARY or (
        step in PRIVATE_ANSWER_STEPS and draft.earlier_answer(step) is not None
    )


def open_card(state: dict[str, Any]) -> str | None:
    """The activity id of the card a report under way has open in the conversation (`state`:
    the conversation's stored state), else None."""
    report = state.get(STATE_KEY)
    if not isinstance(report, dict) or "draft" not in report:
        return None
    card_id = report.get("card_id")
    return card_id if isinstance(card_id, str) else None
