"""The team works a case: each command through the gate, the workflow rules, and one
transaction that writes the case, its chronology and what must be told (the outbox).

Exactly once: a card carries the case's revision it was drawn from, and a press becomes an
event with a key made of the case, that revision, the person and the command. The same press
delivered twice finds its key taken and changes nothing. Two people pressing "Jeg tar saken" at
once race on one conditional UPDATE: one gets the case, the other is told who did.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from domain.access import Action, Decision, Person, Principal, decide
from domain.casework import (
    ACTION_OF,
    Assign,
    CaseState,
    Change,
    Command,
    ReporterAnswer,
    WorkflowRefused,
    apply,
)
from domain.clock import utcnow
from domain.ids import new_id
from domain.views import CaseView, TimelineEntry
from storage.cases import (
    CaseNotFound,
    assignee_of,
    case_target,
    case_view,
    load_case,
    personal_context,
    shared_text_context,
)
from storage.casework_reminders import after_change
from storage.crypto import FieldCipher
from storage.gate import AccessDenied, AccessGate, Where
from storage.models import Case, CaseEvent, Municipality, OutboxMessage
from storage.name_digests import NameDigests


class _Lost(Exception):
    """The conditional UPDATE found the case changed by someone else."""


# How often a change is tried again when another change to the same case came first.
_ATTEMPTS = 4


def event_secret_context(event_id: str) -> str:
    return "case_events.secret:" + event_id


def timeline_entries(events: Iterable[CaseEvent], cipher: FieldCipher) -> list[TimelineEntry]:
    """A case's events as its chronology, with what people wrote in them decrypted."""
    return [
        TimelineEntry(
            id=e.id,
            at=e.at,
            kind=e.kind,
            actor=(
                Person(e.actor_tenant_id, e.actor_aad_object_id)
                if e.actor_tenant_id and e.actor_aad_object_id
                else None
            ),
            data=dict(e.data or {}),
            text=(
                cipher.decrypt(e.secret, event_secret_context(e.id))
                if e.secret is not None
                else None
            ),
        )
        for e in events
    ]


@dataclass(frozen=True)
class WorkResult:
    view: CaseView
    change: Change | None  # None when nothing changed (a repeated press)
    event_id: str | None = None


def _state(case: Case) -> CaseState:
    return CaseState(
        status=case.status,
        assignee=assignee_of(case),
        classification=case.classification,
        risk_level=case.risk_level,
        risk_answers=tuple(case.risk_answers or ()),
        position=case.position,
        measures=tuple(case.measures or ()),
        follow_up_on=case.follow_up_on,
        outcome=case.outcome,
        has_shared_text=case.shared_text is not None,
        archived=case.archived_at is not None,
        consent_basis=case.consent_basis,
        contact_channel=case.contact_channel,
    )


