"""Retention: a closed case keeps its personal data for a set number of months, then loses it.

The coded fields stay (they are what the half-yearly statistics count); the name, birth date,
address, free text and the reporter's phone are replaced by an encrypted empty value, and the
case gets a `personal_data_erased` event. Running it twice, or on two instances at once, erases
each case once.
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.clock import utcnow
from storage.cases import personal_context
from storage.crypto import FieldCipher
from storage.models import Case, CaseEvent, CaseNameDigest, OutboxMessage

log = logging.getLogger(__name__)

ERASED_EVENT = "personal_data_erased"
DEFAULT_RETENTION_MONTHS = 24


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the 31st becomes the month's
    last day)."""
    total = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


class Retention:
    def __init__(
        self,
        sessions: async_sessionmaker[Any],
        cipher: FieldCipher,
        months: int = DEFAULT_RETENTION_MONTHS,
        batch_size: int = 100,
    ) -> None:
        if months < 1:
            raise ValueError("the retention period is at least one month")
        self._sessions = sessions
        self._cipher = cipher
        self.months = months
        self._batch_size = batch_size

    async def erase_expired(self, now: datetime | None = None) -> int:
        """Erase the personal data of cases closed more than `months` ago. Returns how many."""
        now = now or utcnow()
        cutoff = months_before(now, self.months)
        erased = 0
        after = ""
        while True:
            async with self._sessions() as session:
                batch = (
                    await session.execute(
                        select(Case.id, Case.tenant_id, Case.closed_at)
                        .where(
                            Case.id > after,
                            Case.status == "closed",
                            Case.closed_at.is_not(None),
                            Case.closed_at < cutoff,
                            Case.personal_erased_at.is_(None),
                            # Not before the municipality's archive has the case.
                            Case.archived_at.is_not(None),
                        )
                        .order_by(Case.id)
                        .limit(self._batch_size)
                    )
                ).all()
            if not batch:
                break
            for case_id, tenant_id, closed_at in batch:
                if await self._erase_one(case_id, tenant_id, closed_at, cutoff, now):
                    erased += 1
            after = batch[-1][0]
        if erased:
            log.info("retention: personal data erased from %d closed cases", erased)
        return erased

    async def _erase_one(
        self, case_id: str, tenant_id: str, closed_at: datetime, cutoff: datetime, now: datetime
    ) -> bool:
        async with self._sessions() as session, session.begin():
            # A case reopened meanwhile, or erased by another instance, is left alone.
            return await erase_personal_data(
                session,
                self._cipher,
                case_id,
                tenant_id,
                now,
                {"retention_months": self.months, "closed_at": closed_at.isoformat()},
                Case.status == "closed",
                Case.closed_at < cutoff,
                Case.archived_at.is_not(None),
            )


async def erase_personal_data(
    session: AsyncSession,
    cipher: FieldCipher,
    case_id: str,
    tenant_id: str,
    now: datetime,
    why: dict[str, Any],
    *conditions: ColumnElement[bool],
) -> bool:
    """Erase the case's personal data in the caller's transaction, if it has any left and meets
    `conditions`; its `personal_data_erased` event says `why` (codes and dates only)."""
    result = await session.execute(
        update(Case)
        .where(Case.id == case_id, Case.personal_erased_at.is_(None), *conditions)
        .values(
            personal=cipher.encrypt({}, personal_context(case_id)),
            # The approved channel text is anonymised, but an anonymiser can miss something:
            # it goes with the rest.
            shared_text=None,
            personal_erased_at=now,
            updated_at=now,
        )
    )
    if cast(CursorResult[Any], result).rowcount != 1:
        return False
    # What people wrote in the chronology (notes, the reporter's answers), and the channel
    # guard's name digests.
    await session.execute(update(CaseEvent).where(CaseEvent.case_id == case_id).values(secret=None))
    await session.execute(delete(CaseNameDigest).where(CaseNameDigest.case_id == case_id))
    session.add(
        CaseEvent(
            case_id=case_id,
            tenant_id=tenant_id,
            kind=ERASED_EVENT,
            actor_tenant_id=None,
            actor_aad_object_id=None,
            data=why,
            at=now,
        )
    )
    # The channel card showed the approved text: it is redrawn without it.
    team_id = await session.scalar(select(Case.team_id).where(Case.id == case_id))
    session.add(
        OutboxMessage(
            tenant_id=tenant_id,
            case_id=case_id,
            team_id=team_id,
            kind="case_card_update",
            state="pending",
            data={},
            created_at=now,
        )
    )
    return True


@dataclass
class DailyRetention:
    """Runs the retention at most once a day from a loop that wakes up more often."""

    retention: Retention
    interval: timedelta = timedelta(days=1)
    last_run: datetime | None = None

    async def run_if_due(self, now: datetime | None = None) -> int | None:
        """How many cases were erased, or None when it is not yet time."""
        now = now or utcnow()
        if self.last_run is not None and now - self.last_run < self.interval:
            return None
        erased = await self.retention.erase_expired(now)
        self.last_run = now
        return erased
