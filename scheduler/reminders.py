"""Timed reminders, put on the delivery queue when they fall due.

What is due lives in the database (storage/reminders.py); APScheduler only decides when to look.
Each sweep moves what is due now, late ones included, onto the outbox (storage/outbox.py), the
one queue every message the bot owes goes through, and the outbox's delivery hands each back
here, to the handler for its kind (bot/ draws and sends the card). So a reminder is claimed,
retried and given up by the same rule as a case's channel post (scheduler/outbox.py).

A reminder whose reason has gone (the case was assessed or closed, the gathering cancelled) is
cancelled, not sent. One whose recipient cannot be reached, or that Teams refuses for good, is
recorded as unreachable; one still not delivered at its deadline fails. In both cases the
people who can act on it are told (the team's coordinators, or the post's author).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from datetime import datetime
from typing import Any, NoReturn

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from domain.clock import utcnow
from scheduler.outbox import GiveUp, OutboxDelivery
from scheduler.sender import SendRefused
from storage.outbox import OutboxItem
from storage.reminders import REMINDER, DueReminder, Reminders

log = logging.getLogger(__name__)

__all__ = ["REMINDER", "Obsolete", "ReminderSweep", "Unreachable", "start_scheduler"]


class Obsolete(Exception):
    """The reminder no longer applies: cancel it."""


class Unreachable(Exception):
    """Nobody can be reached for it (no chat with the person, the bot removed from a team)."""


# The sweep's "now" while a handler runs: a reminder sent late says when it was due, judged by
# the sweep's clock (a test's fast-forwarded one included).
_SWEEP_TIME: ContextVar[datetime | None] = ContextVar("sweep_time", default=None)


def sweep_time() -> datetime:
    return _SWEEP_TIME.get() or utcnow()


# What became of each reminder delivered within run_once, by outbox item: counted for its caller
# and its log line (the background delivery counts nothing).
_OUTCOMES: ContextVar[dict[str, str] | None] = ContextVar("reminder_outcomes", default=None)


def _outcome(item: OutboxItem, outcome: str) -> None:
    outcomes = _OUTCOMES.get()
    if outcomes is not None:
        outcomes[item.id] = outcome


Handler = Callable[[DueReminder], Awaitable[None]]
OnUnreachable = Callable[[DueReminder, str], Awaitable[None]]


class ReminderSweep:
    """Queues due reminders, and is the outbox's deliverer for them (kind REMINDER)."""

    def __init__(
        self,
        reminders: Reminders,
        handlers: Mapping[str, Handler],
        now: Callable[[], datetime] = utcnow,
        on_unreachable: OnUnreachable | None = None,
    ) -> None:
        self._reminders = reminders
        self._handlers = dict(handlers)
        # Whom to tell, per kind, when one cannot be delivered (the sweep's default otherwise).
        self._tellers: dict[str, OnUnreachable] = {}
        self._now = now
        self._on_unreachable = on_unreachable
        self._delivery: OutboxDelivery | None = None

    def handle(self, kind: str, handler: Handler, tell: OnUnreachable | None = None) -> None:
        """`handler` sends reminders of `kind`; `tell`, when given, is who hears of one that
        could not be delivered (else the sweep's own `on_unreachable`)."""
        self._handlers[kind] = handler
        if tell is not None:
            self._tellers[kind] = tell

    def deliver_with(self, delivery: OutboxDelivery) -> None:
        """The outbox delivery that is woken when reminders are queued, and that run_once
        delivers with."""
        self._delivery = delivery

    async def queue_due(self, now: datetime | None = None) -> int:
        """Put what is due at `now` on the outbox, and wake its delivery (the background one,
        where this instance runs it); how many reminders. What the scheduler runs."""
        queued = await self._reminders.queue_due(now or self._now())
        if queued and self._delivery is not None:
            self._delivery.kick()
        return queued

    async def run_once(self, now: datetime | None = None) -> dict[str, int]:
        """Queue everything due at `now` (the clock's time by default) and deliver, here and
        now, what the outbox holds that is due then: what a test or a benchmark runs, with the
        time it chooses. Counts per reminder outcome."""
        now = now or self._now()
        await self._reminders.queue_due(now)
        outcomes: dict[str, str] = {}
        if self._delivery is not None:
            tokens = _SWEEP_TIME.set(now), _OUTCOMES.set(outcomes)
            try:
                await self._delivery.run_once(now)
            finally:
                _SWEEP_TIME.reset(tokens[0])
                _OUTCOMES.reset(tokens[1])
        counts = Counter(outcomes.values())
        if counts:
            log.info("reminder sweep: %s", ", ".join(f"{k} {v}" for k, v in counts.items()))
        return {k: counts[k] for k in ("sent", "cancelled", "unreachable", "retry", "failed")}

    async def __call__(self, item: OutboxItem) -> None:
        """Deliver the reminder the outbox item stands for. What Teams will not take now is
        raised to the outbox, which tries again; anything final raises GiveUp."""
        reminder = await self._reminders.owed(str(item.data.get("reminder_id")))
        if reminder is None:
            return  # cancelled since it was queued (a case assessed, a gathering moved)
        handler = self._handlers.get(reminder.kind)
        if handler is None:
            raise GiveUp(f"no handler for {reminder.kind}")
        try:
            await handler(reminder)
        except Obsolete as why:
            await self._reminders.cancelled(reminder.id, str(why))
            _outcome(item, "cancelled")
            return
        except Unreachable as why:
            await self._unreachable(item, reminder, str(why))
        except SendRefused as refused:
            if refused.bot_removed or not refused.retryable:
                await self._unreachable(item, reminder, str(refused))
            _outcome(item, "retry")
            raise
        except Exception:
            _outcome(item, "retry")
            raise
        await self._reminders.sent(reminder.id, sweep_time())
        _outcome(item, "sent")

    async def _unreachable(self, item: OutboxItem, reminder: DueReminder, why: str) -> NoReturn:
        """Recorded as unreachable, and given up (GiveUp): tell_failed tells who can act."""
        log.info("reminder %s (%s) unreachable: %s", reminder.id, reminder.kind, why)
        await self._reminders.unreachable(reminder.id, why)
        _outcome(item, "unreachable")
        raise GiveUp(why)

    async def tell_failed(self, item: OutboxItem, why: str) -> None:
        """Given up (unreachable, or its deadline passed): the people who can act are told."""
        reminder = await self._reminders.by_id(str(item.data.get("reminder_id")))
        if reminder is None:
            return
        if await self._reminders.failed(reminder.id, why):
            _outcome(item, "failed")  # not when it was found unreachable
        tell = self._tellers.get(reminder.kind, self._on_unreachable)
        if tell is not None:
            await tell(reminder, why)


