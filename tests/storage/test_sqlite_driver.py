"""storage/sqlite_driver.py: SQLite through SQLAlchemy on the event loop's thread; in the
connection's own thread only to wait for another process's lock or inside off_the_loop(), one
hand-off a statement there and none for a commit or rollback with nothing to end. Hand-offs are
counted at aiosqlite's queue, the one place a call goes over to a connection's thread."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.db import make_engine
from storage.sqlite_driver import OneHopConnection, off_the_loop
from tests.storage.sqlite_support import hand_offs

T = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("name", String))


@pytest.fixture
async def sqlite(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'one-hop.db'}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
    yield engine
    await engine.dispose()


async def test_a_file_database_gets_the_one_hop_connection(sqlite: AsyncEngine) -> None:
    async with sqlite.connect() as conn:
        raw = await conn.get_raw_connection()
        assert isinstance(raw.driver_connection, OneHopConnection)
        # It does not keep the process alive at exit, as SQLAlchemy's own aiosqlite threads.
        assert raw.driver_connection._thread.daemon


async def ran_on(conn: AsyncConnection) -> int:
    """The thread a statement on `conn` ran in."""
    raw = await conn.get_raw_connection()
    raw.driver_connection._conn.create_function("thread", 0, threading.get_ident)
    return int((await conn.execute(text("SELECT thread()"))).scalar_one())


async def test_a_query_runs_on_the_event_loops_thread_and_gives_every_row(
    sqlite: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with sqlite.begin() as conn:
        await conn.execute(text("INSERT INTO t (name) VALUES ('a'), ('b'), ('c')"))

    async with sqlite.connect() as conn:
        await conn.execute(text("SELECT 1"))  # the connection's own set-up, before counting
        with hand_offs(monkeypatch) as counted:
            rows = (await conn.execute(text("SELECT name FROM t ORDER BY id"))).all()
            thread = await ran_on(conn)

    assert [row.name for row in rows] == ["a", "b", "c"]
    assert thread == threading.get_ident()
    assert sum(counted.values()) == 0


async def test_a_write_and_its_commit_run_on_the_event_loops_thread(
    sqlite: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with hand_offs(monkeypatch) as counted:
        async with sqlite.begin() as conn:
            result = await conn.execute(text("INSERT INTO t (name) VALUES ('a'), ('b')"))

    assert result.rowcount == 2
    assert sum(counted.values()) == 0
    async with sqlite.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar() == 2


async def test_off_the_loop_a_query_is_one_hand_off_to_the_connections_thread(
    sqlite: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with sqlite.begin() as conn:
        await conn.execute(text("INSERT INTO t (name) VALUES ('a'), ('b')"))

    async with sqlite.connect() as conn:
        await conn.execute(text("SELECT 1"))
        with off_the_loop():
            thread = await ran_on(conn)
            with hand_offs(monkeypatch) as counted:
                rows = (await conn.execute(text("SELECT name FROM t ORDER BY id"))).all()
        after = await ran_on(conn)

    assert [row.name for row in rows] == ["a", "b"]
    assert thread != threading.get_ident()
    assert sum(counted.values()) == 1
    # Only inside: the next statement is back on the event loop's thread.
    assert after == threading.get_ident()


async def test_off_the_loop_a_write_is_one_hand_off_and_its_commit_one_more(
    sqlite: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with off_the_loop(), hand_offs(monkeypatch) as counted:
        async with sqlite.begin() as conn:
            result = await conn.execute(text("INSERT INTO t (name) VALUES ('a'), ('b')"))

    assert result.rowcount == 2
    assert sum(counted.values()) == 2


async def test_a_connection_given_back_with_nothing_to_roll_back_is_not_handed_off(
    sqlite: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with sqlite.connect() as conn:
        await conn.execute(text("SELECT 1"))
        with off_the_loop(), hand_offs(monkeypatch) as counted:
            await conn.execute(text("SELECT name FROM t"))
            await conn.rollback()  # what the pool does with every connection given back

    assert sum(counted.values()) == 1


async def locked_by_another_process(
    path: Path, busy_ms: int
) -> tuple[AsyncEngine, sqlite3.Connection]:
    """An engine on a new file with table t, whose write lock another process holds (as the CLI
    would: a write transaction on a connection of its own, to be ended by the caller)."""
    engine = make_engine(f"sqlite:///{path}", sqlite_busy_ms=busy_ms)
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
    other = sqlite3.connect(str(path), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return engine, other


async def test_while_another_process_holds_the_write_lock_a_write_waits_off_the_event_loop(
    tmp_path: Path,
) -> None:
    engine, other = await locked_by_another_process(tmp_path / "waited.db", busy_ms=5000)
    order: list[str] = []

    async def write() -> None:
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO t (name) VALUES ('waited')"))
        order.append("written")

    async def meanwhile() -> None:
        await asyncio.sleep(0.05)
        order.append("the event loop went on")
        other.execute("COMMIT")

    try:
        await asyncio.wait_for(asyncio.gather(write(), meanwhile()), timeout=10)
    finally:
        other.close()
    try:
        async with engine.connect() as conn:
            names = (await conn.execute(text("SELECT name FROM t"))).scalars().all()
    finally:
        await engine.dispose()

    assert order == ["the event loop went on", "written"]
    assert names == ["waited"]


async def test_a_write_that_waits_longer_than_the_busy_timeout_is_refused_and_nothing_kept(
    tmp_path: Path,
) -> None:
    engine, other = await locked_by_another_process(tmp_path / "locked.db", busy_ms=100)
    try:
        with pytest.raises(OperationalError, match="database is locked"):
            async with engine.begin() as conn:
                await conn.execute(text("INSERT INTO t (name) VALUES ('never')"))
    finally:
        other.execute("ROLLBACK")
        other.close()
    try:
        # The connection that was refused works on, and on the event loop's thread again.
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO t (name) VALUES ('later')"))
            names = (await conn.execute(text("SELECT name FROM t"))).scalars().all()
            thread = await ran_on(conn)
    finally:
        await engine.dispose()
    assert names == ["later"]
    assert thread == threading.get_ident()


async def test_an_open_transaction_is_still_rolled_back(sqlite: AsyncEngine) -> None:
    async with sqlite.connect() as conn:
        await conn.execute(text("INSERT INTO t (name) VALUES ('kept back')"))
        await conn.rollback()

    async with sqlite.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar() == 0


async def test_the_new_rows_id_and_many_rows_at_once_are_as_sqlite_gives_them(
    sqlite: AsyncEngine,
) -> None:
    async with sqlite.begin() as conn:
        first = await conn.execute(text("INSERT INTO t (name) VALUES ('a')"))
        many = await conn.execute(
            text("INSERT INTO t (name) VALUES (:name)"), [{"name": "b"}, {"name": "c"}]
        )
        ids = (await conn.execute(text("SELECT id FROM t ORDER BY id"))).scalars().all()

    assert first.lastrowid == ids[0]
    assert many.rowcount == 2
    assert len(ids) == 3


async def test_a_refused_write_raises_sqlalchemys_error_and_the_connection_goes_on(
    sqlite: AsyncEngine,
) -> None:
    async with sqlite.begin() as conn:
        await conn.execute(text("INSERT INTO t (name) VALUES ('same')"))

    with pytest.raises(IntegrityError):
        async with sqlite.begin() as conn:
            await conn.execute(text("INSERT INTO t (name) VALUES ('same')"))

    async with sqlite.begin() as conn:
        await conn.execute(text("INSERT INTO t (name) VALUES ('other')"))
        names = (await conn.execute(text("SELECT name FROM t ORDER BY id"))).scalars().all()
    assert names == ["same", "other"]


async def test_core_statements_read_and_write_through_it(sqlite: AsyncEngine) -> None:
    async with sqlite.begin() as conn:
        await conn.execute(insert(T), [{"name": "x"}, {"name": "y"}])
        found = (await conn.execute(select(T.c.name).where(T.c.name == "y"))).scalar_one()
    assert found == "y"


async def test_a_write_whose_caller_gave_up_while_it_waited_is_rolled_back_after_it_ends(
    tmp_path: Path,
) -> None:
    # A turn cancelled while its write waits in the connection's thread for another process:
    # what the pool does with the connection then (a rollback) waits behind that write, in the
    # thread, instead of running on the event loop's thread at the same time.
    engine, other = await locked_by_another_process(tmp_path / "cancelled.db", busy_ms=2000)
    ticks = 0

    async def write() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("INSERT INTO t (name) VALUES ('given up')"))
            await conn.commit()

    async def ticking() -> None:
        nonlocal ticks
        for _ in range(20):
            await asyncio.sleep(0.01)
            ticks += 1

    try:
        writer = asyncio.create_task(write())
        await asyncio.sleep(0.05)  # in the thread now, waiting for the lock
        writer.cancel()
        ticker = asyncio.create_task(ticking())
        await asyncio.sleep(0.1)
        other.execute("COMMIT")
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(writer, timeout=10)
        await asyncio.wait_for(ticker, timeout=10)
    finally:
        other.close()
    try:
        async with engine.connect() as conn:
            names = (await conn.execute(text("SELECT name FROM t"))).scalars().all()
    finally:
        await engine.dispose()
    assert names == []
    assert ticks == 20
