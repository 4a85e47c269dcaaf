"""Delivering the outbox, the one queue every message the bot owes goes through: claims what is
due and hands each item to the deliverer for its kind (bot/ provides them; `ByKind` picks one),
then marks it delivered, to be retried, or failed.

What is tried again, and until when: whatever did not get Teams' final answer — a "not now"
status (scheduler.sender.is_retryable), no answer at all, a fault of ours — with backoff and
jitter until the item's deadline (24 hours after it was written: TRYGGEST_DELIVERY_DEADLINE_HOURS).
A final answer (400, 404, 413, …) or the deadline fails it, and the deliverer's `tell_failed`
lets a person know, so nothing owed is dropped without anyone being told.

Woken at once when a turn has written something (`kick`), and every few seconds regardless, so
that retries fall due and rows left by a crashed instance are taken over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Protocol

from domain.clock import utcnow
from scheduler.sender import SendRefused
from storage.outbox import Outbox, OutboxItem

log = logging.getLogger(__name__)

# How long an item is tried before it is given up and a person told.
DEADLINE = timedelta(hours=24)
# Items claimed at a time.
BATCH = 20
_BASE = timedelta(seconds=15)
_CAP = timedelta(hours=2)


class NotYet(Exception):
    """The item cannot be delivered yet (the team's channel is not known): try later."""

    def __init__(self, reason: str, wait: timedelta = timedelta(minutes=10)) -> None:
        super().__init__(reason)
        self.wait = wait


class GiveUp(Exception):
    """Delivering the item can never succeed (the case or person is gone): drop it."""


class PartlyDelivered(Exception):
    """Some of the item's recipients have it (`data` says who, kept with the item, so that a
    retry sends to the others only); `cause` is why the rest did not."""

    def __init__(self, data: dict[str, object], cause: BaseException) -> None:
        super().__init__(str(cause))
        self.data = data
        self.cause = cause


class Deliverer(Protocol):
    async def __call__(self, item: OutboxItem) -> None: ...

    async def tell_failed(self, item: OutboxItem, why: str) -> None:
        """The item will not be delivered: tell the people who can act on it (nothing of what
        it carries, only which message it was)."""


class ByKind:
    """A deliverer that hands each item to the one for its kind (the reminders', the access
    review's), and the rest to `default` (bot/delivery.py's, for everything about a case)."""

    def __init__(self, default: Deliverer, kinds: Mapping[str, Deliverer]) -> None:
        self._default = default
        self._kinds = dict(kinds)

    def _for(self, item: OutboxItem) -> Deliverer:
        return self._kinds.get(item.kind, self._default)

    async def __call__(self, item: OutboxItem) -> None:
        await self._for(item)(item)

    async def tell_failed(self, item: OutboxItem, why: str) -> None:
        await self._for(item).tell_failed(item, why)


def backoff(attempts: int, rand: Callable[[], float] = random.random) -> timedelta:
    """Exponential with jitter: 15 s, 30 s, 1 min, … up to 2 hours."""
    ceiling = min(_CAP, _BASE * (2 ** max(attempts - 1, 0)))
    return timedelta(seconds=ceiling.total_seconds() * (0.5 + rand() / 2))


class OutboxDelivery:
    def __init__(
        self,
        outbox: Outbox,
        deliver: Deliverer,
        now: Callable[[], datetime] = utcnow,
        interval: float = 5.0,
        batch: Callable[[], AbstractContextManager[None]] = contextlib.nullcontext,
        deadline: timedelta = DEADLINE,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self._rand = rand
        self._outbox = outbox
        self._deliver = deliver
        self._deadline = deadline
        # Around the items claimed together (bot/delivery.py reads what they share once).
        self._batch = batch
        self._now = now
        self._interval = interval
        self._wake = asyncio.Event()

    def kick(self) -> None:
        """Something was written: deliver it now rather than at the next tick."""
        self._wake.set()

    async def run_once(self, now: datetime | None = None) -> int:
        """Deliver everything due (at `now`: the clock's time by default); how many items
        were handled."""
        handled = 0
        while True:
            at = now or self._now()
            items = await self._outbox.claim(at, limit=BATCH)
            with self._batch():
                for item in items:
                    await self._one(item, at)
                    handled += 1
            if len(items) < BATCH:
                # A short batch was all that was due: asking again would find nothing (what a
                # turn writes meanwhile kicks the loop, and the next pass takes it).
                return handled

    async def _one(self, item: OutboxItem, now: datetime) -> None:
        try:
            await self._deliver(item)
        except PartlyDelivered as partly:
            await self._outbox.note(item.id, partly.data)
            await self._after(item, partly.cause, now)
        except Exception as error:
            await self._after(item, error, now)
        else:
            await self._outbox.delivered(item.id, now)

    async def _after(self, item: OutboxItem, error: BaseException, now: datetime) -> None:
        """What an error delivering the item means for it."""
        if isinstance(error, NotYet):
            await self._outbox.retry(item.id, now + error.wait, str(error))
        elif isinstance(error, GiveUp):
            await self._fail(item, str(error))
        elif isinstance(error, SendRefused):
            if error.retryable:
                await self._again(item, str(error), now)
            else:
                await self._fail(item, str(error))
        else:
            # No answer from Teams, the token service down, or a bug: tried again until the
            # deadline, never lost silently.
            await self._again(item, type(error).__name__, now)

    async def _again(self, item: OutboxItem, why: str, now: datetime) -> None:
        """Tried again later, or failed when the next try would fall after the deadline."""
        at = now + backoff(item.attempts, self._rand)
        if at > item.created_at + self._deadline:
            await self._fail(item, f"{why}, and its deadline has passed")
            return
        log.warning(
            "outbox %s (%s) not delivered, tried again at %s: %s",
            item.id,
            item.kind,
            at.strftime("%H:%M:%S"),
            why,
        )
        await self._outbox.retry(item.id, at, why)

    async def _fail(self, item: OutboxItem, why: str) -> None:
        log.error("outbox %s (%s) not delivered for good: %s", item.id, item.kind, why)
        await self._outbox.failed(item.id, why)
        try:
            await self._deliver.tell_failed(item, why)
        except Exception as error:  # the row stays failed, listed by `tryggest outbox`
            log.error("outbox %s: nobody could be told: %s", item.id, type(error).__name__)

    async def loop(self) -> None:
        while True:
            # asyncio.timeout, not wait_for: Python 3.11's wait_for can lose a cancellation that
            # arrives as the event is set (CPython gh-86296), and shutdown would wait for ever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._interval):
                    await self._wake.wait()
            self._wake.clear()
            try:
                await self.run_once()
            except Exception as error:  # the database may be down: the next tick tries again
                log.warning("outbox sweep failed: %s", type(error).__name__)
