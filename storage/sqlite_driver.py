"""aiosqlite whose statements run on the event loop's thread, and in its own thread only when
they would wait.

aiosqlite runs each SQLite connection in a thread of its own and hands every call over to it.
A hand-off wakes the thread, then the event loop, and both contend for the GIL: with fifty
people reporting at once this, not SQLite, was most of what SQLite cost the bot over
PostgreSQL (bench/turns.py, issue #9). The statements of a turn take microseconds, and the
writers of this process already wait for each other in an asyncio queue (storage/db.py), so
here a statement runs directly, on the calling thread, with SQLite's busy handler off:

- when another process (the CLI) holds the write lock, SQLite says so at once, and the
  statement goes over to the connection's thread, where it waits for the lock as long as the
  engine's busy timeout allows; SQLite did nothing of a statement it refused as busy, so it is
  run again whole;
- statements that may take long on a big file (the half-year report's aggregates, the daily
  erasure) are run inside `off_the_loop()`, which sends them to the thread as aiosqlite would,
  so other people's turns go on meanwhile.

In the thread a statement is executed, its rows fetched and its cursor closed in one hand-off,
and a commit or rollback outside a transaction is skipped. The rows of a query are fetched at
once, as SQLAlchemy's aiosqlite cursor does anyway; a streamed query (`stream_results`, which
this code base does not use) would find no fetchone or fetchmany here and fail at once.

Built on aiosqlite's Connection (its worker thread and queue: `_execute`, `_conn`, `_thread`);
tests/storage/test_sqlite_driver.py pins what this relies on.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from functools import partial
from typing import Any

import aiosqlite

_Description = tuple[tuple[Any, ...], ...] | None

_OFF_THE_LOOP: ContextVar[bool] = ContextVar("sqlite_off_the_loop", default=False)


@contextlib.contextmanager
def off_the_loop() -> Iterator[None]:
    """SQLite statements made inside (by this task) run in their connection's thread, not on the
    event loop's: for work whose statements may take long. No effect on PostgreSQL."""
    token = _OFF_THE_LOOP.set(True)
    try:
        yield
    finally:
        _OFF_THE_LOOP.reset(token)


def is_busy(error: sqlite3.OperationalError) -> bool:
    """SQLite's lock is held by someone else (its primary result code, whatever the extended)."""
    return (getattr(error, "sqlite_errorcode", 0) & 0xFF) in (
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
    )


class OneHopCursor:
    """The part of aiosqlite's Cursor that SQLAlchemy's adapter uses. The sqlite3 cursor is made,
    used and closed inside the connection's thread, in one call."""

    def __init__(self, connection: OneHopConnection) -> None:
        self._connection = connection
        self._rows: list[Any] = []
        self.description: _Description = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    async def __aenter__(self) -> OneHopCursor:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Any = ()) -> OneHopCursor:
        return await self._run(lambda cursor: cursor.execute(sql, parameters))

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> OneHopCursor:
        return await self._run(lambda cursor: cursor.executemany(sql, parameters))

    async def _run(self, statement: Callable[[sqlite3.Cursor], object]) -> OneHopCursor:
        raw = self._connection._conn

        def run() -> tuple[_Description, list[Any], int, int | None]:
            cursor = raw.cursor()
            try:
                statement(cursor)
                rows = cursor.fetchall() if cursor.description else []
                return cursor.description, rows, cursor.rowcount, cursor.lastrowid
            finally:
                cursor.close()

        found = await self._connection._execute(run)
        self.description, self._rows, self.rowcount, self.lastrowid = found
        return self

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def close(self) -> None:
        self._rows = []


class OneHopConnection(aiosqlite.Connection):
    """aiosqlite's Connection that runs a call on the caller's thread unless it would wait (see
    the module's docstring), whose cursors take one call a statement, and which makes no call
    for a commit or rollback when no transaction is open."""

    def __init__(self, connector: Callable[[], sqlite3.Connection], busy_ms: int) -> None:
        super().__init__(connector, 64)
        # How long a statement waits in the thread for another process's write lock.
        self.busy_ms = busy_ms
        # Calls handed to the thread and not yet done there (counted from both threads).
        self._queued = 0
        self._counting = threading.Lock()

    def cursor(self) -> OneHopCursor:  # type: ignore[override]
        return OneHopCursor(self)

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        # Never on both threads at once: while a call is queued for or running in the thread
        # (one whose caller was cancelled meanwhile, say), the next ones queue behind it.
        if not _OFF_THE_LOOP.get() and not self._queued:
            try:
                return fn(*args, **kwargs)
            except sqlite3.OperationalError as error:
                if not is_busy(error):
                    raise
        with self._counting:
            self._queued += 1
        return await super()._execute(self._waiting, fn, args, kwargs)

    def _waiting(self, fn: Callable[..., Any], args: Any, kwargs: Any) -> Any:
        """In the connection's thread: `fn`, waiting for another process's lock if need be."""
        raw = self._conn
        try:
            raw.execute(f"PRAGMA busy_timeout={int(self.busy_ms)}")
            try:
                return fn(*args, **kwargs)
            finally:
                raw.execute("PRAGMA busy_timeout=0")
        finally:
            with self._counting:
                self._queued -= 1

    def _in_transaction(self) -> bool:
        # A flag in sqlite3; while a call is still to run in the thread (one whose caller was
        # cancelled) it may yet begin one, so the commit or rollback queues behind it.
        return bool(self._queued) or (
            self._connection is not None and self._connection.in_transaction
        )

    async def commit(self) -> None:
        if self._in_transaction():
            await super().commit()

    async def rollback(self) -> None:
        if self._in_transaction():
            await super().rollback()


async def connect(database: str, *, busy_ms: int = 5000, **kwargs: Any) -> OneHopConnection:
    """A connection to `database` (a file path), opened in its own thread, which does not keep
    the process alive at exit (as SQLAlchemy sets aiosqlite's threads). Used from the event
    loop's thread and its own; SQLite's busy handler off (`busy_ms`: the wait in the thread)."""
    kwargs |= {"timeout": 0, "check_same_thread": False}
    connection = OneHopConnection(partial(sqlite3.connect, database, **kwargs), busy_ms)
    connection._thread.daemon = True
    await connection  # starts the thread and connects in it
    return connection
