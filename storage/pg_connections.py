"""PostgreSQL only: a few asyncpg connections of the dialogue state's own, outside SQLAlchemy's
pool.

Every turn reads the state and saves it, one statement each, directly on a driver connection
(storage/state_store.py). Taken from SQLAlchemy's pool, such a connection cost a greenlet each
way, the pool's bookkeeping and its reset: more CPU than the statement itself, twice a turn
(bench/steps.py: a report 35-38 ms of CPU through the pool, 31-33 ms here; bench/turns.py
3.65x the stock echo bot's throughput through the pool, 4.1x here). So the state keeps its
own: an idle one is taken from a list, a new one is opened when none is idle, and at most
`size` are in use at once (a turn waits for one to be given back).

A connection goes back to the list only after a statement that ended cleanly, outside a
transaction; after an error or a cancellation it is closed, so no half-done work is ever
reused. Connections belong to the event loop they were opened in: under a new loop (a test's)
the old ones are dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from sqlalchemy.engine import URL

# Enough for the turns a busy instance runs at once: a turn holds one for a statement only.
# With 5, fifty people at once (bench/turns.py) waited for them: 10-15% fewer turns a second.
STATE_CONNECTIONS = 10

# SQLAlchemy's own options in its asyncpg URL, which asyncpg.connect does not take.
_SQLALCHEMY_ONLY = ("prepared_statement_cache_size", "prepared_statement_name_func")


def connect_arguments(dialect: Any, url: URL) -> dict[str, Any]:
    """asyncpg.connect's arguments for the database SQLAlchemy's engine connects to (host,
    port, user, password, database and the URL's query, such as ssl)."""
    _, options = dialect.create_connect_args(url)
    return {k: v for k, v in options.items() if k not in _SQLALCHEMY_ONLY}


class PostgresConnections:
    def __init__(self, arguments: dict[str, Any], size: int = STATE_CONNECTIONS) -> None:
        self._arguments = arguments
        self._size = size
        self._idle: list[asyncpg.Connection] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots: asyncio.Semaphore | None = None

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        slots = self._for_this_loop()
        async with slots:
            connection = None
            while self._idle and connection is None:
                candidate = self._idle.pop()
                if not candidate.is_closed():
                    connection = candidate
            if connection is None:
                connection = await asyncpg.connect(**self._arguments)
            clean = False
            try:
                yield connection
                clean = not connection.is_in_transaction()
            except _CONNECTION_LOST:
                # The server went away (a restart, a failover): the idle ones were opened before
                # and are gone too. Dropped now, or each would fail one more person's turn.
                self.close()
                raise
            finally:
                if clean and not connection.is_closed():
                    self._idle.append(connection)
                else:
                    _terminate(connection)

    def _for_this_loop(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._slots is None or self._loop is not loop:
            self.close()
            self._loop, self._slots = loop, asyncio.Semaphore(self._size)
        return self._slots

    def close(self) -> None:
        """Close the idle connections (at once: the socket, not a goodbye to the server)."""
        idle, self._idle = self._idle, []
        for connection in idle:
            _terminate(connection)


_CONNECTION_LOST = (
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.InterfaceError,
    asyncpg.AdminShutdownError,
    asyncpg.InternalClientError,
    ConnectionError,
    OSError,
)


def _terminate(connection: asyncpg.Connection) -> None:
    # When its event loop is closed (a test's, or an asyncio.run before this one), nothing can
    # run the close any more: the connection is marked closed all the same, and its socket is
    # closed when the garbage collector takes the transport.
    with contextlib.suppress(RuntimeError):
        connection.terminate()
