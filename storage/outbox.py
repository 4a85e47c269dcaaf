"""The outbox: what must be told after a change has committed (a channel post, a card update,
a status to the reporter, a reminder fallen due, the monthly access review). Rows are claimed
with a lease, so several instances deliver each once; a crashed instance's lease runs out and
another takes the row over.

Teams has no idempotency key for a post: if an instance dies between Teams accepting a post and
the row being marked delivered, the post can be made twice. The window is one HTTP round trip;
everything else is exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import BindParameter, Table, bindparam, event, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domain.clock import utcnow
from storage.models import Case, OutboxMessage

LEASE = timedelta(minutes=2)
_OUTBOX = cast(Table, OutboxMessage.__table__)


class _Written:
    rows = 0


@event.listens_for(OutboxMessage, "after_insert")
def _row_written(_mapper: Any, _connection: Any, _target: Any) -> None:
    _Written.rows += 1


def rows_written() -> int:
    """How many outbox rows this process has added: a turn that added none has nothing for the
    delivery to look for (it would cost a query per turn to ask)."""
    return _Written.rows


@dataclass(frozen=True)
class OutboxItem:
    id: str
    kind: str
    tenant_id: str
    team_id: str | None
    case_id: str | None
    data: dict[str, Any]
    attempts: int
    created_at: datetime


@dataclass(frozen=True)
class OutboxEntry:
    """A row as an operator sees it: ids, codes and times, never what a message carries."""

    id: str
    kind: str
    state: str
    tenant_id: str
    team_id: str | None
    case_id: str | None
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime | None
    # The case's number (TE-2026-0042), when the row is about a case: what an operator and a
    # coordinator know it by.
    case_number: str | None = None
    # For a reminder, which kind it is (gathering_post, assessment, …).
    reminder_kind: str | None = None

    @property
    def what(self) -> str:
        """The kind as an operator reads it: a reminder says which."""
        return f"{self.kind}:{self.reminder_kind}" if self.reminder_kind else self.kind


@dataclass(frozen=True)
class OutboxHealth:
    pending: int
    overdue: int
    failed: int


# A row still undelivered this long after it fell due counts as late in /readyz.
LATE_AFTER = timedelta(minutes=5)


def _entry(row: OutboxMessage, case_number: str | None = None) -> OutboxEntry:
    return OutboxEntry(
        row.id,
        row.kind,
        row.state,
        row.tenant_id,
        row.team_id,
        row.case_id,
        row.attempts,
        row.last_error,
        row.created_at,
        row.next_attempt_at,
        case_number,
        (row.data or {}).get("reminder_kind"),
    )


def _claimable() -> tuple[Any, ...]:
    now: BindParameter[Any] = bindparam("now")
    return (
        OutboxMessage.state == "pending",
        or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
    )


# The delivery's statements, built once: building a statement and its cache key costs more than
# the small query itself (issue #9).
_DUE = (
    select(
        OutboxMessage.id,
        OutboxMessage.kind,
        OutboxMessage.tenant_id,
        OutboxMessage.team_id,
        OutboxMessage.case_id,
        OutboxMessage.data,
        OutboxMessage.attempts,
        OutboxMessage.created_at,
    )
    .where(*_claimable())
    .order_by(OutboxMessage.created_at)
    .limit(bindparam("limit"))
)
_DUE_FOR = {
    "sqlite": _DUE,
    # Instances skip each other's rows instead of queueing behind them.
    "postgresql": _DUE.with_for_update(skip_locked=True),
}
# The due conditions again: on SQLite another process may have claimed a row since it was read;
# the rows it returns are what is ours.
_LEASE = (
    update(_OUTBOX)
    .where(OutboxMessage.id.in_(bindparam("ids", expanding=True)), *_claimable())
    .values(claimed_until=bindparam("until"), attempts=OutboxMessage.attempts + 1)
    .returning(OutboxMessage.id)
)
_BY_ID = OutboxMessage.id == bindparam("item_id")
_DELIVERED = (
    update(_OUTBOX)
    .where(_BY_ID)
    .values(state="delivered", delivered_at=bindparam("at"), claimed_until=None)
)
_RETRY = (
    update(_OUTBOX)
    .where(_BY_ID)
    .values(next_attempt_at=bindparam("at"), claimed_until=None, last_error=bindparam("error"))
)
_FAILED = (
    update(_OUTBOX)
    .where(_BY_ID)
    .values(state="failed", claimed_until=None, last_error=bindparam("error"))
)
_INSERT = insert(_OUTBOX)


async def add_in(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Add outbox rows (each with the same columns) in the caller's transaction, in one
    statement; counted by `rows_written` like rows added through the ORM."""
    if rows:
        await session.execute(_INSERT, rows)
        _Written.rows += len(rows)


