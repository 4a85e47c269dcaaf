"""A conversation's turns wait for each other across instances (PostgreSQL advisory locks)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event

from storage.conversation_locks import ConversationLocks
from storage.db import make_engine


async def test_a_second_instance_waits_until_the_first_has_finished_the_turn(
    engine: Any, database_url: str
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("several instances share a PostgreSQL database; SQLite is for one process")
    other_engine = make_engine(database_url)  # another instance: its own engine and connection
    first, second = ConversationLocks(engine), ConversationLocks(other_engine)
    order: list[str] = []
    try:
        async with first.held("a:conversation"):
            waiting = asyncio.create_task(_turn(second, "a:conversation", order))
            other = asyncio.create_task(_turn(second, "a:another", order))
            await asyncio.sleep(0.2)
            order.append("first done")
        await asyncio.wait_for(asyncio.gather(waiting, other), timeout=5)
    finally:
        await first.close()
        await second.close()
        await other_engine.dispose()
    assert order == ["a:another", "first done", "a:conversation"]


async def test_a_lock_of_an_instance_that_went_away_is_let_go(engine: Any, database_url: str):
    if engine.dialect.name != "postgresql":
        pytest.skip("several instances share a PostgreSQL database; SQLite is for one process")
    other_engine = make_engine(database_url)
    gone, second = ConversationLocks(engine), ConversationLocks(other_engine)
    try:
        held = gone.held("a:conversation")
        await held.__aenter__()
        await gone.close()  # the process died: its connection closed with the lock
        order: list[str] = []
        await asyncio.wait_for(_turn(second, "a:conversation", order), timeout=5)
    finally:
        await second.close()
        await other_engine.dispose()
    assert order == ["a:conversation"]


async def test_on_sqlite_there_is_nothing_to_wait_for(engine: Any) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the PostgreSQL half is the tests above")
    # One process: its own per-conversation lock is in bot/middleware.py. Here a second holder
    # of the same conversation goes in at once, and the database is not asked anything.
    statements: list[str] = []

    def executed(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", executed)
    first, second = ConversationLocks(engine), ConversationLocks(engine)
    order: list[str] = []
    try:
        async with first.held("a:conversation"):
            await asyncio.wait_for(_turn(second, "a:conversation", order), timeout=1)
            order.append("first done")
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", executed)
        await first.close()
        await second.close()
    assert order == ["a:conversation", "first done"]
    assert statements == []


async def _turn(locks: ConversationLocks, conversation: str, order: list[str]) -> None:
    async with locks.held(conversation):
        order.append(conversation)
