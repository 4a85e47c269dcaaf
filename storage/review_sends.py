"""The monthly access review's bookkeeping: who is due one, and the claim that puts each
coordinator's review for a month on the outbox once, however many instances run the job."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from domain.access import Person, Role
from storage.db import insert_if_absent
from storage.models import AccessReviewSend, ConversationReferenceRow, Membership, OutboxMessage
from storage.references import StoredReference, reference_of

# The outbox kind of a coordinator's review (its row names the coordinator and the month).
ACCESS_REVIEW = "access_review"


async def coordinators_due(sessions: async_sessionmaker[Any], period: str) -> list[StoredReference]:
    """The personal chats of coordinators whose review for `period` is not yet claimed. One
    query: this runs every hour and is nearly always empty."""
    reference = ConversationReferenceRow
    coordinates = exists().where(
        Membership.tenant_id == reference.tenant_id,
        Membership.aad_object_id == reference.aad_object_id,
        Membership.role == Role.COORDINATOR.value,
    )
    claimed = exists().where(
        AccessReviewSend.tenant_id == reference.tenant_id,
        AccessReviewSend.aad_object_id == reference.aad_object_id,
        AccessReviewSend.period == period,
    )
    async with sessions() as session:
        rows = await session.execute(
            select(reference)
            .where(coordinates, ~claimed)
            .order_by(reference.tenant_id, reference.aad_object_id)
        )
        return [reference_of(row) for row in rows.scalars()]


async def queue_review(
    sessions: async_sessionmaker[Any], person: Person, period: str, now: datetime
) -> bool:
    """Claim the person's review for `period` and put it on the outbox, in one transaction.
    False when someone else has claimed it."""
    async with sessions() as session, session.begin():
        claimed = await insert_if_absent(
            session,
            AccessReviewSend,
            {
                "tenant_id": person.tenant_id,
                "aad_object_id": person.aad_object_id,
                "period": period,
                "sent_at": now,
            },
        )
        if claimed:
            session.add(
                OutboxMessage(
                    tenant_id=person.tenant_id,
                    kind=ACCESS_REVIEW,
                    state="pending",
                    data={"aad_object_id": person.aad_object_id, "period": period},
                    created_at=now,
                )
            )
        return claimed