def idempotency_key(case_id: str, revision: int, actor: Person, command: Command) -> str:
    payload = json.dumps(
        [
            case_id,
            revision,
            actor.tenant_id,
            actor.aad_object_id,
            type(command).__name__,
            asdict(command),
        ],
        default=str,
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


class CaseWork:
    def __init__(
        self,
        sessions: async_sessionmaker[Any],
        cipher: FieldCipher,
        gate: AccessGate,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._cipher = cipher
        self._gate = gate
        self._now = now
        self._name_digests = NameDigests(sessions, cipher)

    async def apply(
        self,
        principal: Principal,
        case_id: str,
        command: Command,
        where: Where,
        card_revision: int | None = None,
        now: datetime | None = None,
        update_channel: bool = True,
    ) -> WorkResult:
        """Carry out `command` on the case as `principal`.

        Raises CaseNotFound, AccessDenied or WorkflowRefused. `card_revision` is the revision the
        pressed card showed (None for a command that did not come from a card);
        `update_channel` False when the caller answers the channel card itself.
        """
        now = now or self._now()
        for _ in range(_ATTEMPTS):
            case, municipality = await self._load(case_id)
            await self._allow(principal, case, command, where)
            change = apply(_state(case), command, principal.person, now)
            if change.personal is not None and case.personal_erased_at is not None:
                raise WorkflowRefused("erased")
            if isinstance(command, ReporterAnswer):
                # Only a question the team asked on this very case: no side door for
                # unasked text. A second tap on the same answer changes nothing.
                if not await self.was_asked(case.id, command.question_event_id):
                    raise WorkflowRefused("not_asked")
                if await self.is_answered(case.id, command.question_event_id):
                    change.unchanged = True
            if change.unchanged:
                return WorkResult(
                    case_view(case, municipality, "anonymised", None, self._cipher), None
                )
            key = None
            if card_revision is not None:
                key = idempotency_key(case.id, card_revision, principal.person, command)
            written = await self._write(case, change, principal.person, key, now, update_channel)
            if written == "duplicate":
                case, municipality = await self._load(case_id)
                return WorkResult(
                    case_view(case, municipality, "anonymised", None, self._cipher), None
                )
            if written == "conflict":
                continue  # someone else changed the case meanwhile: decide again on what is now
            case, municipality = await self._load(case_id)
            view = case_view(case, municipality, "anonymised", None, self._cipher)
            return WorkResult(view, change, written)
        raise WorkflowRefused("busy")

    async def _load(self, case_id: str) -> tuple[Case, Municipality]:
        async with self._sessions() as session:
            return await load_case(session, case_id)

    async def _allow(
        self, principal: Principal, case: Case, command: Command, where: Where
    ) -> None:
        target = case_target(case)
        where = Where(where.conversation_id, case.number)
        action = ACTION_OF[type(command)]
        if action is None:  # the reporter answering the team's question
            assert isinstance(command, ReporterAnswer)
            own = principal.tenant_allowed and principal.person == Person(
                case.reporter_tenant_id, case.reporter_aad_object_id
            )
            if not own:
                decision = Decision(False, "only the case's reporter answers its questions")
                await self._gate.record(
                    principal.person, "case.reporter_answer", target, decision, where
                )
                raise AccessDenied(decision)
            return
        await self._gate.require(
            principal, action, target, where, {"command": type(command).__name__}
        )
        if isinstance(command, Assign):
            # Only to someone who works this case's municipality.
            assignee = await self._gate.principal(command.to)
            if not decide(assignee, Action.ASSIGN_CASE, target):
                raise WorkflowRefused("assignee_not_in_team")

    async def _write(
        self,
        case: Case,
        change: Change,
        actor: Person,
        key: str | None,
        now: datetime,
        update_channel: bool,
    ) -> str:
        """The event id, or "duplicate" (this press was taken before) or "conflict"."""
        event_id = new_id()
        fields = dict(change.fields)
        if change.event == "text_shared" and change.secret is not None:
            fields["shared_text"] = self._cipher.encrypt(
                change.secret, shared_text_context(case.id)
            )
        if change.personal is not None:
            context = personal_context(case.id)
            personal = self._cipher.decrypt(case.personal, context) or {}
            fields["personal"] = self._cipher.encrypt({**personal, **change.personal}, context)
        condition = [Case.id == case.id, Case.revision == case.revision]
        if change.event == "taken":
            # The race that matters: whoever's UPDATE finds no assignee gets the case.
            condition = [Case.id == case.id, Case.assignee_aad_object_id.is_(None)]
        try:
            async with self._sessions() as session, session.begin():
                session.add(
                    CaseEvent(
                        id=event_id,
                        case_id=case.id,
                        tenant_id=case.tenant_id,
                        kind=change.event,
                        actor_tenant_id=actor.tenant_id,
                        actor_aad_object_id=actor.aad_object_id,
                        data=change.data,
                        secret=(
                            self._cipher.encrypt(change.secret, event_secret_context(event_id))
                            if change.secret is not None
                            else None
                        ),
                        idempotency_key=key,
                        at=now,
                    )
                )
                await session.flush()
                result = await session.execute(
                    update(Case)
                    .where(*condition)
                    .values(**fields, revision=Case.revision + 1, updated_at=now)
                )
                if cast(CursorResult[Any], result).rowcount != 1:
                    raise _Lost  # rolls the event back with it
                await after_change(session, case.id, change.event)
                if change.personal is not None and change.personal.get("name"):
                    # The channel guard now knows this case's person by name.
                    await self._name_digests.record(
                        session, case.id, case.team_id, change.personal["name"]
                    )
                for kind, data in self._tell(case, change, event_id, update_channel):
                    session.add(
                        OutboxMessage(
                            tenant_id=case.tenant_id,
                            municipality_id=case.municipality_id,
                            team_id=case.team_id,
                            case_id=case.id,
                            kind=kind,
                            state="pending",
                            data=data,
                            created_at=now,
                        )
                    )
        except _Lost:
            if change.event == "taken":
                fresh, _ = await self._load(case.id)
                if assignee_of(fresh) == actor:
                    return "duplicate"
                raise WorkflowRefused("taken_by_other", assignee=assignee_of(fresh)) from None
            return "conflict"
        except IntegrityError:
            # Only this press's key taken counts as a repeat: any other refusal lost the change.
            if key is None or not await self._pressed_before(case.id, key):
                raise
            return "duplicate"
        return event_id

    async def _pressed_before(self, case_id: str, key: str) -> bool:
        async with self._sessions() as session:
            found = await session.scalar(
                select(CaseEvent.id).where(
                    CaseEvent.case_id == case_id, CaseEvent.idempotency_key == key
                )
            )
        return found is not None

    @staticmethod
    def _tell(
        case: Case, change: Change, event_id: str, update_channel: bool
    ) -> list[tuple[str, dict[str, Any]]]:
        """The outbox rows a change makes: ids and codes only."""
        rows: list[tuple[str, dict[str, Any]]] = []
        if update_channel:
            rows.append(("case_card_update", {}))
        if change.tell_reporter and case.contact_channel == "teams":
            # An enquiry was registered by the team itself: nobody waits for its status.
            rows.append(("reporter_status", {"status": change.tell_reporter}))
        if change.event == "reporter_asked":
            rows.append(("reporter_question", {"event": event_id}))
        return rows

    # --- reading the chronology ------------------------------------------------------------

    async def timeline(
        self, principal: Principal, case_id: str, where: Where
    ) -> tuple[CaseView, list[TimelineEntry]]:
        """The case's chronology with what people wrote in it: an identifiable read, logged."""
        case, municipality = await self._load(case_id)
        await self._gate.require(
            principal,
            Action.VIEW_CASE_IDENTIFIABLE,
            case_target(case),
            Where(where.conversation_id, case.number),
            {"view": "timeline"},
        )
        async with self._sessions() as session:
            events = (
                await session.execute(
                    select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.at)
                )
            ).scalars()
            entries = timeline_entries(events, self._cipher)
        return case_view(case, municipality, "anonymised", None, self._cipher), entries

    # --- what the bot itself reads to tell people (system reads, no person) ------------------

    async def channel_view(self, case_id: str) -> CaseView:
        """The anonymised case for its channel card. No identifiable field is in it."""
        case, municipality = await self._load(case_id)
        return case_view(case, municipality, "anonymised", None, self._cipher)

    async def question_for_reporter(self, case_id: str, event_id: str) -> tuple[Person, str, str]:
        """(reporter, case number, question) for a 'Spør melder' question to deliver."""
        case, _ = await self._load(case_id)
        async with self._sessions() as session:
            event = await session.get(CaseEvent, event_id)
        if event is None or event.case_id != case_id or event.secret is None:
            raise CaseNotFound(event_id)
        question = self._cipher.decrypt(event.secret, event_secret_context(event.id))
        reporter = Person(case.reporter_tenant_id, case.reporter_aad_object_id)
        return reporter, case.number, question

    async def reporter_of(self, case_id: str) -> tuple[Person, str]:
        case, _ = await self._load(case_id)
        return Person(case.reporter_tenant_id, case.reporter_aad_object_id), case.number

    async def free_text(
        self, principal: Principal, case_id: str, where: Where
    ) -> tuple[CaseView, str, str | None]:
        """(case, what the reporter wrote, the person's name) for the coordinator's preview of
        the text for the channel: only the coordinator of the case's own team, an identifiable
        read, logged."""
        case, municipality = await self._load(case_id)
        target = case_target(case)
        decision = decide(principal, Action.SHARE_CASE_TEXT, target)
        if not decision:
            await self._gate.record(
                principal.person,
                Action.SHARE_CASE_TEXT,
                target,
                decision,
                Where(where.conversation_id, case.number),
            )
            raise AccessDenied(decision)
        await self._gate.require(
            principal,
            Action.VIEW_CASE_IDENTIFIABLE,
            case_target(case),
            Where(where.conversation_id, case.number),
            {"view": "text_preview"},
        )
        personal = self._cipher.decrypt(case.personal, personal_context(case.id))
        view = case_view(case, municipality, "identifiable", personal, self._cipher)
        return view, str(personal.get("what_happened") or ""), personal.get("name")

    async def was_asked(self, case_id: str, question_event_id: str) -> bool:
        async with self._sessions() as session:
            found = await session.scalar(
                select(CaseEvent.id).where(
                    CaseEvent.id == question_event_id,
                    CaseEvent.case_id == case_id,
                    CaseEvent.kind == "reporter_asked",
                )
            )
        return found is not None

    async def is_answered(self, case_id: str, question_event_id: str) -> bool:
        async with self._sessions() as session:
            events = (
                await session.execute(
                    select(CaseEvent.data).where(
                        CaseEvent.case_id == case_id, CaseEvent.kind == "reporter_answered"
                    )
                )
            ).scalars()
            return any((d or {}).get("question") == question_event_id for d in events)
