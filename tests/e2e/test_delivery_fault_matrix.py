"""Messages on the one delivery queue — a new case's post in its team's channel, a
coordinator's reminder (the half-year report), a gathering's announcement in the network
channel, a coordinator's monthly access review, and personal details hidden again in a member's
chat — against a Bot Connector that fails in each way Teams can: once, several times in a row,
and until the deadline. Through the real application on SQLite and PostgreSQL (and two
instances on one PostgreSQL), each asserts what a person sees: the message arrives exactly once
after the fault has passed, or the person who can act on it is told.

The bot here makes one request per try (TRYGGEST_TEAMS_ATTEMPTS=1): every failure then meets
the outbox's own rule, not the quick retries within one try that tests/bot/test_teams_sender.py
covers.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import SERVICES_KEY
from storage.casework_reminders import HALF_YEAR
from storage.gatherings import POST
from storage.models import OutboxMessage, Reminder
from storage.personal_views import HIDE_VIEW
from tests.conftest import NOW as REPORTED_AT
from tests.conftest import remind, start_bot
from tests.e2e.channel import CHANNEL_ID, COORDINATOR, Channel, member_chat, moss_with_channel
from tests.e2e.test_case_channel import send_report, to
from tests.e2e.test_case_commands import MOSS_MEMBER
from tests.e2e.test_gatherings import NOW as ANNOUNCED_AT
from tests.e2e.test_gatherings import ORGANISER, schedule, told, with_network
from tests.e2e.test_monthly_review import early_next_month
from tests.e2e.test_personal_views import TEN_MINUTES, details_shown, updates_of
from tests.support import HANG, HANG_SECONDS, RESET, TENANT, Failure, all_text

# Teams' "not now": each is tried again until it arrives.
NOT_NOW = {
    "408": Failure(408),
    "412": Failure(412),
    "429": Failure(429),
    "429-retry-after": Failure(429, {"Retry-After": "120"}),
    "500": Failure(500),
    "502": Failure(502),
    "503": Failure(503),
    "504": Failure(504),
    "reset": Failure(RESET),
    "hang": Failure(HANG),
}
# Teams' final answers: the message is not tried again, and someone is told.
FINAL = {
    "400": (400, "BadArgument"),
    "403": (403, "MessageWritesBlocked"),
    "404": (404, "ConversationNotFound"),
    "413": (413, "MessageSizeTooBig"),
}
HALF_YEAR_DUE = datetime(2027, 1, 16, 8, 0, tzinfo=UTC)
COORDINATOR_CHAT = f"a:personal-{COORDINATOR}-{TENANT}"
MEMBER_CHAT = f"a:personal-{MOSS_MEMBER}-{TENANT}"


class Kind:
    """One kind of message: how it is set up and falls due, where it goes, and who hears when
    it cannot be delivered."""

    name: str
    target: str  # the conversation (or channel) it is sent to
    # how: "POST" a message into a chat, "CREATE" a thread in a channel, "PUT" a card replaced
    method: str
    # Whether a person hears of it when it cannot be delivered (else the operator does, from
    # the failed row: `tryggest outbox`, /healthz/delivery).
    tells_someone = True

    async def arrange(self, server: Any, url: str, connector: Any, sessions: Any) -> None: ...

    async def fall_due(self, server: Any) -> datetime:
        """Put it on the queue and make the first try; when that was."""
        ...

    def arrived(self, connector: Any) -> int: ...

    def told(self, connector: Any) -> int: ...

    def owns(self, row: OutboxMessage, reminder: Reminder | None) -> bool:
        """Whether the outbox row is this message's (and not another's queued beside it)."""
        ...


class CasePost(Kind):
    name, target, method = "case_post", CHANNEL_ID, "CREATE"

    async def arrange(self, server: Any, url: str, connector: Any, sessions: Any) -> None:
        await moss_with_channel(sessions)
        self.channel = Channel(url, connector)
        assert await self.channel.add_bot() < 300
        await member_chat(url, connector, COORDINATOR).say("hei")
        self.url = url

    async def fall_due(self, server: Any) -> datetime:
        await send_report(self.url, self.channel.connector)
        await server.app[SERVICES_KEY].outbox.run_once(REPORTED_AT)
        return REPORTED_AT

    def arrived(self, connector: Any) -> int:
        return len(self.channel.posts())

    def told(self, connector: Any) -> int:
        # The coordinator's card: which case did not get into the channel, with «Prøv igjen».
        return sum("kom ikke fram" in all_text(a) for a in to(connector, COORDINATOR))

    def owns(self, row: OutboxMessage, reminder: Reminder | None) -> bool:
        return row.kind == "case_reported"


class HalfYearReminder(Kind):
    name, target, method = "reminder", COORDINATOR_CHAT, "POST"

    async def arrange(self, server: Any, url: str, connector: Any, sessions: Any) -> None:
        await moss_with_channel(sessions)
        await member_chat(url, connector, COORDINATOR).say("hei")

    async def fall_due(self, server: Any) -> datetime:
        services = server.app[SERVICES_KEY]
        await services.plan_reminders(HALF_YEAR_DUE)
        await services.reminders.run_once(HALF_YEAR_DUE)
        return HALF_YEAR_DUE

    def arrived(self, connector: Any) -> int:
        return sum("Halvårsrapport 2026H2" in all_text(a) for a in to(connector, COORDINATOR))

    def owns(self, row: OutboxMessage, reminder: Reminder | None) -> bool:
        return reminder is not None and (reminder.kind, reminder.recipient_aad_object_id) == (
            HALF_YEAR,
            COORDINATOR,
        )

    def told(self, connector: Any) -> int:
        # The team's other coordinator hears that the reminder did not reach Lars.
        return sum(
            "kom ikke fram" in all_text(a) and "Lars Koordinator" in all_text(a)
            for a in connector.received
        )


class Announcement(Kind):
    name, target, method = "announcement", CHANNEL_ID, "CREATE"

    async def arrange(self, server: Any, url: str, connector: Any, sessions: Any) -> None:
        self.channel = await with_network(url, connector, sessions)
        await schedule(member_chat(url, connector, ORGANISER))

    async def fall_due(self, server: Any) -> datetime:
        await server.app[SERVICES_KEY].reminders.run_once(ANNOUNCED_AT)
        return ANNOUNCED_AT

    def arrived(self, connector: Any) -> int:
        return len(self.channel.posts())

    def told(self, connector: Any) -> int:
        return sum("ble ikke lagt ut" in t for t in told(connector, ORGANISER))

    def owns(self, row: OutboxMessage, reminder: Reminder | None) -> bool:
        return reminder is not None and reminder.kind == POST


class AccessReview(Kind):
    name, target, method = "access_review", COORDINATOR_CHAT, "POST"
    tells_someone = False

    async def arrange(self, server: Any, url: str, connector: Any, sessions: Any) -> None:
        await moss_with_channel(sessions)
        await member_chat(url, connector, COORDINATOR).say("hei")
        self.sessions = sessions

    async def fall_due(self, server: Any) -> datetime:
        now = early_next_month()
        services = server.app[SERVICES_KEY]
        await services.monthly_review(now)
        await services.outbox.run_once(now)
        return now

    def arrived(self, connector: Any) -> int:
        return sum("Tilgangsgjennomgang" in all_text(a) for a in to(connector, COORDINATOR))

    def owns(self, row: OutboxMessage, reminder: Reminder | None) -> bool:
        return row.kind == "access_review"

    def told(self, connector: Any) -> int:
        # The coordinator is the one it could not reach: it stays failed, for the operator
        # (`tryggest outbox`, /healthz/delivery), and is counted from there.
        return 0


class HiddenView(Kind):
    """The personal details a member opened, replaced when their minutes are up."""

    name, target, method = "hidden_view", MEMBER_CHAT, "PUT"
    # It is in the member's own chat, and nobody else can hide it: the log says which case.
    tells_someone = False

    async def arrange(self, server: Any, url: str, connector: Any, sessions: Any) -> None:
        _, self.shown = await details_shown(url, connector, sessions)

    async def fall_due(self, server: Any) -> datetime:
        await remind(server, REPORTED_AT + TEN_MINUTES)
        return REPORTED_AT + TEN_MINUTES

    def arrived(self, connector: Any) -> int:
        return len(updates_of(connector, self.shown))

    def told(self, connector: Any) -> int:
        return 0

    def owns(self, row: OutboxMessage, reminder: Reminder | None) -> bool:
        # Not the reporter's summary, hidden too (it was sent meanwhile: nothing to hide).
        return (
            reminder is not None
            and reminder.kind == HIDE_VIEW
            and reminder.payload.get("look") == "show_personal"
        )


KINDS = {k.name: k for k in (CasePost, HalfYearReminder, Announcement, AccessReview, HiddenView)}
# A 403 on a case's post means the bot was taken out of the team: the post waits for it to be
# added again, and the coordinators are told (tests/e2e/test_case_channel.py).
FINAL_RUNS = [
    pytest.param(kind, answer, id=f"{kind}-{answer}")
    for kind in KINDS
    for answer in FINAL
    if (kind, answer) != ("case_post", "403")
]


@contextlib.asynccontextmanager
async def one_try_bot(database_url: str, waits: float = 30.0) -> AsyncIterator[tuple[Any, str]]:
    """The bot, making one request per try and waiting `waits` seconds for each answer (short
    only where a hang is tested: on a busy machine a turn's own replies can take a second)."""
    server = await start_bot(
        database_url, TRYGGEST_TEAMS_ATTEMPTS="1", TRYGGEST_TEAMS_TIMEOUT_SECONDS=str(waits)
    )
    try:
        yield server, str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


async def deliver_for(server: Any, since: datetime, hours: int = 30) -> None:
    """The outbox's delivery each hour after `since`, as the background one would run."""
    for hour in range(1, hours + 1):
        await server.app[SERVICES_KEY].outbox.run_once(since + timedelta(hours=hour))


async def outbox_states(sessions: Any, kind: Kind) -> list[str]:
    """The states of the message's outbox rows."""
    async with sessions() as session:
        rows = list((await session.execute(select(OutboxMessage))).scalars())
        reminders = {r.id: r for r in (await session.execute(select(Reminder))).scalars()}
    return [
        row.state
        for row in rows
        if kind.owns(row, reminders.get((row.data or {}).get("reminder_id")))
    ]


def tries_at(connector: Any, kind: Kind) -> int:
    """Requests for the message that Teams did not take."""
    return sum(
        a.get("_conversation") == kind.target for a in [*connector.failed, *connector.refused]
    )


# Each fault once and four times in a row; a hang only once (each costs seconds, and once shows
# that a timeout counts as no answer).
FAULT_RUNS = [
    pytest.param(fault, times, id=f"{fault}-{label}")
    for fault in NOT_NOW
    for times, label in ((1, "once"), (4, "four-times"))
    if fault != "hang" or times == 1
]


@pytest.mark.parametrize(("fault", "times"), FAULT_RUNS)
@pytest.mark.parametrize("kind_name", list(KINDS))
async def test_a_message_teams_cannot_take_now_arrives_once_when_it_can(
    engine, database_url, connector, sessions, kind_name, fault, times
):
    kind = KINDS[kind_name]()
    waits = HANG_SECONDS - 1 if fault == "hang" else 30.0
    async with one_try_bot(database_url, waits) as (server, url):
        await kind.arrange(server, url, connector, sessions)
        failure = NOT_NOW[fault]
        connector.fail_next.extend(
            Failure(failure.status, failure.headers, method=kind.method, conversation=kind.target)
            for _ in range(times)
        )

        since = await kind.fall_due(server)
        await deliver_for(server, since)

    assert tries_at(connector, kind) == times
    assert kind.arrived(connector) == 1
    assert kind.told(connector) == 0
    assert await outbox_states(sessions, kind) == ["delivered"]


@pytest.mark.parametrize(("kind_name", "answer"), FINAL_RUNS)
async def test_a_message_teams_refuses_for_good_is_tried_once_and_someone_told(
    engine, database_url, connector, sessions, kind_name, answer
):
    kind = KINDS[kind_name]()
    async with one_try_bot(database_url) as (server, url):
        await kind.arrange(server, url, connector, sessions)
        status, code = FINAL[answer]
        connector.refuse[kind.target] = (status, code)

        since = await kind.fall_due(server)
        await deliver_for(server, since)

    assert tries_at(connector, kind) == 1
    assert kind.arrived(connector) == 0
    assert await outbox_states(sessions, kind) == ["failed"]
    if kind.tells_someone:
        assert kind.told(connector) == 1


@pytest.mark.parametrize("kind_name", list(KINDS))
async def test_a_message_teams_keeps_refusing_for_now_is_given_up_at_its_deadline_and_told(
    engine, database_url, connector, sessions, kind_name
):
    kind = KINDS[kind_name]()
    async with one_try_bot(database_url) as (server, url):
        await kind.arrange(server, url, connector, sessions)
        connector.refuse[kind.target] = (503, "ServiceUnavailable")

        since = await kind.fall_due(server)
        await deliver_for(server, since, hours=22)
        assert await outbox_states(sessions, kind) == ["pending"]
        await deliver_for(server, since + timedelta(hours=22), hours=8)
        failed_after = tries_at(connector, kind)
        await deliver_for(server, since + timedelta(hours=30), hours=24)

    # Tried through the day (backoff doubling to two hours), then never again.
    assert 8 <= failed_after == tries_at(connector, kind)
    assert kind.arrived(connector) == 0
    assert await outbox_states(sessions, kind) == ["failed"]
    if kind.tells_someone:
        assert kind.told(connector) == 1


@pytest.mark.parametrize("kind_name", list(KINDS))
async def test_two_instances_deliver_a_message_refused_once_exactly_once(
    engine, database_url, connector, sessions, kind_name
):
    if engine.dialect.name != "postgresql":
        pytest.skip("several instances share a PostgreSQL database; SQLite is for one process")
    kind = KINDS[kind_name]()
    async with one_try_bot(database_url) as (first, url), one_try_bot(database_url) as (second, _):
        await kind.arrange(first, url, connector, sessions)
        connector.fail_next.append(Failure(503, method=kind.method, conversation=kind.target))

        since = await kind.fall_due(first)
        for hour in range(1, 4):
            at = since + timedelta(hours=hour)
            await asyncio.gather(
                first.app[SERVICES_KEY].outbox.run_once(at),
                second.app[SERVICES_KEY].outbox.run_once(at),
            )

    assert tries_at(connector, kind) == 1
    assert kind.arrived(connector) == 1
    assert await outbox_states(sessions, kind) == ["delivered"]
