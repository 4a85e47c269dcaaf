"""Reminders as rows: scheduled idempotently by key, claimed when due by one instance at a time,
and marked sent, cancelled, unreachable or failed.

Claiming takes the due rows with `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL (instances skip
each other's rows instead of waiting) and leases them: a row whose instance died mid-send falls
due again when its lease runs out. SQLite has one writer, so one instance; the same code runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Table, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.access import Person
from domain.clock import utcnow
from domain.ids import new_id
from storage.db import insert_if_absent, insert_if_absent_statement
from storage.models import Reminder

LEASE = timedelta(minutes=5)


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
    conditions = [Reminder.state == "pending"]
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

    async def claim_due(self, now: datetime, limit: int = 50) -> list[DueReminder]:
        """Reminders due at `now` (late ones included, oldest first), leased to the caller."""
        # Two kinds of due row, each read as one range of ix_reminders_due (state, due_at), in
        # due_at order, stopping at `limit`: the waiting ones, and those claimed by an instance
        # that has not finished in time (it died, or hangs). Asked as one OR, every due row was
        # read and sorted at each claim (on PostgreSQL in full, FOR UPDATE keeping the sort from
        # stopping at the limit, and spilled to disk): 36 ms per 50 with 10,000 due, and a
        # sweep's claims grew with the square of the backlog (bench/sweep.py).
        waiting = (Reminder.state == "pending", Reminder.due_at <= now)
        expired = (
            Reminder.state == "claimed",
            Reminder.claimed_until <= now,
            Reminder.due_at <= now,
        )
        async with self._sessions() as session, session.begin():
            rows: list[DueReminder] = []
            for due in (expired, waiting):
                query = select(Reminder).where(*due).order_by(Reminder.due_at).limit(limit)
                if session.bind.dialect.name == "postgresql":
                    query = query.with_for_update(skip_locked=True)
                rows += [_due(r) for r in (await session.execute(query)).scalars()]
            rows = sorted(rows, key=lambda r: r.due_at)[:limit]
            if not rows:
                return []
            # One statement for the batch. The due conditions again: on SQLite another process
            # may have claimed a row since it was read; what it returns is what is ours.
            result = await session.execute(
                update(Reminder)
                .where(Reminder.id.in_([r.id for r in rows]), or_(and_(*waiting), and_(*expired)))
                .values(state="claimed", claimed_until=now + LEASE, attempts=Reminder.attempts + 1)
                .returning(Reminder.id)
                .execution_options(synchronize_session=False)
            )
            claimed = set(result.scalars())
            return [r for r in rows if r.id in claimed]

    async def sent(self, reminder_id: str, now: datetime) -> None:
        await self._set(reminder_id, state="sent", sent_at=now, claimed_until=None)

    async def cancelled(self, reminder_id: str, why: str) -> None:
        await self._set(reminder_id, state="cancelled", claimed_until=None, last_error=why[:200])

    async def unreachable(self, reminder_id: str, why: str) -> None:
        await self._set(reminder_id, state="unreachable", claimed_until=None, last_error=why[:200])

    async def retry(self, reminder_id: str, at: datetime, why: str) -> None:
        # Held as claimed until `at`: due_at stays the original time, which the card shows.
        await self._set(reminder_id, state="claimed", claimed_until=at, last_error=why[:200])

    async def failed(self, reminder_id: str, why: str) -> None:
        await self._set(reminder_id, state="failed", claimed_until=None, last_error=why[:200])

    async def _set(self, reminder_id: str, **values: Any) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(Reminder).where(Reminder.id == reminder_id).values(**values)
            )
