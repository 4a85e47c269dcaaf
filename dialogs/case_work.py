"""Working a case from its card in the team channel, and the two forms that live in personal
chat: the coordinator's approval of the free text, and the reporter's answer to a question.

A press on the channel card (Action.Execute) is answered with the card as it now is, so everyone
in the channel sees the same state. What must not be in the channel (the personal details, the
timeline with its notes, the original free text) is sent to the presser's own chat instead.
Everything goes through storage/casework.py, and so through the gate and the access log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from cards.case_cards import personal_card
from cards.channel_cards import (
    WORK_KEY,
    answered_card,
    consent_form_card,
    team_case_card,
    text_preview_card,
    text_preview_of,
    timeline_card,
    wishes_form_card,
)
from cards.markup import typed
from cards.report_cards import ACTION_KEY, Card
from cards.texts import Language, text
from dialogs.report_dialog import replace_pressed_card
from dialogs.turn import Turn
from domain.access import CLOSED_REASON, Action, Person, Principal, decide
from domain.anonymiser import anonymise
from domain.calendar import local_day
from domain.casework import (
    AddNote,
    AskReporter,
    AssessRisk,
    Assign,
    Classify,
    Close,
    Command,
    MarkArchived,
    RecordConsent,
    RecordWishes,
    Reopen,
    ReporterAnswer,
    RiskChecklist,
    SetFollowUp,
    SetMeasures,
    SetPosition,
    ShareText,
    Take,
    WorkflowRefused,
)
from domain.clock import utcnow
from domain.report import parse_birth
from domain.views import CaseView, PostedMessage
from storage.cases import CaseLookupError, CaseRepository
from storage.casework import CaseWork
from storage.gate import AccessDenied, AccessGate, Where
from storage.organisation import OrganisationRepository
from storage.personal_views import PersonalViews

log = logging.getLogger(__name__)

LOOKS = {"show_personal", "timeline", "preview_text", "consent_form", "wishes_form"}
CHANGES = {
    "take",
    "assign",
    "classify",
    "risk",
    "position",
    "measures",
    "follow_up",
    "note",
    "ask_reporter",
    "close",
    "reopen",
    "archived",
}


class PersonalMessenger(Protocol):
    """bot/ sends a card to the person behind this turn, in their own chat with the bot."""

    async def to_person(self, turn: Turn, card: Card) -> PostedMessage | None:
        """Where the card is now; None when their chat cannot be reached."""
        ...


@dataclass(frozen=True)
class CardAnswer:
    """The answer to a press on the channel card: the new card, or a short message."""

    card: Card | None = None
    message: str | None = None


class InvalidAction(Exception):
    """The action's data is not what our cards send: old, or forged."""


def _split(value: Any) -> tuple[str, ...]:
    """A multi-select's value: '' or 'a,b' (Teams), or a list."""
    if isinstance(value, list):
        return tuple(str(v) for v in value if v)
    if isinstance(value, str):
        return tuple(v for v in value.split(",") if v)
    if value is None:
        return ()
    raise InvalidAction("multi-select value")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidAction("text value")
    return value


def command_of(name: str, data: dict[str, Any], tenant_id: str) -> Command:
    """The workflow command a button and its inputs stand for."""
    match name:
        case "take":
            return Take()
        case "assign":
            return Assign(Person(tenant_id, _text(data.get("assignee"))))
        case "classify":
            return Classify(_text(data.get("classification")))
        case "risk":
            return AssessRisk(_split(data.get("risk_answers")), _text(data.get("risk_level")))
        case "position":
            return SetPosition(_text(data.get("position")), _text(data.get("reflection")))
        case "measures":
            return SetMeasures(_split(data.get("measures")))
        case "follow_up":
            raw = _text(data.get("follow_up"))
            try:
                return SetFollowUp(date.fromisoformat(raw) if raw else None)
            except ValueError:
                raise WorkflowRefused("no_date") from None
        case "note":
            return AddNote(_text(data.get("note")))
        case "ask_reporter":
            return AskReporter(_text(data.get("question")))
        case "close":
            return Close(_text(data.get("outcome")))
        case "reopen":
            return Reopen()
        case "archived":
            return MarkArchived()
    raise InvalidAction(name)


