"""Engines and sessions for the two databases we run on: SQLite (embedded) and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import weakref
from collections.abc import AsyncIterator
from functools import partial
from typing import Any, cast

import asyncpg
from sqlalchemy import CursorResult, Table, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util import await_

from storage import sqlite_driver

# SQLite's own wait for its write lock (busy_timeout), and the longest a writer of this process
# waits its turn behind the others before it is told the database is locked.
SQLITE_BUSY_MS = 5000
WRITER_WAIT_SECONDS = 10.0


def async_url(url: str) -> str:
    """Accept the URLs people write ('postgresql://…', 'sqlite:///file') and pick async drivers."""
    parsed = make_url(url)
    driver = {"postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg"}.get(
        parsed.drivername, parsed.drivername
    )
    if driver == "sqlite":
        driver = "sqlite+aiosqlite"
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


# Connections kept open for turns at the same time, and more opened at the busiest.
# SQLAlchemy's default (5, and 10 more closed again after use) made a busy bot open a new
# connection for about a third of its turns, and opening one (asyncpg's handshake, SQLite's
# thread and pragmas) cost more than the turn's own queries (bench/turns.py's profile). Since
# the dialogue state has connections of its own (storage/pg_connections.py, 10 at most), the
# pool serves what a report, a card press or a reminder does: 15 kept open and 5 more at the
# busiest, 31 in all with the state's and the conversation locks' (docs/production.md).
POOL_SIZE = 15
POOL_OVERFLOW = 5


def make_engine(url: str, sqlite_busy_ms: int = SQLITE_BUSY_MS, **kwargs: Any) -> AsyncEngine:
    url = async_url(url)
    kwargs.setdefault("pool_size", POOL_SIZE)
    kwargs.setdefault("max_overflow", POOL_OVERFLOW)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # SQLAlchemy's own connect arguments for the file, on storage/sqlite_driver.py's
        # connection (statements on the event loop's thread; in the connection's own only to
        # wait for another process's lock, or inside off_the_loop()).
        args, options = parsed.get_dialect()().create_connect_args(parsed)
        kwargs.setdefault(
            "async_creator",
            partial(sqlite_driver.connect, *args, busy_ms=sqlite_busy_ms, **options),
        )
    else:
        # A pooled connection is checked before use: after PostgreSQL restarts or fails over,
        # the pool's connections are gone, and without the check each would fail one more
        # person's turn ("Meldingen ble IKKE sendt") before the pool noticed.
        kwargs.setdefault("pool_pre_ping", True)
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        _one_writer_at_a_time(engine)
    return engine


_DML = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_HELD = "tryggest_writer_lock"


class _WriterQueue:
    """SQLite lets one connection write at a time, and its busy handler is no queue: under load a
    writer polling for the lock can lose to newer ones for longer than busy_timeout and fail
    with "database is locked" (seen with 50 reporters at once). So the writers of this process
    wait their turn in one FIFO asyncio lock, taken at a transaction's first write, as
    pysqlite's implicit BEGIN is, and given back with the connection. Other processes (the
    CLI) still meet at SQLite's own lock."""

    def __init__(self) -> None:
        self._lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.owner: asyncio.Task[Any] | None = None

    def lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._lock is None or self._loop is not loop:
            self._lock, self._loop, self.owner = asyncio.Lock(), loop, None
        return self._lock

    def acquire(self, info: dict[str, Any], statement: str) -> None:
        await_(self.take(info, statement))

    async def take(self, info: dict[str, Any], statement: str) -> None:
        """Wait for this connection's turn to write (`info`: its pool record's)."""
        if info.get(_HELD) is not None:
            return
        task = asyncio.current_task()
        if task is not None and task is self.owner:
            # The same task writing on a second connection while its first holds the lock:
            # waiting here would never end, so SQLite's own lock decides (the statement waits
            # in the connection's thread for up to the busy timeout: storage/sqlite_driver.py).
            return
        lock = self.lock()
        try:
            await _acquire(lock)
        except TimeoutError as error:
            raise OperationalError(
                statement, None, sqlite3.OperationalError("database is locked")
            ) from error
        self.owner = task
        info[_HELD] = lock

    def release(self, info: dict[str, Any]) -> None:
        lock = info.pop(_HELD, None)
        if lock is not None and lock.locked():
            self.owner = None
            lock.release()


async def _acquire(lock: asyncio.Lock) -> None:
    # asyncio.timeout rather than wait_for, whose 3.11 version can swallow a cancellation.
    async with asyncio.timeout(WRITER_WAIT_SECONDS):
        await lock.acquire()


