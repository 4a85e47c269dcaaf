"""Reminder rows on both databases: scheduled once per key, put on the outbox when due and
delivered from it exactly once by any number of instances, late after downtime but never lost
or repeated, retried and given up by the outbox's one rule."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from domain.access import Person
from scheduler.outbox import ByKind, GiveUp, OutboxDelivery
from scheduler.reminders import Handler, Obsolete, ReminderSweep, Unreachable, sweep_time
from scheduler.sender import SendRefused
from storage.db import make_engine, make_sessionmaker
from storage.migrate import downgrade, upgrade
from storage.models import OutboxMessage, Reminder
from storage.outbox import Outbox, OutboxItem
from storage.reminders import REMINDER, DueReminder, Reminders, ReminderSpec, cancel_pending
from tests.support import TENANT

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
PERSON = Person(TENANT, "someone")


def spec(key: str, due_at: datetime = NOW, kind: str = "test") -> ReminderSpec:
    return ReminderSpec(key=key, tenant_id=TENANT, kind=kind, due_at=due_at, person=PERSON)


class NothingElse:
    """The outbox's deliverer for anything but reminders: these tests write nothing else."""

    async def __call__(self, item: OutboxItem) -> None:
        raise GiveUp(f"unexpected {item.kind}")

    async def tell_failed(self, item: OutboxItem, why: str) -> None:
        raise AssertionError(why)


def sweep_on(
    sessions: Any, handlers: dict[str, Handler], rand: float = 0.5, **options: Any
) -> ReminderSweep:
    """A sweep whose reminders are delivered from the outbox, as the bot wires it."""
    sweep = ReminderSweep(Reminders(sessions), handlers, **options)
    outbox = OutboxDelivery(
        Outbox(sessions), ByKind(NothingElse(), {REMINDER: sweep}), rand=lambda: rand
    )
    sweep.deliver_with(outbox)
    return sweep


def answering(answers: list[Exception | None], sent: list[str]) -> Handler:
    """A handler that meets each answer in turn (an error raised, None sent) and notes what it
    sent."""

    async def deliver(reminder: DueReminder) -> None:
        answer = answers.pop(0)
        if answer is not None:
            raise answer
        sent.append(reminder.key)

    return deliver


async def states(sessions: Any) -> dict[str, str]:
    async with sessions() as session:
        rows = (await session.execute(select(Reminder.key, Reminder.state))).all()
    return {key: state for key, state in rows}


async def test_scheduling_the_same_key_twice_makes_one_reminder(sessions):
    reminders = Reminders(sessions)

    assert await reminders.schedule(spec("a")) is True
    assert await reminders.schedule(spec("a", NOW + timedelta(days=1))) is False

    assert await states(sessions) == {"a": "pending"}


async def test_nothing_is_queued_before_it_is_due(sessions):
    reminders = Reminders(sessions)
    await reminders.schedule(spec("later", NOW + timedelta(minutes=1)))

    assert await reminders.queue_due(NOW) == 0
    assert await reminders.queue_due(NOW + timedelta(minutes=1)) == 1
    assert await states(sessions) == {"later": "queued"}
    async with sessions() as session:
        [row] = (await session.execute(select(OutboxMessage))).scalars()
    assert (row.kind, row.state, row.created_at) == (
        REMINDER,
        "pending",
        NOW + timedelta(minutes=1),
    )


async def test_a_reminder_is_queued_once_however_often_the_sweep_runs(sessions):
    reminders = Reminders(sessions)
    await reminders.schedule(spec("once"))

    assert [await reminders.queue_due(NOW) for _ in range(3)] == [1, 0, 0]


async def test_two_instances_sweeping_at_once_deliver_each_reminder_exactly_once(
    sessions, database_url
):
    reminders = Reminders(sessions)
    for i in range(120):
        await reminders.schedule(spec(f"r{i:03d}", NOW - timedelta(minutes=i)))
    delivered: list[str] = []

    async def deliver(reminder: DueReminder) -> None:
        await asyncio.sleep(0)  # let the other instance in between
        delivered.append(reminder.key)

    # Two instances: each its own engine (its own connections), one database.
    engines = [make_engine(database_url) for _ in range(2)]
    try:
        sweeps = [sweep_on(make_sessionmaker(e), {"test": deliver}) for e in engines]
        results = await asyncio.gather(*(s.run_once(NOW) for s in sweeps))
    finally:
        for e in engines:
            await e.dispose()

    assert sorted(delivered) == [f"r{i:03d}" for i in range(120)]
    assert sum(r["sent"] for r in results) == 120
    assert set((await states(sessions)).values()) == {"sent"}


async def test_after_downtime_what_fell_due_is_delivered_late_once_with_its_own_time(sessions):
    reminders = Reminders(sessions)
    due = NOW - timedelta(days=3)
    await reminders.schedule(spec("missed", due))
    seen: list[tuple[datetime, datetime]] = []

    async def deliver(reminder: DueReminder) -> None:
        seen.append((reminder.due_at, sweep_time()))

    restarted = sweep_on(sessions, {"test": deliver})
    await restarted.run_once(NOW)
    await restarted.run_once(NOW + timedelta(minutes=1))

    assert seen == [(due, NOW)]


async def test_a_reminder_an_earlier_version_left_claimed_is_pending_again_after_upgrade(
    engine, sessions
):
    await downgrade(engine, "0009")
    try:
        await Reminders(sessions).schedule(spec("held"))
        async with sessions() as session, session.begin():
            row = (await session.execute(select(Reminder))).scalar_one()
            row.state, row.claimed_until = "claimed", NOW + timedelta(minutes=5)
    finally:
        await upgrade(engine)

    assert await states(sessions) == {"held": "pending"}
    assert await Reminders(sessions).queue_due(NOW) == 1


