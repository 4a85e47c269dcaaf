"""The reminder sweep, woken by APScheduler inside the bot process.

What is due lives in the database (storage/reminders.py); APScheduler only decides when to look.
Each sweep claims what is due now, late ones included, and hands each to the handler for its
kind (bot/ draws and sends the card). A reminder whose reason has gone (the case was assessed or
closed, the gathering cancelled) is cancelled, not sent; one whose recipient cannot be reached
is recorded as unreachable and not retried forever. What Teams will not take now is tried again
by the outbox's rule (scheduler.sender.is_retryable, backoff with jitter) until the reminder's
deadline, 24 hours after it fell due; then it fails, and, as for an unreachable one, the
team's coordinators are told.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from domain.clock import utcnow
from scheduler.outbox import DEADLINE
from scheduler.sender import SendRefused
from storage.reminders import DueReminder, Reminders

log = logging.getLogger(__name__)


class Obsolete(Exception):
    """The reminder no longer applies: cancel it."""


class Unreachable(Exception):
    """Nobody can be reached for it (no chat with the person, the bot removed from a team)."""


# The sweep's "now" while a handler runs: a reminder sent late says when it was due, judged by
# the sweep's clock (a test's fast-forwarded one included).
_SWEEP_TIME: ContextVar[datetime | None] = ContextVar("sweep_time", default=None)


def sweep_time() -> datetime:
    return _SWEEP_TIME.get() or utcnow()


Handler = Callable[[DueReminder], Awaitable[None]]
OnUnreachable = Callable[[DueReminder, str], Awaitable[None]]


class ReminderSweep:
    def __init__(
        self,
        reminders: Reminders,
        handlers: Mapping[str, Handler],
        now: Callable[[], datetime] = utcnow,
        on_unreachable: OnUnreachable | None = None,
        rand: Callable[[], float] = random.random,
        deadline: timedelta = DEADLINE,
    ) -> None:
        self._reminders = reminders
        self._deadline = deadline
        self._handlers = dict(handlers)
        # Whom to tell, per kind, when one cannot be delivered (the sweep's default otherwise).
        self._tellers: dict[str, OnUnreachable] = {}
        self._now = now
        self._on_unreachable = on_unreachable
        self._rand = rand

    def handle(self, kind: str, handler: Handler, tell: OnUnreachable | None = None) -> None:
        """`handler` sends reminders of `kind`; `tell`, when given, is who hears of one that
        could not be delivered (else the sweep's own `on_unreachable`)."""
        self._handlers[kind] = handler
        if tell is not None:
            self._tellers[kind] = tell

    async def run_once(self, now: datetime | None = None) -> dict[str, int]:
        """Deliver everything due at `now` (the clock's time by default). Counts per outcome."""
        now = now or self._now()
        token = _SWEEP_TIME.set(now)
        try:
            return await self._run(now)
        finally:
            _SWEEP_TIME.reset(token)

    async def _run(self, now: datetime) -> dict[str, int]:
        counts = {"sent": 0, "cancelled": 0, "unreachable": 0, "retry": 0, "failed": 0}
        while batch := await self._reminders.claim_due(now):
            for reminder in batch:
                counts[await self._one(reminder, now)] += 1
        if any(counts.values()):
            log.info("reminder sweep: %s", ", ".join(f"{k} {v}" for k, v in counts.items() if v))
        return counts

    async def _one(self, reminder: DueReminder, now: datetime) -> str:
        handler = self._handlers.get(reminder.kind)
        if handler is None:
            await self._reminders.failed(reminder.id, f"no handler for {reminder.kind}")
            return "failed"
        try:
            await handler(reminder)
        except Obsolete as why:
            await self._reminders.cancelled(reminder.id, str(why))
            return "cancelled"
        except Unreachable as why:
            await self._unreachable(reminder, str(why))
            return "unreachable"
        except SendRefused as refused:
            if refused.bot_removed or not refused.retryable:
                await self._unreachable(reminder, str(refused))
                return "unreachable"
            return await self._retry(reminder, now, str(refused))
        except Exception as error:
            return await self._retry(reminder, now, type(error).__name__)
        await self._reminders.sent(reminder.id, now)
        return "sent"

    async def _retry(self, reminder: DueReminder, now: datetime, why: str) -> str:
        wait = min(3600.0, 30.0 * 2 ** (reminder.attempts - 1)) * (0.5 + self._rand() / 2)
        at = now + timedelta(seconds=wait)
        if at > reminder.due_at + self._deadline:
            log.warning(
                "reminder %s (%s) given up at its deadline: %s", reminder.id, reminder.kind, why
            )
            await self._reminders.failed(reminder.id, why)
            await self._tell(reminder, f"{why}, and its deadline has passed")
            return "failed"
        await self._reminders.retry(reminder.id, at, why)
        return "retry"

    async def _unreachable(self, reminder: DueReminder, why: str) -> None:
        log.info("reminder %s (%s) unreachable: %s", reminder.id, reminder.kind, why)
        await self._reminders.unreachable(reminder.id, why)
        await self._tell(reminder, why)

    async def _tell(self, reminder: DueReminder, why: str) -> None:
        tell = self._tellers.get(reminder.kind, self._on_unreachable)
        if tell is not None:
            try:
                await tell(reminder, why)
            except Exception as error:
                log.warning("unreachable reminder not reported: %s", type(error).__name__)


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
    """APScheduler in this process's event loop: the sweep every few seconds, and the daily
    planning jobs (which only add rows, idempotently) once at start and then each hour."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        sweep.run_once,
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
