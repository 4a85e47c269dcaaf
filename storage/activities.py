"""Which incoming activities have been taken, so a redelivered one is not handled twice."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import async_sessionmaker

from storage.db import insert_if_absent
from storage.models import ProcessedActivity, utcnow

# Teams redelivers within seconds to minutes; a day is far beyond that.
REMEMBER_FOR = timedelta(days=1)


def activity_key(channel_id: str, conversation_id: str, activity_id: str) -> str:
    return hashlib.sha256(f"{channel_id}\n{conversation_id}\n{activity_id}".encode()).hexdigest()


class ProcessedActivities:
    def __init__(self, sessions: async_sessionmaker[Any]) -> None:
        self._sessions = sessions

    async def claim(self, key: str) -> bool:
        """True for the first delivery of an activity; False for every later one."""
        async with self._sessions() as session, session.begin():
            return await insert_if_absent(
                session, ProcessedActivity, {"key": key, "created_at": utcnow()}
            )

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
