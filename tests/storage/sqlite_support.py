"""What goes over to a SQLite connection's own thread, and where each statement ran
(storage/sqlite_driver.py)."""

from __future__ import annotations

import collections
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@contextmanager
def hand_offs(monkeypatch: pytest.MonkeyPatch) -> Iterator[collections.Counter[str]]:
    """What was handed over to a connection's thread while inside, by function name. Counted
    at aiosqlite's queue, the one place a call goes over to a connection's thread."""
    counted: collections.Counter[str] = collections.Counter()
    handed_off = aiosqlite.Connection._execute

    async def counting(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        counted[getattr(fn, "__name__", "?")] += 1
        return await handed_off(self, fn, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(aiosqlite.Connection, "_execute", counting)
        yield counted


@contextmanager
def statements_by_thread(engine: AsyncEngine) -> Iterator[list[tuple[int, str]]]:
    """Each statement run on a connection `engine` opens while inside, with the thread it ran
    in: SQLite calls its trace callback in the thread that executes the statement. Connections
    opened before are not traced (dispose the engine first)."""
    seen: list[tuple[int, str]] = []

    def trace(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.driver_connection._conn.set_trace_callback(
            lambda sql: seen.append((threading.get_ident(), sql))
        )

    event.listen(engine.sync_engine, "connect", trace)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "connect", trace)
