"""The report dialogue: one question at a time, then a summary, then the case.

The draft lives in this dialogue's state, which the bot stores in the database after every turn,
so a restart mid-report carries on where the person was. Which question comes next is decided by
domain.report (first unanswered question that applies); this module asks, reads answers and
sends the report.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.core.card_factory import CardFactory
from botbuilder.dialogs import Dialog, DialogContext, DialogTurnResult
from botbuilder.schema import Activity, ActivityTypes, AttachmentLayoutTypes
from sqlalchemy.exc import SQLAlchemyError

from cards.report_cards import (
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
from dialogs.intents import card_value, intent_of, language_of, reporter_of, strip_mentions
from domain.answers import NotUnderstood, read_answer
from domain.case import case_from_draft
from domain.choices import normalise
from domain.clock import utcnow
from domain.danger import danger_now
from domain.report import Municipality, ReportDraft
from storage.cases import CaseRepository
from storage.gate import AccessDenied, AccessGate
from storage.organisation import MunicipalityInfo, OperationalTeam, OrganisationRepository

log = logging.getLogger(__name__)

SUMMARY = None  # the step value while the summary is shown


class _CardMessage(Activity):
    """A message with a card, made for one send. botbuilder deep-copies each activity it sends,
    so that the sender cannot change it afterwards; for a card that is a tree of hundreds of
    nodes, 3% of a report's turn. Nothing changes a card's insides once it is made (what is set
    on a message after card(), its id, botbuilder's addressing, is set on the copy itself), so
    a shallow copy is the same copy here."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _CardMessage:
        return copy.copy(self)


def card(content: dict[str, Any]) -> Any:
    # What MessageFactory.attachment makes (no input hint: botbuilder sets it when sending).
    return _CardMessage(
        type=ActivityTypes.message,
        attachment_layout=AttachmentLayoutTypes.list,
        attachments=[CardFactory.adaptive_card(content)],
    )


async def replace_pressed_card(context: TurnContext, content: dict[str, Any]) -> None:
    """The card whose button was pressed becomes `content` (what came of the press), so an old
    form cannot be sent twice; a client that cannot update a card gets a new message."""
    reply_to = context.activity.reply_to_id
    if reply_to:
        update = card(content)
        update.id = reply_to
        try:
            await context.update_activity(update)
            return
        except Exception as error:
            log.info("pressed card not replaced: %s", type(error).__name__)
    await context.send_activity(card(content))


class ReportDialog(Dialog):
    def __init__(
        self,
        cases: CaseRepository,
        organisation: OrganisationRepository,
        gate: AccessGate,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(ReportDialog.__name__)
        self._cases = cases
        self._organisation = organisation
        self._gate = gate
        self._now = now

    def _today(self) -> date:
        """Today in Norway: ages and birth dates are judged by the Oslo calendar."""
        return self._now().astimezone(OSLO).date()

    # --- botbuilder's dialogue protocol ------------------------------------------------------

    async def begin_dialog(self, dc: DialogContext, options: Any = None) -> DialogTurnResult:
        municipalities: list[MunicipalityInfo] = list(options or [])
        draft = ReportDraft(municipalities=[Municipality(m.id, m.name) for m in municipalities])
        draft.choose_municipality_if_only_one()
        return await self._go_to(dc, draft, draft.next_step())

    async def continue_dialog(self, dc: DialogContext) -> DialogTurnResult:
        draft, step = self._load(dc)
        lang = language_of(dc.context)
        value = card_value(dc.context)
        if value is not None and value.get("draft") != draft.draft_id:
            await dc.context.send_activity(text(lang, "old_card"))
            return await self._go_to(dc, draft, step)
        intent = intent_of(dc.context)
        if intent in ("cancel_confirmed", "resume") and value and value.get("step") != step:
            await dc.context.send_activity(text(lang, "old_card"))
            return await self._go_to(dc, draft, step)
        if intent == "cancel" and value is not None:
            # A tap on "Avbryt" is easy to make by mistake: the card turns into a question
            # before the draft is deleted, and back again on "Nei, fortsett".
            confirm = confirm_cancel_card(lang, draft, step)
            if not await self._freeze(dc, confirm):
                dc.active_dialog.state["card_id"] = await self._send_card(dc.context, confirm)
            return Dialog.end_of_turn
        if intent in ("cancel", "cancel_confirmed"):
            await self._freeze(dc, closed_card(lang, text(lang, "closed.cancelled")))
            await dc.context.send_activity(text(lang, "cancelled"))
            return await dc.end_dialog()
        if intent == "resume":
            current = await self._card_for(dc.context, draft, step, lang)
            if not await self._freeze(dc, current):
                dc.active_dialog.state["card_id"] = await self._send_card(dc.context, current)
            return Dialog.end_of_turn
        if intent == "back":
            return await self._back(dc, draft, step, lang)
        if intent == "send":
            if step is not SUMMARY:
                await dc.context.send_activity(text(lang, "old_card"))
                return await self._go_to(dc, draft, step)
            return await self._send(dc, draft, lang)
        if intent == "edit":
            part = value.get("part") if value else None
            if step is not SUMMARY or not isinstance(part, str):
                await dc.context.send_activity(text(lang, "old_card"))
                return await self._go_to(dc, draft, step)
            await self._freeze(dc, closed_card(lang, text(lang, "closed.edit")))
            draft.reopen_part(part)
            return await self._go_to(dc, draft, draft.next_step())
        if dc.active_dialog.state.get("unshown") and value is None:
            # The last answer was kept but its next question never reached the person: this
            # message answers nothing they have seen. Show the question now.
            return await self._go_to(dc, draft, step, text(lang, "resume.unshown"))
        if step is SUMMARY:
            # Typed text on the summary: "send" sends, anything else shows the summary again.
            typed = normalise(strip_mentions(dc.context.activity.text or ""))
            if typed in {"send", "send inn", "ja, send"}:
                return await self._send(dc, draft, lang)
            return await self._go_to(dc, draft, SUMMARY)
        if value is not None and value.get("step") != step:
            await dc.context.send_activity(text(lang, "old_card"))
            return await self._go_to(dc, draft, step)
        return await self._answer(dc, draft, step, lang, value)

    async def reprompt_dialog(self, context: TurnContext, instance: Any) -> None:
        draft = ReportDraft.from_state(instance.state["draft"])
        step = instance.state.get("step")
        instance.state["card_id"] = await self._ask(context, draft, step, language_of(context))
        instance.state.pop("unshown", None)

    # --- steps ------------------------------------------------------------------------------

    def _load(self, dc: DialogContext) -> tuple[ReportDraft, str | None]:
        state = dc.active_dialog.state
        return ReportDraft.from_state(state["draft"]), state.get("step")

    async def _go_to(
        self,
        dc: DialogContext,
        draft: ReportDraft,
        step: str | None,
        note: str | None = None,
        as_buttons: bool = False,
    ) -> DialogTurnResult:
        state = dc.active_dialog.state
        state["draft"] = draft.to_state()
        state["step"] = step
        lang = language_of(dc.context)
        try:
            state["card_id"] = await self._ask(dc.context, draft, step, lang, note, as_buttons)
        except Exception as error:
            # The answer is kept (the state is saved when the turn ends) even when Teams did
            # not take the next question: the person's next message shows it again instead
            # of being read as an answer to a question they never saw.
            log.warning(
                "question %s not sent on activity %s: %s",
                step,
                dc.context.activity.id,
                type(error).__name__,
            )
            state["card_id"] = None
            state["unshown"] = True
        else:
            state.pop("unshown", None)
        return Dialog.end_of_turn

    async def _ask(
        self,
        context: TurnContext,
        draft: ReportDraft,
        step: str | None,
        lang: Language,
        note: str | None = None,
        as_buttons: bool = False,
    ) -> str | None:
        """Send the card for `step`; returns its activity id, so it can be closed later."""
        return await self._send_card(
            context, await self._card_for(context, draft, step, lang, note, as_buttons)
        )

    async def _card_for(
        self,
        context: TurnContext,
        draft: ReportDraft,
        step: str | None,
        lang: Language,
        note: str | None = None,
        as_buttons: bool = False,
    ) -> dict[str, Any]:
        if step is SUMMARY:
            return summary_card(lang, draft, await self._team_name(context, draft))
        if step == "acute_guidance":
            return acute_guidance_card(lang, draft)
        return question_card(lang, draft, step, note, as_buttons)

    @staticmethod
    async def _send_card(context: TurnContext, content: dict[str, Any]) -> str | None:
        response = await context.send_activity(card(content))
        return response.id if response is not None else None

    async def _freeze(
        self, dc: DialogContext, content: dict[str, Any], card_id: str | None = None
    ) -> bool:
        """Replace the open card (or the card `card_id`) in place, so old buttons cannot be
        pressed again. False when there is no card to replace or Teams would not replace it."""
        card_id = card_id or dc.active_dialog.state.get("card_id")
        if not card_id:
            return False
        update = card(content)
        update.id = card_id
        try:
            await dc.context.update_activity(update)
        except Exception as error:  # a card left as it was is no reason to fail the answer
            log.warning(
                "could not replace card on activity %s: %s",
                dc.context.activity.id,
                type(error).__name__,
            )
            return False
        return True

    async def _team_name(self, context: TurnContext, draft: ReportDraft) -> str | None:
        reporter = reporter_of(context)
        municipality = draft.answers.get("municipality")
        if reporter is None or not municipality:
            return None
        try:
            team = await self._organisation.operational_team_for(reporter.tenant_id, municipality)
        except SQLAlchemyError:
            return None  # the summary is still worth showing without the team's name
        return team.name if team else None

    async def _back(
        self, dc: DialogContext, draft: ReportDraft, step: str | None, lang: Language
    ) -> DialogTurnResult:
        previous = draft.previous_step(step)
        if previous is None:
            await dc.context.send_activity(text(lang, "first_question"))
            return await self._go_to(dc, draft, step)
        await self._freeze(dc, closed_card(lang, text(lang, "closed.back")))
        draft.unanswer(previous)
        return await self._go_to(dc, draft, previous)

    async def _answer(
        self,
        dc: DialogContext,
        draft: ReportDraft,
        step: str,
        lang: Language,
        value: dict[str, Any] | None,
    ) -> DialogTurnResult:
        raw: Any = value.get("answer", value.get(ANSWER_INPUT)) if value else None
        if value is None:
            raw = strip_mentions(dc.context.activity.text or "")
        typed = raw if value is None and isinstance(raw, str) else None
        try:
            reading = read_answer(step, raw, draft, self._today(), from_card=value is not None)
        except NotUnderstood as error:
            if typed is not None and step != "acute" and danger_now(typed):
                await self._remind_of_danger(dc, lang)
            await dc.context.send_activity(
                text(lang, error.key, **error.values, **self._examples(step, draft, lang))
            )
            return await self._go_to(dc, draft, step, as_buttons=error.buttons)
        answer = reading.value
        if step == "acute_guidance" and answer == "stop":
            await self._freeze(dc, closed_card(lang, text(lang, "closed.cancelled")))
            await dc.context.send_activity(text(lang, "stopped_after_acute"))
            return await dc.end_dialog()
        note = text(lang, "anonymous.cleaned") if reading.cleaned else None
        draft.answer(step, answer)
        if step == "consent" and answer == "anonymous":
            note = text(lang, "consent.anonymous_note")
        # Words of danger now in a later answer: the guidance again, and the report goes on.
        if typed is not None and step not in ("acute", "acute_guidance") and danger_now(typed):
            await self._remind_of_danger(dc, lang)
        # The answered card is closed while the next question goes out, not before it: the
        # person waits for one request to the Bot Connector, not two in a row.
        answered = self._freeze(
            dc, answered_card(lang, draft, step), dc.active_dialog.state.get("card_id")
        )
        _, result = await asyncio.gather(answered, self._go_to(dc, draft, draft.next_step(), note))
        return result

    async def _remind_of_danger(self, dc: DialogContext, lang: Language) -> None:
        await dc.context.send_activity(card(acute_reminder_card(lang)))

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

    async def _send(
        self, dc: DialogContext, draft: ReportDraft, lang: Language
    ) -> DialogTurnResult:
        reporter = reporter_of(dc.context)
        if reporter is None:
            await dc.context.send_activity(text(lang, "no_identity"))
            return Dialog.end_of_turn
        try:
            new_case = case_from_draft(draft, reporter, self._today())
            principal = await self._gate.principal(reporter)
            # The case goes to the municipality's operational team, looked up in the case's
            # own transaction, which also gives the team's name and phone for the receipt.
            stored = await self._cases.create_from_report(principal, new_case, now=self._now())
        except AccessDenied:
            # The tenant was removed from the allowed list while the report was written.
            await dc.context.send_activity(text(lang, "not_set_up"))
            return Dialog.end_of_turn
        except (SQLAlchemyError, OSError) as error:
            log.error(
                "report not stored (draft %s, activity %s): %s",
                draft.draft_id,
                dc.context.activity.id,
                type(error).__name__,
            )
            message = text(lang, "not_sent")
            team = await self._team_to_call(reporter.tenant_id, draft.answers["municipality"])
            if team and team.phone:
                message += text(lang, "not_sent.call", team=team.name, phone=team.phone)
            await dc.context.send_activity(message)
            # The summary card already shown keeps working: its "Send" tries again.
            return Dialog.end_of_turn
        log.info(
            "report stored as %s (draft %s, activity %s, new=%s)",
            stored.number,
            draft.draft_id,
            dc.context.activity.id,
            stored.created,
        )
        await self._freeze(dc, closed_card(lang, text(lang, "closed.sent", number=stored.number)))
        await dc.context.send_activity(
            card(receipt_card(lang, stored.number, stored.team_name, stored.team_phone))
        )
        return await dc.end_dialog(stored.number)

    async def _team_to_call(self, tenant_id: str, municipality_id: str) -> OperationalTeam | None:
        """The team a report that could not be sent can be phoned to, if it can be read."""
        try:
            return await self._organisation.operational_team_for(tenant_id, municipality_id)
        except (SQLAlchemyError, OSError):
            return None
