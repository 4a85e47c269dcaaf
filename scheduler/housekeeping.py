"""Regular clean-up: report drafts untouched for 14 days and old activity ids are deleted; once
a day, closed cases past the retention period lose their personal data. Every wake-up also
sends the monthly access reviews still due (one query when none are)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from domain.clock import utcnow
from storage.activities import ProcessedActivities
from storage.retention import DailyRetention
from storage.sqlite_driver import off_the_loop
from storage.state_store import SqlStorage

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 3600


async def purge_once(storage: SqlStorage, processed: ProcessedActivities) -> tuple[int, int]:
    drafts = await storage.purge_untouched()
    activities = await processed.purge()
    if drafts or activities:
        log.info("housekeeping: %d stale drafts, %d old activity ids deleted", drafts, activities)
    return drafts, activities


async def housekeeping_loop(
    storage: SqlStorage,
    processed: ProcessedActivities,
    retention: DailyRetention | None = None,
    monthly_review: Callable[[datetime], Awaitable[object]] | None = None,
) -> None:
    # Whole tables are gone through here: on SQLite in the connections' own threads, so that
    # people's turns go on meanwhile (storage/sqlite_driver.py).
    with off_the_loop():
        while True:
            try:
                await purge_once(storage, processed)
            except Exception as error:  # a database down now is not a reason to stop for good
                log.warning("housekeeping failed: %s", type(error).__name__)
            if retention is not None:
                try:
                    await retention.run_if_due()
                except Exception as error:  # tried again at the next wake-up, not a day later
                    log.warning("retention failed: %s", type(error).__name__)
            if monthly_review is not None:
                try:
                    await monthly_review(utcnow())
                except Exception as error:  # each coordinator's failure is handled inside
                    log.warning("monthly access review failed: %s", type(error).__name__)
            await asyncio.sleep(INTERVAL_SECONDS)