def execute_data(turn: Turn, key: str = WORK_KEY) -> dict[str, Any] | None:
    """The data of an Action.Execute on one of our cards, the one `key` names (inputs merged
    in, as Teams sends them); None for any other press."""
    value = turn.value
    if value is None:
        return None
    action = value.get("action")
    if not isinstance(action, dict):
        return None
    data = action.get("data")
    if isinstance(data, dict) and data.get(ACTION_KEY) == key:
        return data
    return None


class CaseWorkActions:
    def __init__(
        self,
        organisation: OrganisationRepository,
        gate: AccessGate,
        cases: CaseRepository,
        casework: CaseWork,
        messenger: PersonalMessenger,
        checklist: RiskChecklist | None = None,
        channel_language: Language = "nb",
        views: PersonalViews | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._views = views
        self._now = now
        self._organisation = organisation
        self._gate = gate
        self._cases = cases
        self._work = casework
        self._messenger = messenger
        self._checklist = checklist or RiskChecklist()
        self._channel_lang = channel_language

    async def channel_card(self, view: CaseView, note: str | None = None) -> Card:
        """The case's channel card as it is now."""
        people = await self._organisation.people_of(view.team_id) if view.team_id else []
        named = {p.person for p in people if p.name}
        others = (
            await self._organisation.names_of([view.assignee])
            if view.assignee and view.assignee not in named
            else {}
        )
        adaptation = await self._organisation.adaptation_of(view.team_id)
        checklist = adaptation.checklist() if adaptation.risk_questions else self._checklist
        return team_case_card(
            self._channel_lang, view, people, checklist, note=note, other_names=others
        )

    # --- the channel card ---------------------------------------------------------------------

    async def on_execute(self, turn: Turn) -> CardAnswer:
        lang = turn.lang
        data = execute_data(turn)
        person = turn.person
        if data is None or person is None:
            return CardAnswer(message=text(lang, "unknown_action"))
        name, case_id, revision = data.get("command"), data.get("case"), data.get("rev")
        if (
            not isinstance(name, str)
            or not isinstance(case_id, str)
            or not isinstance(revision, int)
            or isinstance(revision, bool)
            or name not in LOOKS | CHANGES
        ):
            log.info("card action with unknown data on activity %s", turn.activity_id)
            return CardAnswer(message=text(lang, "unknown_action"))
        principal = await self._gate.principal(person)
        where = Where(conversation_id=turn.conversation_id)
        try:
            if name in LOOKS:
                return await self._look(turn, principal, name, case_id, where, lang)
            command = command_of(name, data, person.tenant_id)
            result = await self._work.apply(
                principal, case_id, command, where, card_revision=revision, update_channel=False
            )
        except InvalidAction:
            log.info("card action with invalid inputs on activity %s", turn.activity_id)
            return CardAnswer(message=text(lang, "unknown_action"))
        except AccessDenied as denied:
            if denied.decision.reason == CLOSED_REASON:
                # Someone of the team on an old card: the case is theirs, but closed.
                return CardAnswer(message=text(lang, "work.refused.closed"))
            return CardAnswer(message=text(lang, "case.no_access"))
        except CaseLookupError:
            return CardAnswer(message=text(lang, "case.no_access"))
        except WorkflowRefused as refused:
            return await self._refused(refused, case_id, lang)
        note = None
        if result.change is not None:
            actor = await self._organisation.names_of([person])
            note = text(
                self._channel_lang, f"work.done.{name}", name=typed(actor.get(person)) or "—"
            )
        return CardAnswer(card=await self.channel_card(result.view, note))

    async def _refused(self, refused: WorkflowRefused, case_id: str, lang: Language) -> CardAnswer:
        if refused.reason == "taken_by_other":
            # The one who lost the race sees the card as it is, and who has the case.
            view = await self._work.channel_view(case_id)
            holder = refused.details.get("assignee")
            names = await self._organisation.names_of([holder]) if holder else {}
            who = (typed(names.get(holder)) or "—") if holder else "—"
            note = text(self._channel_lang, "work.refused.taken_by_other", name=who)
            return CardAnswer(card=await self.channel_card(view, note))
        return CardAnswer(message=text(lang, f"work.refused.{refused.reason}", **refused.details))

    async def _look(
        self,
        turn: Turn,
        principal: Principal,
        name: str,
        case_id: str,
        where: Where,
        lang: Language,
    ) -> CardAnswer:
        """Something for the presser's eyes only: to their own chat, never to the channel."""
        # Their own chat's language may differ from the channel's; the presser's locale it is.
        if name == "consent_form":
            return await self._consent_form(turn, principal, case_id, lang)
        if name == "wishes_form":
            return await self._wishes_form(turn, principal, case_id, lang)
        if name == "show_personal":
            view = await self._cases.open_case_by_id(principal, case_id, "identifiable", where)
            private = personal_card(lang, view)
        elif name == "timeline":
            view, entries = await self._work.timeline(principal, case_id, where)
            people = {e.actor for e in entries if e.actor}
            names = await self._organisation.names_of(people)
            private = timeline_card(lang, view, entries, names)
        else:
            try:
                private = await self.preview(principal, case_id, where, lang)
            except AccessDenied:
                # Decided by the role held in the case's own team, never a role elsewhere.
                return CardAnswer(message=text(lang, "work.only_coordinator"))
        sent = await self._messenger.to_person(turn, private)
        if sent is None:
            return CardAnswer(message=text(lang, "work.chat_unreachable"))
        if self._views is not None and sent.activity_id:
            await self._views.shown(principal.person, case_id, name, sent)
        return CardAnswer(message=text(lang, "work.sent_to_chat"))

    async def _consent_form(
        self, turn: Turn, principal: Principal, case_id: str, lang: Language
    ) -> CardAnswer:
        """The form for consent given late, to the coordinator's own chat: it asks for the
        person's details, which have no place in the channel."""
        view = await self._work.channel_view(case_id)
        if not decide(principal, Action.RECORD_CONSENT, view.target):
            return CardAnswer(message=text(lang, "work.only_coordinator_consent"))
        if view.consent_basis != "anonymous":
            return CardAnswer(message=text(lang, "work.refused.not_anonymous"))
        sent = await self._messenger.to_person(
            turn, consent_form_card(lang, view, local_day(self._now()))
        )
        if sent is None:
            return CardAnswer(message=text(lang, "work.chat_unreachable"))
        return CardAnswer(message=text(lang, "work.consent_sent"))

    async def _wishes_form(
        self, turn: Turn, principal: Principal, case_id: str, lang: Language
    ) -> CardAnswer:
        """The form for the person's wishes, to the presser's own chat: what a person wants is
        theirs, not the channel's."""
        view = await self._work.channel_view(case_id)
        if not decide(principal, Action.ADD_CASE_NOTE, view.target):
            return CardAnswer(message=text(lang, "case.no_access"))
        sent = await self._messenger.to_person(turn, wishes_form_card(lang, view))
        if sent is None:
            return CardAnswer(message=text(lang, "work.chat_unreachable"))
        return CardAnswer(message=text(lang, "work.wishes_sent"))

    async def preview(
        self, principal: Principal, case_id: str, where: Where, lang: Language
    ) -> Card:
        """The free text, anonymised, with each replacement shown: for the coordinator."""
        view, free_text, name = await self._work.free_text(principal, case_id, where)
        return text_preview_of(lang, view, free_text, name)

    # --- forms in personal chat ---------------------------------------------------------------

    async def on_personal_submit(self, turn: Turn) -> bool:
        """The preview's "Del i kanalen" and the reporter's answer. True when it was one."""
        value = turn.value
        if value is None or value.get(ACTION_KEY) != WORK_KEY:
            return False
        lang = turn.lang
        person = turn.person
        command, case_id = value.get("command"), value.get("case")
        if person is None or not isinstance(case_id, str):
            await turn.send(text(lang, "unknown_action"))
            return True
        principal = await self._gate.principal(person)
        where = Where(conversation_id=turn.conversation_id)
        try:
            if command == "share_text":
                await self._share_text(turn, principal, case_id, value, where, lang)
            elif command == "answer_reporter":
                await self._answer(turn, principal, case_id, value, where, lang)
            elif command == "record_consent":
                await self._record_consent(turn, principal, case_id, value, where, lang)
            elif command == "record_wishes":
                await self._record_wishes(turn, principal, case_id, value, where, lang)
            else:
                await turn.send(text(lang, "unknown_action"))
        except InvalidAction:
            await turn.send(text(lang, "unknown_action"))
        except (CaseLookupError, AccessDenied):
            await turn.send(text(lang, "case.no_access"))
        except WorkflowRefused as refused:
            await turn.send(text(lang, f"work.refused.{refused.reason}", **refused.details))
        return True

    async def _share_text(
        self,
        turn: Turn,
        principal: Principal,
        case_id: str,
        value: dict[str, Any],
        where: Where,
        lang: Language,
    ) -> None:
        edited = _text(value.get("shared_text")).strip()
        # An edit may have put a name or number back: the text is checked again, and if
        # anything is replaced the coordinator sees it before it is shared.
        try:
            view, _, name = await self._work.free_text(principal, case_id, where)
        except AccessDenied:
            await turn.send(text(lang, "work.only_coordinator"))
            return
        result = anonymise(edited, [name] if name else [])
        if result.changed:
            replacements = [(r.original, r.placeholder) for r in result.replacements]
            await turn.send(text_preview_card(lang, view, result.text, replacements, again=True))
            return
        revision = value.get("rev")
        await self._work.apply(
            principal,
            case_id,
            ShareText(edited),
            where,
            card_revision=revision if isinstance(revision, int) else None,
        )
        await replace_pressed_card(
            turn,
            answered_card(
                lang,
                text(lang, "preview.title", number=view.number),
                text(lang, "preview.shared", number=view.number),
            ),
        )

    async def _record_consent(
        self,
        turn: Turn,
        principal: Principal,
        case_id: str,
        value: dict[str, Any],
        where: Where,
        lang: Language,
    ) -> None:
        today = local_day(self._now())
        try:
            given_on = date.fromisoformat(_text(value.get("given_on")))
        except ValueError:
            raise WorkflowRefused("no_date") from None
        birth_text = _text(value.get("birth")).strip()
        birth = parse_birth(birth_text, today) if birth_text else None
        if birth_text and birth is None:
            # The form stays as typed in the chat: they fix the one field and save again.
            await turn.send(text(lang, "consent.birth_unclear"))
            return
        command = RecordConsent(
            given_on=given_on,
            given_by=_text(value.get("given_by")),
            form=_text(value.get("form")),
            name=_text(value.get("name")),
            birth=birth,
            residence=_text(value.get("residence")),
        )
        result = await self._work.apply(principal, case_id, command, where)
        # The typed details leave the chat with the form.
        await replace_pressed_card(
            turn,
            answered_card(
                lang,
                text(lang, "consent.title", number=result.view.number),
                text(lang, "consent.saved", number=result.view.number),
            ),
        )

    async def _record_wishes(
        self,
        turn: Turn,
        principal: Principal,
        case_id: str,
        value: dict[str, Any],
        where: Where,
        lang: Language,
    ) -> None:
        wishes = _text(value.get("wishes"))
        view = await self._work.channel_view(case_id)
        cleaned = None
        if view.consent_basis == "anonymous":
            # An anonymous consultation keeps no identifier, in the wishes no more than elsewhere.
            result = anonymise(wishes, [])
            if result.changed:
                wishes, cleaned = result.text, text(lang, "wishes.cleaned")
        result_view = (await self._work.apply(principal, case_id, RecordWishes(wishes), where)).view
        saved = text(lang, "wishes.saved", number=result_view.number)
        # The typed words leave the chat with the form.
        await replace_pressed_card(
            turn,
            answered_card(
                lang,
                text(lang, "wishes.title", number=result_view.number),
                f"{cleaned}\n\n{saved}" if cleaned else saved,
            ),
        )

    async def _answer(
        self,
        turn: Turn,
        principal: Principal,
        case_id: str,
        value: dict[str, Any],
        where: Where,
        lang: Language,
    ) -> None:
        question = value.get("question")
        if not isinstance(question, str):
            raise InvalidAction("question")
        answer = _text(value.get("answer_text"))
        await self._work.apply(principal, case_id, ReporterAnswer(question, answer), where)
        await replace_pressed_card(
            turn,
            answered_card(
                lang, text(lang, "reporter.answer_label"), text(lang, "reporter.answer_thanks")
            ),
        )
