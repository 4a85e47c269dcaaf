"""Reminders as rows: scheduled idempotently by key, put on the outbox when due (one row each,
in the transaction that marks the reminder queued), and marked sent, cancelled, unreachable or
failed as its delivery ends.

Queuing takes the due rows with `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL (instances skip
each other's rows instead of waiting). SQLite has one writer, so one instance; the same code
runs. From the outbox on, a reminder is claimed and retried as every other message is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.access import Person
from domain.clock import utcnow
from domain.ids import new_id
from storage.db import insert_if_absent, insert_if_absent_statement
from storage.models import Reminder
from storage.outbox import add_in

# The outbox kind of a reminder's message (its row says which reminder).
REMINDER = "reminder"
# Reminders queued per statement.
QUEUE_BATCH = 200


@dataclass(frozen=True)
class ReminderSpec:
    """A reminder to schedule. `key` names it: scheduling the same key again does nothing."""

    key: str
    tenant_id: str
    kind: str
    due_at: datetime
    person: Person | None = None
    team_id: str | None = None
    case_id: str | None = None
    gathering_id: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DueReminder:
    id: str
    key: str
    tenant_id: str
    kind: str
    due_at: datetime
    person: Person | None
    team_id: str | None
    case_id: str | None
    gathering_id: str | None
    payload: dict[str, Any]
    attempts: int


def _due(row: Reminder) -> DueReminder:
    person = None
    if row.recipient_tenant_id and row.recipient_aad_object_id:
        person = Person(row.recipient_tenant_id, row.recipient_aad_object_id)
    return DueReminder(
        row.id,
        row.key,
        row.tenant_id,
        row.kind,
        row.due_at,
        person,
        row.team_id,
        row.case_id,
        row.gathering_id,
        dict(row.payload or {}),
        row.attempts + 1,
    )


def _row(spec: ReminderSpec, created_at: datetime) -> dict[str, Any]:
    return {
        "id": new_id(),
        "key": spec.key,
        "tenant_id": spec.tenant_id,
        "kind": spec.kind,
        "due_at": spec.due_at,
        "recipient_tenant_id": spec.person.tenant_id if spec.person else None,
        "recipient_aad_object_id": spec.person.aad_object_id if spec.person else None,
        "team_id": spec.team_id,
        "case_id": spec.case_id,
        "gathering_id": spec.gathering_id,
        "payload": spec.payload,
        "state": "pending",
        "attempts": 0,
        "created_at": created_at,
    }


async def schedule(session: AsyncSession, spec: ReminderSpec) -> bool:
    """Add the reminder inside the caller's transaction. False when its key exists already."""
    return await insert_if_absent(session, Reminder, _row(spec, utcnow()))


async def schedule_all(session: AsyncSession, specs: list[ReminderSpec]) -> None:
    """`schedule` for several reminders in one statement (those whose key exists are left)."""
    if not specs:
        return
    created_at = utcnow()
    statement = insert_if_absent_statement(
        session.get_bind().dialect.name, cast(Table, Reminder.__table__)
    )
    await session.execute(statement, [_row(spec, created_at) for spec in specs])


async def cancel_pending(
    session: AsyncSession,
    *,
    case_id: str | None = None,
    gathering_id: str | None = None,
    kinds: tuple[str, ...] = (),
    key_prefix: str | None = None,
) -> int:
    """Cancel what is still to come for a case or a gathering (of these kinds), in the
    caller's transaction: a closed case, a case assessed, a gathering moved."""
    # Queued too: one waiting on the outbox (Teams said "not now") is then not sent.
    conditions: list[ColumnElement[bool]] = [Reminder.state.in_(("pending", "queued"))]
    if case_id is not None:
        conditions.append(Reminder.case_id == case_id)
    if gathering_id is not None:
        conditions.append(Reminder.gathering_id == gathering_id)
    if kinds:
        conditions.append(Reminder.kind.in_(kinds))
    if key_prefix is not None:
        conditions.append(Reminder.key.startswith(key_prefix, autoescape=True))
    if len(conditions) == 1:
        raise ValueError("cancel_pending needs a case, a gathering or a key prefix")
    result = await session.execute(update(Reminder).where(*conditions).values(state="cancelled"))
    return int(cast(CursorResult[Any], result).rowcount or 0)


