"""scheduler/housekeeping.py: the hourly clean-up goes through whole tables, so on SQLite its
statements run in the connection's own thread, and people's turns go on meanwhile."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from domain.clock import utcnow
from scheduler.housekeeping import housekeeping_loop
from storage.activities import ProcessedActivities
from storage.crypto import FieldCipher, parse_keys
from storage.models import DialogState
from storage.state_store import SqlStorage, StoredState
from tests.conftest import DATA_KEY, sqlite_only
from tests.storage.sqlite_support import statements_by_thread

KEY = "msteams/conversations/a:personal-7faf8ab2/"


# SQLite only: PostgreSQL works in a server process of its own anyway.
@sqlite_only
async def test_on_sqlite_the_clean_up_runs_in_the_connections_thread_not_the_event_loops(
    sessions: Any, engine: Any
) -> None:
    store = SqlStorage(sessions, FieldCipher(parse_keys(DATA_KEY)))
    await store.write({KEY: StoredState({"report": {"step": "violence"}})})
    async with sessions() as session, session.begin():
        await session.execute(update(DialogState).values(updated_at=utcnow() - timedelta(days=15)))
    await engine.dispose()  # so that the clean-up's connections are new ones, traced

    with statements_by_thread(engine) as seen:
        loop = asyncio.create_task(housekeeping_loop(store, ProcessedActivities(sessions)))
        try:
            for _ in range(500):  # the first round starts at once, then it sleeps for an hour
                if any(sql.startswith("DELETE FROM processed_activities") for _, sql in seen):
                    break
                await asyncio.sleep(0.01)
        finally:
            loop.cancel()
            await asyncio.gather(loop, return_exceptions=True)
            store.close()

    deleting = [thread for thread, sql in seen if sql.startswith("DELETE")]
    assert len(deleting) >= 2, "the drafts and the old activity ids were not cleaned up"
    assert threading.get_ident() not in deleting
    async with sessions() as session:
        assert (await session.scalars(select(DialogState))).all() == []
