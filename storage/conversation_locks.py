"""One turn at a time per conversation across instances (PostgreSQL advisory locks).

Within a process the turns of one conversation already run one at a time (bot/middleware.py).
With several instances on one database, a person's next answer can reach another instance
while the first is still finishing the turn that showed the question (its reply is out, its
state not yet saved): the second would read the dialogue where it was before and ask again.
So an instance takes the conversation's advisory lock for the length of a turn.

The locks are session-level, all held on one connection of this process kept for the purpose,
and taken with pg_try_advisory_lock (never waiting on that connection, which every turn shares);
a turn that finds the lock taken tries again shortly after. If the process dies, its connection
closes and PostgreSQL lets go of its locks. On SQLite (one process) there is nothing to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

# How long a turn waits for another instance's turn of the same conversation; Teams gives up on
# a turn after about 15 seconds, and a turn that waited this long goes ahead rather than fail.
WAIT_SECONDS = 10.0
_RETRY_SECONDS = (0.002, 0.005, 0.01, 0.02, 0.05)

_TRY = text("SELECT pg_try_advisory_lock(:key)")
_UNLOCK = text("SELECT pg_advisory_unlock(:key)")


def lock_key(conversation_id: str) -> int:
    """A signed 64-bit key for the conversation (advisory locks take a bigint)."""
    digest = hashlib.sha256(b"tryggest-conversation\n" + conversation_id.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class ConversationLocks:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._enabled = engine.dialect.name == "postgresql"
        self._conn: AsyncConnection | None = None
        self._use = asyncio.Lock()  # one statement at a time on the shared connection

    @contextlib.asynccontextmanager
    async def held(self, conversation_id: str) -> AsyncIterator[None]:
        if not self._enabled:
            yield
            return
        key = lock_key(conversation_id)
        taken = await self._take(key)
        try:
            yield
        finally:
            if taken:
                await self._give_back(key)

    async def _take(self, key: int) -> bool:
        waited = 0.0
        attempt = 0
        while True:
            try:
                if await self._run(_TRY, key):
                    return True
            except Exception as error:  # the database is unreachable: the turn goes ahead
                log.warning("conversation lock not taken: %s", type(error).__name__)
                return False
            if waited >= WAIT_SECONDS:
                log.warning("conversation lock still held elsewhere after %.0f s", waited)
                return False
            pause = _RETRY_SECONDS[min(attempt, len(_RETRY_SECONDS) - 1)]
            await asyncio.sleep(pause)
            waited += pause
            attempt += 1

    async def _give_back(self, key: int) -> None:
        try:
            await self._run(_UNLOCK, key)
        except Exception as error:
            # The connection is gone, and PostgreSQL let go of its locks with it.
            log.warning("conversation lock not given back: %s", type(error).__name__)

    async def _run(self, statement: Any, key: int) -> bool:
        async with self._use:
            if self._conn is None or self._conn.closed or self._conn.invalidated:
                # Autocommit: the locks belong to the session, no transaction is left open.
                conn = await self._engine.connect()
                self._conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            try:
                return bool((await self._conn.execute(statement, {"key": key})).scalar())
            except Exception:
                # A new connection next time; the locks of this one go with it.
                await self._discard()
                raise

    async def _discard(self) -> None:
        """Close the connection for good, not back into the pool: a pooled connection would
        keep its session's locks for whoever took it next."""
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.invalidate()
            with contextlib.suppress(Exception):
                await self._conn.close()
            self._conn = None

    async def close(self) -> None:
        async with self._use:
            await self._discard()