async def test_a_reminder_cancelled_while_it_waits_on_the_outbox_is_not_sent(sessions):
    reminders = Reminders(sessions)
    await reminders.schedule(spec("moot"))
    sent: list[str] = []
    deliver = answering([SendRefused(503), None], sent)

    sweep = sweep_on(sessions, {"test": deliver}, rand=1.0)
    assert (await sweep.run_once(NOW))["retry"] == 1
    async with sessions() as session, session.begin():
        await cancel_pending(session, key_prefix="moot")  # the case was assessed meanwhile
    await sweep.run_once(NOW + timedelta(hours=1))

    assert sent == [] and await states(sessions) == {"moot": "cancelled"}


async def test_a_throttled_send_is_retried_later_and_keeps_its_due_time(sessions):
    reminders = Reminders(sessions)
    await reminders.schedule(spec("busy"))
    answers = [SendRefused(429), None]
    seen: list[datetime] = []

    async def deliver(reminder: DueReminder) -> None:
        seen.append(reminder.due_at)
        answer = answers.pop(0)
        if answer is not None:
            raise answer

    sweep = sweep_on(sessions, {"test": deliver}, rand=1.0)
    assert (await sweep.run_once(NOW))["retry"] == 1
    assert (await sweep.run_once(NOW + timedelta(seconds=14)))["sent"] == 0
    assert (await sweep.run_once(NOW + timedelta(seconds=15)))["sent"] == 1
    assert seen == [NOW, NOW]


async def test_a_reminder_no_longer_true_is_cancelled_not_sent(sessions):
    reminders = Reminders(sessions)
    await reminders.schedule(spec("moot"))

    async def deliver(reminder: DueReminder) -> None:
        raise Obsolete("the case was assessed")

    assert (await sweep_on(sessions, {"test": deliver}).run_once(NOW))["cancelled"] == 1
    assert await states(sessions) == {"moot": "cancelled"}


async def test_an_unreachable_person_is_recorded_and_reported_not_retried(sessions):
    reminders = Reminders(sessions)
    await reminders.schedule(spec("nobody"))
    reported: list[str] = []

    async def deliver(reminder: DueReminder) -> None:
        raise Unreachable("no chat")

    async def on_unreachable(reminder: DueReminder, why: str) -> None:
        reported.append(reminder.key)

    sweep = sweep_on(sessions, {"test": deliver}, on_unreachable=on_unreachable)
    await sweep.run_once(NOW)
    await sweep.run_once(NOW + timedelta(days=1))

    assert reported == ["nobody"]
    assert await states(sessions) == {"nobody": "unreachable"}


async def test_a_blocked_bot_makes_the_reminder_unreachable(sessions):
    reminders = Reminders(sessions)
    await reminders.schedule(spec("blocked"))

    async def deliver(reminder: DueReminder) -> None:
        raise SendRefused(403, "MessageWritesBlocked")

    await sweep_on(sessions, {"test": deliver}).run_once(NOW)

    assert await states(sessions) == {"blocked": "unreachable"}


async def test_a_reminder_teams_refuses_for_now_is_tried_again(sessions):
    reminders = Reminders(sessions)
    await reminders.schedule(spec("busy"))

    async def deliver(reminder: DueReminder) -> None:
        raise SendRefused(503)

    counts = await sweep_on(sessions, {"test": deliver}).run_once(NOW)

    assert counts["retry"] == 1
    assert (await states(sessions))["busy"] not in ("failed", "unreachable", "sent")


async def test_a_reminder_that_keeps_failing_is_given_up_at_its_deadline_and_told(sessions):
    reminders = Reminders(sessions)
    await reminders.schedule(spec("broken"))
    told: list[str] = []

    async def deliver(reminder: DueReminder) -> None:
        raise ConnectionError()

    async def tell(reminder: DueReminder, why: str) -> None:
        told.append(why)

    sweep = sweep_on(sessions, {"test": deliver}, on_unreachable=tell)
    moment = NOW
    while await states(sessions) != {"broken": "failed"} and moment < NOW + timedelta(days=3):
        await sweep.run_once(moment)
        moment += timedelta(hours=2)

    assert await states(sessions) == {"broken": "failed"}
    assert NOW + timedelta(hours=20) <= moment <= NOW + timedelta(hours=28)
    assert len(told) == 1 and "deadline" in told[0]


async def test_a_reminder_of_a_kind_nobody_handles_fails_loudly(sessions):
    await Reminders(sessions).schedule(spec("odd", kind="unknown_kind"))

    counts = await sweep_on(sessions, {}).run_once(NOW)

    assert counts["failed"] == 1


async def test_a_reminder_given_up_and_put_back_by_an_operator_is_sent(sessions):
    await Reminders(sessions).schedule(spec("blocked"))
    sent: list[str] = []
    deliver = answering([SendRefused(403, "MessageWritesBlocked"), None], sent)

    sweep = sweep_on(sessions, {"test": deliver})
    assert (await sweep.run_once(NOW))["unreachable"] == 1
    outbox = Outbox(sessions)
    [failed] = await outbox.entries(("failed",))

    assert await outbox.put_back(failed.id, NOW)  # `tryggest outbox retry`, once unblocked
    assert (await sweep.run_once(NOW + timedelta(minutes=1)))["sent"] == 1
    assert sent == ["blocked"] and await states(sessions) == {"blocked": "sent"}
