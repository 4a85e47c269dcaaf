"""A redelivered Teams activity is taken once (on SQLite and on PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from storage.activities import ProcessedActivities, activity_key
from storage.models import ProcessedActivity

KEY = activity_key("msteams", "a:personal-chat", "1700000000001")
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


async def created_at(sessions: Any, key: str, when: datetime) -> None:
    async with sessions() as session, session.begin():
        await session.execute(
            update(ProcessedActivity).where(ProcessedActivity.key == key).values(created_at=when)
        )


async def remembered(sessions: Any) -> set[str]:
    async with sessions() as session:
        return set((await session.execute(select(ProcessedActivity.key))).scalars())


async def test_the_first_delivery_is_claimed(sessions: Any) -> None:
    assert await ProcessedActivities(sessions).claim(KEY) is True


async def test_a_redelivery_is_not_claimed(sessions: Any) -> None:
    activities = ProcessedActivities(sessions)
    await activities.claim(KEY)
    assert await activities.claim(KEY) is False


async def test_another_activity_is_claimed_on_its_own(sessions: Any) -> None:
    activities = ProcessedActivities(sessions)
    await activities.claim(KEY)
    other = activity_key("msteams", "a:personal-chat", "1700000000002")
    assert await activities.claim(other) is True


async def test_a_released_activity_can_be_claimed_again(sessions: Any) -> None:
    activities = ProcessedActivities(sessions)
    await activities.claim(KEY)
    await activities.release(KEY)
    assert await activities.claim(KEY) is True


async def test_purge_forgets_activities_older_than_a_day(sessions: Any) -> None:
    activities = ProcessedActivities(sessions)
    old, recent = KEY, activity_key("msteams", "a:personal-chat", "1700000000002")
    await activities.claim(old)
    await activities.claim(recent)
    await created_at(sessions, old, NOW - timedelta(days=1, minutes=1))
    await created_at(sessions, recent, NOW - timedelta(hours=23))

    assert await activities.purge(now=NOW) == 1
    assert await remembered(sessions) == {recent}


def test_activity_keys_differ_per_conversation() -> None:
    assert activity_key("msteams", "a:one", "1") != activity_key("msteams", "a:two", "1")