class Reminders:
    def __init__(self, sessions: async_sessionmaker[Any]) -> None:
        self._sessions = sessions

    async def schedule(self, spec: ReminderSpec) -> bool:
        async with self._sessions() as session, session.begin():
            return await schedule(session, spec)

    async def cancel_pending(self, **conditions: Any) -> int:
        async with self._sessions() as session, session.begin():
            return await cancel_pending(session, **conditions)

    async def revive_for_team(self, team_id: str, kinds: tuple[str, ...]) -> int:
        """Posts to a team's channel given up as unreachable (the bot had been removed) are due
        again: the bot is back in the team."""
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                update(Reminder)
                .where(
                    Reminder.team_id == team_id,
                    Reminder.state == "unreachable",
                    Reminder.kind.in_(kinds),
                    Reminder.recipient_aad_object_id.is_(None),
                )
                .values(state="pending", claimed_until=None)
            )
            return int(cast(CursorResult[Any], result).rowcount or 0)

    async def queue_due(self, now: datetime) -> int:
        """Put every reminder due at `now` (late ones included, oldest first) on the outbox, in
        batches; how many."""
        queued = 0
        while batch := await self._queue_batch(now):
            queued += batch
            if batch < QUEUE_BATCH:
                break
        return queued

    async def _queue_batch(self, now: datetime) -> int:
        due = (Reminder.state == "pending", Reminder.due_at <= now)
        async with self._sessions() as session, session.begin():
            # One range of ix_reminders_due (state, due_at), read in order up to the batch.
            query = select(Reminder).where(*due).order_by(Reminder.due_at).limit(QUEUE_BATCH)
            if session.bind.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = list((await session.execute(query)).scalars())
            if not rows:
                return 0
            # The due conditions again: on SQLite another process may have queued a row since it
            # was read; what the update returns is what is ours.
            result = await session.execute(
                update(Reminder)
                .where(Reminder.id.in_([r.id for r in rows]), *due)
                .values(state="queued", claimed_until=None, attempts=Reminder.attempts + 1)
                .returning(Reminder.id)
                .execution_options(synchronize_session=False)
            )
            ours = set(result.scalars())
            await add_in(
                session,
                [
                    {
                        "id": new_id(),
                        "tenant_id": row.tenant_id,
                        "case_id": row.case_id,
                        "kind": REMINDER,
                        "state": "pending",
                        "attempts": 0,
                        "data": {"reminder_id": row.id, "reminder_kind": row.kind},
                        "created_at": now,
                    }
                    for row in rows
                    if row.id in ours
                ],
            )
            return len(ours)

    async def by_id(self, reminder_id: str) -> DueReminder | None:
        async with self._sessions() as session:
            row = await session.get(Reminder, reminder_id)
            return _due(row) if row is not None else None

    async def owed(self, reminder_id: str) -> DueReminder | None:
        """The reminder, while its outbox row is to send it: queued, or given up and put back on
        the queue by an operator (`tryggest outbox retry`). None once it was sent, cancelled,
        or is waiting again to be queued."""
        async with self._sessions() as session:
            row = await session.get(Reminder, reminder_id)
            owed = row is not None and row.state in ("queued", "failed", "unreachable")
            return _due(row) if owed else None

    async def sent(self, reminder_id: str, now: datetime) -> None:
        await self._set(reminder_id, state="sent", sent_at=now, claimed_until=None)

    async def cancelled(self, reminder_id: str, why: str) -> None:
        await self._set(reminder_id, state="cancelled", claimed_until=None, last_error=why[:200])

    async def unreachable(self, reminder_id: str, why: str) -> None:
        await self._set(reminder_id, state="unreachable", claimed_until=None, last_error=why[:200])

    async def failed(self, reminder_id: str, why: str) -> bool:
        """Given up while queued; False when it had ended otherwise (found unreachable, or
        failed before and put back)."""
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                update(Reminder)
                .where(Reminder.id == reminder_id, Reminder.state == "queued")
                .values(state="failed", claimed_until=None, last_error=why[:200])
            )
            return bool(cast(CursorResult[Any], result).rowcount)

    async def _set(self, reminder_id: str, **values: Any) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(Reminder).where(Reminder.id == reminder_id).values(**values)
            )
