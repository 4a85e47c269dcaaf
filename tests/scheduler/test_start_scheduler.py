"""The scheduler runs every job it is given in the event loop: a daily planning job handed over
as a lambda that returns a coroutine (as bot/app.py hands over the half-year planning) is awaited,
not dropped unawaited in APScheduler's thread pool."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any, cast

from domain.clock import utcnow
from scheduler.reminders import ReminderSweep, start_scheduler


class IdleSweep:
    """A sweep with nothing due."""

    async def queue_due(self, now: datetime | None = None) -> int:
        return 0


async def test_a_daily_job_given_as_a_lambda_returning_a_coroutine_is_awaited():
    planned: list[datetime] = []
    done = asyncio.Event()

    async def plan(now: datetime) -> int:
        planned.append(now)
        done.set()
        return 1

    # What bot/app.py passes for the half-year reminders: a plain function, not `async def`.
    scheduler = start_scheduler(
        cast(ReminderSweep, IdleSweep()), 3600, {"half-year": lambda: plan(utcnow())}
    )
    try:
        await asyncio.wait_for(done.wait(), timeout=5)
    finally:
        scheduler.shutdown(wait=False)

    assert len(planned) == 1


async def test_a_daily_coroutine_function_runs_in_the_event_loop_as_before():
    loops: list[Any] = []
    done = asyncio.Event()

    async def plan() -> None:
        loops.append(asyncio.get_running_loop())
        done.set()

    scheduler = start_scheduler(cast(ReminderSweep, IdleSweep()), 3600, {"gatherings": plan})
    try:
        await asyncio.wait_for(done.wait(), timeout=5)
    finally:
        scheduler.shutdown(wait=False)

    assert loops == [asyncio.get_running_loop()]
