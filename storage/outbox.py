"""The outbox: what must be told after a change has committed (a channel post, a card update,
a status to the reporter). Rows are claimed with a lease, so several instances deliver each
once; a crashed instance's lease runs out and another takes the row over.

Teams has no idempotency key for a post: if an instance dies between Teams accepting a post and
the row being marked delivered, the post can be made twice. The window is one HTTP round trip;
everything else is exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, event, or_, select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from storage.models import OutboxMessage, utcnow

LEASE = timedelta(minutes=2)


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


class Outbox:
    def __init__(self, sessions: async_sessionmaker[Any]) -> None:
        self._sessions = sessions

    async def claim(self, now: datetime | None = None, limit: int = 20) -> list[OutboxItem]:
        """Rows due now, oldest first, each leased to this caller."""
        now = now or utcnow()
        due = [
            OutboxMessage.state == "pending",
            or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        ]
        async with self._sessions() as session, session.begin():
            query = (
                select(OutboxMessage).where(*due).order_by(OutboxMessage.created_at).limit(limit)
            )
            if session.bind.dialect.name == "postgresql":
                # Instances skip each other's rows instead of queueing behind them.
                query = query.with_for_update(skip_locked=True)
            # Plain values first: the UPDATE below also refreshes the loaded rows.
            rows = [
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
                for r in (await session.execute(query)).scalars()
            ]
            claimed = []
            for row in rows:
                result = await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == row.id, *due)
                    .values(claimed_until=now + LEASE, attempts=OutboxMessage.attempts + 1)
                )
                if cast(CursorResult[Any], result).rowcount == 1:
                    claimed.append(row)
            return claimed

    async def delivered(self, item_id: str, now: datetime | None = None) -> None:
        await self._set(
            item_id, state="delivered", delivered_at=now or utcnow(), claimed_until=None
        )

    async def retry(self, item_id: str, at: datetime, error: str) -> None:
        await self._set(item_id, next_attempt_at=at, claimed_until=None, last_error=error[:200])

    async def failed(self, item_id: str, error: str) -> None:
        await self._set(item_id, state="failed", claimed_until=None, last_error=error[:200])

    async def _set(self, item_id: str, **values: Any) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(OutboxMessage).where(OutboxMessage.id == item_id).values(**values)
            )

    async def add(
        self,
        kind: str,
        tenant_id: str,
        data: dict[str, Any] | None = None,
        case_id: str | None = None,
        team_id: str | None = None,
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
                    created_at=utcnow(),
                )
            )

    async def wake_team(self, team_id: str) -> None:
        """The team's channel became reachable: what waited for it is due now."""
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.team_id == team_id, OutboxMessage.state == "pending")
                .values(next_attempt_at=None)
            )
