"""The outbox on both databases: each item is claimed by one deliverer at a time, a lease that
runs out lets another take it over, and the delivery marks items delivered, retried or failed."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from scheduler.outbox import BATCH, GiveUp, NotYet, OutboxDelivery, PartlyDelivered, backoff
from scheduler.sender import SendRefused
from storage.models import OutboxMessage
from storage.outbox import LEASE, Outbox, OutboxItem
from tests.support import TENANT

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


async def rows(sessions: Any) -> list[OutboxMessage]:
    async with sessions() as session:
        return list(
            (
                await session.execute(select(OutboxMessage).order_by(OutboxMessage.created_at))
            ).scalars()
        )


async def test_two_claimers_at_once_never_get_the_same_item(sessions):
    outbox = Outbox(sessions)
    for i in range(30):
        await outbox.add("case_card_update", TENANT, {"n": i})

    first, second = await asyncio.gather(outbox.claim(NOW, limit=30), outbox.claim(NOW, limit=30))

    ids = [item.id for item in first + second]
    assert len(ids) == 30 and len(set(ids)) == 30


async def test_a_claimed_item_is_not_claimed_again_until_its_lease_runs_out(sessions):
    outbox = Outbox(sessions)
    await outbox.add("case_card_update", TENANT)
    [item] = await outbox.claim(NOW)

    assert await outbox.claim(NOW + LEASE - timedelta(seconds=1)) == []
    [again] = await outbox.claim(NOW + LEASE + timedelta(seconds=1))
    assert again.id == item.id and again.attempts == 2


async def test_an_item_to_retry_waits_until_its_time(sessions):
    outbox = Outbox(sessions)
    await outbox.add("case_card_update", TENANT)
    [item] = await outbox.claim(NOW)
    await outbox.retry(item.id, NOW + timedelta(minutes=5), "429")

    assert await outbox.claim(NOW + timedelta(minutes=4)) == []
    assert [i.id for i in await outbox.claim(NOW + timedelta(minutes=5))] == [item.id]


class Deliverer:
    """bot/delivery.py's part, played: each item meets `outcome` (None: delivered), and who
    would be told of a failed one is recorded."""

    def __init__(self, outcome: BaseException | None) -> None:
        self.outcome = outcome
        self.seen: list[str] = []
        self.told: list[tuple[str, str]] = []

    async def __call__(self, item: OutboxItem) -> None:
        self.seen.append(item.kind)
        if self.outcome is not None:
            raise self.outcome

    async def tell_failed(self, item: OutboxItem, why: str) -> None:
        self.told.append((item.kind, why))


def delivery_that(outcome: BaseException | None, sessions: Any) -> tuple[OutboxDelivery, Deliverer]:
    deliverer = Deliverer(outcome)
    return OutboxDelivery(Outbox(sessions), deliverer, now=lambda: NOW), deliverer


async def test_a_delivered_item_is_marked_and_not_delivered_again(sessions):
    await Outbox(sessions).add("case_reported", TENANT)
    delivery, deliverer = delivery_that(None, sessions)

    assert await delivery.run_once() == 1
    assert await delivery.run_once() == 0
    [row] = await rows(sessions)
    assert (row.state, row.delivered_at, deliverer.seen) == ("delivered", NOW, ["case_reported"])


async def test_throttling_by_teams_is_retried_later_with_backoff(sessions):
    await Outbox(sessions).add("case_reported", TENANT)
    delivery, _ = delivery_that(SendRefused(429), sessions)

    await delivery.run_once()

    [row] = await rows(sessions)
    assert row.state == "pending" and row.last_error == "send refused: 429"
    assert NOW + timedelta(seconds=7) <= row.next_attempt_at <= NOW + timedelta(seconds=15)


@pytest.mark.parametrize("status", [408, 412, 429, 500, 502, 503, 504])
async def test_teams_saying_not_now_is_tried_again_later(sessions, status):
    await Outbox(sessions).add("case_reported", TENANT)
    delivery, deliverer = delivery_that(SendRefused(status), sessions)

    await delivery.run_once()

    [row] = await rows(sessions)
    assert row.state == "pending" and row.next_attempt_at > NOW
    assert deliverer.told == []


@pytest.mark.parametrize("status", [400, 404, 413])
async def test_a_refusal_that_retrying_cannot_change_fails_the_item_and_tells(sessions, status):
    await Outbox(sessions).add("reporter_status", TENANT)
    delivery, deliverer = delivery_that(SendRefused(status, "ConversationNotFound"), sessions)

    await delivery.run_once()

    [row] = await rows(sessions)
    assert row.state == "failed"
    assert deliverer.told == [("reporter_status", f"send refused: {status} ConversationNotFound")]


async def test_an_item_still_failing_at_its_deadline_fails_and_a_person_is_told(sessions):
    # Written a day ago and Teams still answering 503: no further try.
    await Outbox(sessions).add("case_reported", TENANT, now=NOW - timedelta(hours=24))
    delivery, deliverer = delivery_that(SendRefused(503), sessions)

    await delivery.run_once()

    [row] = await rows(sessions)
    assert row.state == "failed"
    assert [kind for kind, _ in deliverer.told] == ["case_reported"]
    assert "deadline" in deliverer.told[0][1]


async def test_a_failed_item_put_back_is_delivered_and_has_a_new_deadline(sessions):
    outbox = Outbox(sessions)
    await outbox.add("case_reported", TENANT, now=NOW - timedelta(hours=24))
    await OutboxDelivery(outbox, Deliverer(SendRefused(503)), now=lambda: NOW).run_once()
    [row] = await rows(sessions)

    assert await outbox.put_back(row.id, NOW) is True
    assert await outbox.put_back(row.id, NOW) is False  # pending already: nothing to put back
    delivery, deliverer = delivery_that(None, sessions)
    await delivery.run_once()

    [row] = await rows(sessions)
    assert (row.state, deliverer.seen) == ("delivered", ["case_reported"])


async def test_the_health_figures_count_what_waits_what_is_late_and_what_failed(sessions):
    outbox = Outbox(sessions)
    await outbox.add("case_reported", TENANT, now=NOW)  # just written
    await outbox.add("case_card_update", TENANT, now=NOW - timedelta(minutes=10))  # late
    await outbox.add("reporter_status", TENANT, now=NOW)
    *_, last = await rows(sessions)
    await outbox.failed(last.id, "send refused: 404")

    health = await outbox.health(NOW)

    assert (health.pending, health.overdue, health.failed) == (2, 1, 1)


async def test_waiting_for_a_channel_keeps_the_item_pending(sessions):
    await Outbox(sessions).add("case_reported", TENANT)
    delivery, _ = delivery_that(NotYet("no channel", timedelta(minutes=10)), sessions)

    await delivery.run_once()

    [row] = await rows(sessions)
    assert (row.state, row.next_attempt_at) == ("pending", NOW + timedelta(minutes=10))


async def test_an_item_that_can_never_be_delivered_fails_and_a_person_is_told(sessions):
    await Outbox(sessions).add("reporter_status", TENANT)
    delivery, deliverer = delivery_that(GiveUp("the reporter's chat is not known"), sessions)

    await delivery.run_once()

    assert [r.state for r in await rows(sessions)] == ["failed"]
    assert deliverer.told == [("reporter_status", "the reporter's chat is not known")]


async def test_an_unexpected_error_is_retried_not_lost(sessions):
    await Outbox(sessions).add("case_reported", TENANT)
    delivery, _ = delivery_that(ConnectionResetError(), sessions)

    await delivery.run_once()

    [row] = await rows(sessions)
    assert (row.state, row.last_error) == ("pending", "ConnectionResetError")


def test_backoff_grows_and_stays_under_its_cap():
    assert backoff(1, rand=lambda: 1.0) == timedelta(seconds=15)
    assert backoff(3, rand=lambda: 1.0) == timedelta(minutes=1)
    assert backoff(30, rand=lambda: 1.0) == timedelta(hours=2)
    assert backoff(3, rand=lambda: 0.0) == timedelta(seconds=30)


async def test_more_items_than_a_batch_are_all_delivered_in_one_run_each_once(sessions):
    outbox = Outbox(sessions)
    for i in range(BATCH + 5):
        await outbox.add("case_card_update", TENANT, {"n": i})
    delivery, deliverer = delivery_that(None, sessions)

    assert await delivery.run_once() == BATCH + 5
    assert await delivery.run_once() == 0
    assert len(deliverer.seen) == BATCH + 5
    assert {r.state for r in await rows(sessions)} == {"delivered"}


async def test_a_claim_leases_only_rows_still_due_and_says_which(sessions):
    outbox = Outbox(sessions)
    await outbox.add("case_card_update", TENANT)
    await outbox.add("case_card_update", TENANT)
    first, second = await rows(sessions)
    await outbox.delivered(second.id, NOW)

    claimed = await outbox.claim(NOW)

    assert [(i.id, i.attempts, i.kind) for i in claimed] == [(first.id, 1, "case_card_update")]
    first, second = await rows(sessions)
    assert (first.attempts, first.claimed_until) == (1, NOW + LEASE)
    assert (second.attempts, second.claimed_until, second.state) == (0, None, "delivered")


async def test_the_items_claimed_together_are_delivered_inside_one_batch(sessions):
    outbox = Outbox(sessions)
    for i in range(3):
        await outbox.add("case_card_update", TENANT, {"n": i})
    log: list[str] = []

    @contextlib.contextmanager
    def batch() -> Iterator[None]:
        log.append("begin")
        yield
        log.append("end")

    async def deliver(item: OutboxItem) -> None:
        log.append(f"item {item.data['n']}")

    delivery = OutboxDelivery(outbox, deliver, now=lambda: NOW, batch=batch)
    assert await delivery.run_once() == 3

    assert log[0] == "begin" and log[-1] == "end" and log.count("begin") == 1
    assert sorted(log[1:-1]) == ["item 0", "item 1", "item 2"]


async def test_an_item_partly_delivered_keeps_whom_it_reached_and_is_tried_again(sessions):
    await Outbox(sessions).add("text_preview", TENANT, {"case": "c1"})
    reached = PartlyDelivered({"sent_to": ["t/a"]}, SendRefused(503))
    delivery, deliverer = delivery_that(reached, sessions)

    await delivery.run_once()

    [row] = await rows(sessions)
    assert row.state == "pending" and row.next_attempt_at > NOW
    assert row.data == {"case": "c1", "sent_to": ["t/a"]}
    assert deliverer.told == []
