"""Which incoming activities have been taken, so a redelivered one is not handled twice."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import async_sessionmaker

from domain.clock import utcnow
from storage.models import ProcessedActivity

# Teams redelivers within seconds to minutes; a day is far beyond that.
REMEMBER_FOR = timedelta(days=1)


# Taking an activity, per dialect: a row inserted unless it is there (rowcount 1: ours). Built
# once, as it runs on every turn (also inside storage/state_store.py's claim_and_read).
CLAIM = {
    dialect: insert(ProcessedActivity)
    .values(key=bindparam("key"), created_at=bindparam("now"))
    .on_conflict_do_nothing()
    for dialect, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


def activity_key(channel_id: str, conversation_id: str, activity_id: str) -> str:
    return hashlib.sha256(f"{channel_id}\n{conversation_id}\n{activity_id}".encode()).hexdigest()


class ProcessedActivities:
    def __init__(self, sessions: async_sessionmaker[Any]) -> None:
        self._sessions = sessions

    async def claim(self, key: str) -> bool:
        """True for the first delivery of an activity; False for every later one."""
        async with self._sessions() as session, session.begin():
            # On the connection: through the ORM session, a statement with parameters would
            # be taken for a bulk insert, whose result has no rowcount.
            conn = await session.connection()
            result = await conn.execute(CLAIM[conn.dialect.name], {"key": key, "now": utcnow()})
            return bool(result.rowcount)

    async def release(self, key: str) -> None:
        """The turn failed before it did anything lasting: let a redelivery try again."""
        async with self._sessions() as session, session.begin():
            await session.execute(delete(ProcessedActivity).where(ProcessedActivity.key == key))

    async def purge(self, now: datetime | None = None) -> int:
        cutoff = (now or utcnow()) - REMEMBER_FOR
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                delete(ProcessedActivity).where(ProcessedActivity.created_at < cutoff)
            )
            return int(result.rowcount or 0)
