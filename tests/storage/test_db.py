"""The engine under load: many write transactions at once all commit."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from domain.clock import utcnow
from storage.activities import ProcessedActivities
from storage.db import POOL_SIZE, make_engine, make_sessionmaker
from storage.models import ProcessedActivity


async def test_fifty_overlapping_write_transactions_all_commit(
    engine: Any, database_url: str
) -> None:
    # SQLite's busy handler polls rather than queues: with a short busy timeout and writers that
    # hold their transaction a little while, some used to give up with "database is locked".
    crowded = make_engine(database_url, sqlite_busy_ms=50)
    sessions = make_sessionmaker(crowded)

    async def write(i: int) -> None:
        async with sessions() as session, session.begin():
            session.add(ProcessedActivity(key=f"k{i:03}", created_at=utcnow()))
            await session.flush()
            await asyncio.sleep(0.01)  # the rest of the transaction's work

    try:
        await asyncio.gather(*(write(i) for i in range(50)))
        async with sessions() as session:
            stored = await session.scalar(select(func.count()).select_from(ProcessedActivity))
    finally:
        await crowded.dispose()
    assert stored == 50


async def test_a_failed_write_transaction_lets_the_next_writer_in(engine: Any) -> None:
    sessions = make_sessionmaker(engine)
    processed = ProcessedActivities(sessions)
    assert await processed.claim("same")

    async def claim_twice_in_one_transaction() -> None:
        async with sessions() as session, session.begin():
            session.add(ProcessedActivity(key="other", created_at=utcnow()))
            session.add(ProcessedActivity(key="same", created_at=utcnow()))
            await session.flush()

    with pytest.raises(IntegrityError) as failed:
        await claim_twice_in_one_transaction()
    assert "UNIQUE" in str(failed.value).upper() or "DUPLICATE" in str(failed.value).upper()
    # The rolled-back writer gave the lock back: the next claim goes through at once.
    assert await asyncio.wait_for(processed.claim("after"), timeout=5)


async def test_a_task_cancelled_mid_query_stops(engine: Any) -> None:
    # How the bot stops its background work (the outbox, housekeeping): a cancellation that
    # reached a query in flight must end the task, not be lost in the database layer.
    from storage.outbox import Outbox

    outbox = Outbox(make_sessionmaker(engine))
    lost = 0
    for attempt in range(60):

        async def poll() -> None:
            while True:
                with contextlib.suppress(Exception):
                    await outbox.claim()
                await asyncio.sleep(0)

        task = asyncio.create_task(poll())
        await asyncio.sleep(0.0002 * (attempt % 20))
        task.cancel()
        done, _ = await asyncio.wait([task], timeout=2)
        if not done:
            lost += 1
            task.cancel()
            await asyncio.wait([task], timeout=2)
    assert lost == 0


async def test_as_many_turns_at_once_as_the_pool_keeps_reuse_its_connections(
    database_url: str,
) -> None:
    # Once a busy moment has opened its connections, the next one opens none: a connection
    # opened per turn (SQLAlchemy's default pool keeps 5) cost more than the turn's queries.
    busy = make_engine(database_url)
    opened: list[str] = []
    event.listen(busy.sync_engine, "connect", lambda *_: opened.append("connection"))

    async def turn() -> None:
        async with busy.connect() as conn:
            await conn.execute(select(1))
            await asyncio.sleep(0.05)  # the turn's other work, connection held

    try:
        await asyncio.gather(*(turn() for _ in range(POOL_SIZE)))
        first = len(opened)
        await asyncio.gather(*(turn() for _ in range(POOL_SIZE)))
    finally:
        await busy.dispose()
    assert first == POOL_SIZE
    assert len(opened) == POOL_SIZE