def _in_the_loop(job: Callable[[], Awaitable[Any]]) -> Callable[[], Awaitable[Any]]:
    """The job as a coroutine function. APScheduler's asyncio executor runs only those in the
    event loop; anything else (a lambda or a partial that returns a coroutine) goes to a thread
    pool, which calls it and drops the coroutine it returns unawaited: the job never runs."""

    async def run() -> Any:
        return await job()

    return run


def start_scheduler(
    sweep: ReminderSweep,
    every_seconds: float,
    daily: Mapping[str, Callable[[], Awaitable[Any]]] = {},
) -> AsyncIOScheduler:
    """APScheduler in this process's event loop: the sweep every few seconds (it queues what is
    due; the outbox's delivery sends it), and the daily planning jobs (which only add rows,
    idempotently) once at start and then each hour."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        sweep.queue_due,
        IntervalTrigger(seconds=every_seconds),
        id="reminder-sweep",
        coalesce=True,
        max_instances=1,
        next_run_time=utcnow(),
    )
    for name, job in daily.items():
        scheduler.add_job(
            _in_the_loop(job),
            IntervalTrigger(hours=1),
            id=f"plan-{name}",
            name=f"plan-{name}",
            coalesce=True,
            max_instances=1,
            next_run_time=utcnow(),
        )
    scheduler.start()
    return scheduler