class Outbox:
    def __init__(self, sessions: async_sessionmaker[Any]) -> None:
        self._sessions = sessions
        self._engine: AsyncEngine = sessions.kw["bind"]

    async def claim(self, now: datetime | None = None, limit: int = 20) -> list[OutboxItem]:
        """Rows due now, oldest first, each leased to this caller."""
        now = now or utcnow()
        async with self._engine.begin() as connection:
            rows = (
                await connection.execute(
                    _DUE_FOR[connection.dialect.name], {"now": now, "limit": limit}
                )
            ).all()
            if not rows:
                return []
            leased = {
                item_id
                for (item_id,) in await connection.execute(
                    _LEASE, {"ids": [r.id for r in rows], "now": now, "until": now + LEASE}
                )
            }
            return [
                OutboxItem(
                    r.id,
                    r.kind,
                    r.tenant_id,
                    r.team_id,
                    r.case_id,
                    dict(r.data or {}),
                    r.attempts + 1,
                    r.created_at,
                )
                for r in rows
                if r.id in leased
            ]

    async def delivered(self, item_id: str, now: datetime | None = None) -> None:
        await self._set(_DELIVERED, item_id=item_id, at=now or utcnow())

    async def retry(self, item_id: str, at: datetime, error: str) -> None:
        await self._set(_RETRY, item_id=item_id, at=at, error=error[:200])

    async def note(self, item_id: str, data: dict[str, Any]) -> None:
        """Merge `data` into the row's (ids only: whom it has reached so far)."""
        async with self._sessions() as session, session.begin():
            row = await session.get(OutboxMessage, item_id)
            if row is not None:
                row.data = {**(row.data or {}), **data}

    async def failed(self, item_id: str, error: str) -> None:
        await self._set(_FAILED, item_id=item_id, error=error[:200])

    async def _set(self, statement: Any, **values: Any) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(statement, values)

    async def add(
        self,
        kind: str,
        tenant_id: str,
        data: dict[str, Any] | None = None,
        case_id: str | None = None,
        team_id: str | None = None,
        now: datetime | None = None,
    ) -> None:
        async with self._sessions() as session, session.begin():
            session.add(
                OutboxMessage(
                    tenant_id=tenant_id,
                    case_id=case_id,
                    team_id=team_id,
                    kind=kind,
                    state="pending",
                    data=data or {},
                    created_at=now or utcnow(),
                )
            )

    async def item(self, item_id: str) -> OutboxEntry | None:
        """One row as `tryggest outbox` and the «Prøv igjen» button see it."""
        async with self._sessions() as session:
            row = await session.get(OutboxMessage, item_id)
        return _entry(row) if row is not None else None

    async def entries(self, states: tuple[str, ...] = ("pending", "failed")) -> list[OutboxEntry]:
        """The rows in `states`, oldest first."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(OutboxMessage, Case.number)
                .outerjoin(Case, Case.id == OutboxMessage.case_id)
                .where(OutboxMessage.state.in_(states))
                .order_by(OutboxMessage.created_at)
            )
            return [_entry(row, number) for row, number in rows.all()]

    async def put_back(self, item_id: str, now: datetime | None = None) -> bool:
        """A failed row on the queue again, due now, with a deadline that starts again (its
        written time is now). False when it is not failed (delivered, or put back already)."""
        now = now or utcnow()
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == item_id, OutboxMessage.state == "failed")
                .values(
                    state="pending",
                    attempts=0,
                    next_attempt_at=None,
                    claimed_until=None,
                    created_at=now,
                )
            )
            return bool(getattr(result, "rowcount", 0))

    async def health(self, now: datetime | None = None) -> OutboxHealth:
        """How many rows wait, how many are late (due five minutes ago or more and still not
        delivered: the delivery is behind, or Teams keeps failing), how many failed for good."""
        now = now or utcnow()
        late = now - LATE_AFTER
        due_at = func.coalesce(OutboxMessage.next_attempt_at, OutboxMessage.created_at)
        async with self._sessions() as session:
            pending, overdue, failed = (
                await session.execute(
                    select(
                        func.count().filter(OutboxMessage.state == "pending"),
                        func.count().filter(OutboxMessage.state == "pending", due_at <= late),
                        func.count().filter(OutboxMessage.state == "failed"),
                    )
                )
            ).one()
        return OutboxHealth(int(pending), int(overdue), int(failed))

    async def wake_team(self, team_id: str) -> None:
        """The team's channel became reachable: what waited for it is due now."""
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.team_id == team_id, OutboxMessage.state == "pending")
                .values(next_attempt_at=None)
            )