# Each SQLite engine's queue, for code that writes on the driver's connection directly
# (storage/state_store.py), where no cursor event fires.
_QUEUES: weakref.WeakKeyDictionary[Any, _WriterQueue] = weakref.WeakKeyDictionary()


async def wait_to_write(engine: AsyncEngine, info: dict[str, Any], statement: str) -> None:
    """Before a write on a pooled connection's driver connection (`info`: the pool record's,
    `PoolProxiedConnection.info`): wait this process's writers' turn, as every write through
    SQLAlchemy does. Given back with the connection. Nothing to wait for on PostgreSQL."""
    queue = _QUEUES.get(engine.sync_engine)
    if queue is not None:
        await queue.take(info, statement)


@contextlib.asynccontextmanager
async def writer_turn(engine: AsyncEngine, statement: str) -> AsyncIterator[bool]:
    """This process's turn to write, for a SQLite connection outside the pool (storage/
    state_store.py's own), held while inside. False when the running task holds the turn
    already through a pooled connection: waiting for it would never end, so the caller writes
    through the pool instead. True at once on PostgreSQL (nothing to wait for)."""
    queue = _QUEUES.get(engine.sync_engine)
    if queue is None:
        yield True
        return
    held: dict[str, Any] = {}
    await queue.take(held, statement)  # takes nothing when the running task has the turn
    try:
        yield _HELD in held
    finally:
        queue.release(held)


def _one_writer_at_a_time(engine: AsyncEngine) -> None:
    queue = _WriterQueue()
    _QUEUES[engine.sync_engine] = queue

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _before_write(
        conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        if statement.lstrip()[:7].upper().startswith(_DML):
            queue.acquire(conn.info, statement)

    # Given back when the connection goes back to the pool (committed, or rolled back there),
    # not at the engine's "commit"/"rollback" events: with a listener on those, SQLAlchemy 2.1
    # lost about a third of the cancellations that reached a session mid-query (measured), and a
    # cancelled background task then ran on for ever.
    @event.listens_for(engine.sync_engine, "reset")
    def _reset(_dbapi: Any, record: Any, _state: Any) -> None:
        queue.release(record.info)

    @event.listens_for(engine.sync_engine, "checkin")
    def _checkin(_dbapi: Any, record: Any) -> None:
        queue.release(record.info)

    @event.listens_for(engine.sync_engine, "invalidate")
    def _invalidated(_dbapi: Any, record: Any, _error: Any) -> None:
        queue.release(record.info)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[Any]:
    return async_sessionmaker(engine, expire_on_commit=False)


# What a failed database looks like to the code above storage/, which catches these to tell the
# person instead of failing the turn (and imports no SQLAlchemy): SQL_ERRORS, what SQLAlchemy
# raises (a statement refused, a connection lost, the pool's wait timed out); DATABASE_ERRORS,
# those, the drivers' own (the dialogue state's store runs its statements on the driver's
# connection: storage/state_store.py), and OSError, which a driver raises unwrapped when its
# connection is refused or reset.
SQL_ERRORS: tuple[type[Exception], ...] = (SQLAlchemyError,)
DATABASE_ERRORS: tuple[type[Exception], ...] = (
    *SQL_ERRORS,
    sqlite3.Error,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    # What asyncpg raises when the server drops a connection in the middle of a statement.
    asyncpg.InternalClientError,
    OSError,
)


# INSERT … ON CONFLICT DO NOTHING per dialect and table, built once: building the statement and
# its cache key on every call cost more than the round trip (issue #9). The values go in as
# parameters, so one statement serves every set of columns (SQLAlchemy compiles each set once).
_INSERTS_IF_ABSENT: dict[tuple[str, Table], Any] = {}


def insert_if_absent_statement(dialect: str, table: Table) -> Any:
    """INSERT … ON CONFLICT DO NOTHING into `table`, the values as parameters (one set of rows,
    or a list for many in one statement)."""
    statement = _INSERTS_IF_ABSENT.get((dialect, table))
    if statement is None:
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = _INSERTS_IF_ABSENT[(dialect, table)] = insert(table).on_conflict_do_nothing()
    return statement


async def insert_if_absent(session: AsyncSession, model: type[Any], values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING on both databases; True when the row was inserted."""
    dialect = session.get_bind().dialect.name
    statement = insert_if_absent_statement(dialect, cast(Table, model.__table__))
    result = await session.execute(statement, values)
    return bool(cast(CursorResult[Any], result).rowcount)
