"""aiosqlite with one thread hand-off per statement.

aiosqlite runs each SQLite connection in a thread of its own and hands every call over to it:
through SQLAlchemy, a SELECT was four hand-offs (make a cursor, execute, fetch the rows, close
the cursor) and an INSERT three, and each connection given back to the pool cost one more for a
rollback when there was nothing to roll back. A hand-off wakes the thread, then the event loop,
and both contend for the GIL: with fifty people reporting at once this, not SQLite, was most of
what SQLite cost the bot over PostgreSQL (bench/turns.py, issue #9).

Here a statement is executed, its rows fetched and its cursor closed in one hand-off, and a
commit or rollback outside a transaction is skipped. The rows of a query are fetched at once,
as SQLAlchemy's aiosqlite cursor does anyway; a streamed query (`stream_results`, which this
code base does not use) would find no fetchone or fetchmany here and fail at once.

Built on aiosqlite's Connection (its worker thread and queue: `_execute`, `_conn`, `_thread`);
tests/storage/test_sqlite_driver.py pins what this relies on.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

import aiosqlite

_Description = tuple[tuple[Any, ...], ...] | None


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

        def in_thread() -> tuple[_Description, list[Any], int, int | None]:
            cursor = raw.cursor()
            try:
                statement(cursor)
                rows = cursor.fetchall() if cursor.description else []
                return cursor.description, rows, cursor.rowcount, cursor.lastrowid
            finally:
                cursor.close()

        found = await self._connection._execute(in_thread)
        self.description, self._rows, self.rowcount, self.lastrowid = found
        return self

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def close(self) -> None:
        self._rows = []


class OneHopConnection(aiosqlite.Connection):
    """aiosqlite's Connection whose cursors take one hand-off a statement, and which does not
    hand off a commit or rollback when no transaction is open."""

    def cursor(self) -> OneHopCursor:  # type: ignore[override]
        return OneHopCursor(self)

    def _in_transaction(self) -> bool:
        # Read from the event loop's thread while the connection's own thread is idle (nothing
        # else runs on a connection SQLAlchemy is committing or giving back): a flag in sqlite3.
        return self._connection is not None and self._connection.in_transaction

    async def commit(self) -> None:
        if self._in_transaction():
            await super().commit()

    async def rollback(self) -> None:
        if self._in_transaction():
            await super().rollback()


async def connect(database: str, **kwargs: Any) -> OneHopConnection:
    """A connection to `database` (a file path), opened in its own thread, which does not keep
    the process alive at exit (as SQLAlchemy sets aiosqlite's threads)."""
    connection = OneHopConnection(partial(sqlite3.connect, database, **kwargs), 64)
    connection._thread.daemon = True
    await connection  # starts the thread and connects in it
    return connection
