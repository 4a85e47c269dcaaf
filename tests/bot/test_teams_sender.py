"""The bot's own sends to Teams: a new thread in a channel, a card replaced in place, a card in a
personal chat; tried again when Teams says "not now" and refused at once when it says "no".

The connector clients and the sender are the real ones in local mode (no app id, no token); only
the Bot Connector is stood in for (tests.support.FakeConnector). The backoff's sleep is recorded instead
of slept, so the waits cost nothing.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from bot.proactive import Backoff, BotProactiveSender
from bot.rate_limit import RateLimiter
from bot.transport import TeamsClients
from scheduler.sender import ChannelAddress, SendRefused
from storage.references import StoredReference
from tests.support import RESET, TENANT, Failure, FakeConnector, cards_in

CHANNEL = "19:9a8b7c6d5e4f@thread.tacv2"
BOT = "28:00000000-0000-0000-0000-000000000001"
CARD = {
    "type": "AdaptiveCard",
    "version": "1.5",
    "body": [{"type": "TextBlock", "text": "Ny sak TE-2026-0001"}],
}
NEW_CARD = {
    "type": "AdaptiveCard",
    "version": "1.5",
    "body": [{"type": "TextBlock", "text": "TE-2026-0001 er tatt"}],
}


class Waits:
    """The backoff's sleep: remembers each wait and returns at once."""

    def __init__(self) -> None:
        self.slept: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.slept.append(seconds)


@pytest.fixture
def waits() -> Waits:
    return Waits()


def sender_with(waits: Waits, random: float = 0.5, **options: Any) -> BotProactiveSender:
    # As bot.app.create_app builds it in local mode: the clients fetch no token.
    return BotProactiveSender(TeamsClients(), sleep=waits, random=lambda: random, **options)


@pytest.fixture
def sender(waits: Waits) -> BotProactiveSender:
    return sender_with(waits)


def channel_of(connector: FakeConnector) -> ChannelAddress:
    return ChannelAddress(
        tenant_id=TENANT, service_url=connector.url, channel_id=CHANNEL, bot_id=BOT
    )


def created(connector: FakeConnector) -> list[dict[str, Any]]:
    return [r for r in connector.received if r["_method"] == "CREATE"]


async def test_post_thread_starts_one_thread_in_the_channel_with_the_card(sender, connector):
    posted = await sender.post_thread(channel_of(connector), CARD)

    [request] = created(connector)
    assert request["_conversation"] == CHANNEL
    assert request["isGroup"] is True
    assert request["channelData"]["tenant"]["id"] == TENANT
    assert cards_in(request["activity"]) == [CARD]
    assert posted.conversation_id == f"{CHANNEL};messageid={posted.activity_id}"
    assert posted.activity_id
    assert (posted.tenant_id, posted.service_url, posted.bot_id) == (TENANT, connector.url, BOT)


async def test_update_card_puts_the_new_card_in_place_of_the_posted_one(sender, connector):
    posted = await sender.post_thread(channel_of(connector), CARD)

    await sender.update_card(posted, NEW_CARD)

    [update] = [r for r in connector.received if r["_method"] == "PUT"]
    assert update["_conversation"] == posted.conversation_id
    assert update["id"] == posted.activity_id
    assert cards_in(update) == [NEW_CARD]


async def test_a_throttled_post_is_delivered_once_after_waiting_twice(sender, waits, connector):
    connector.fail_next = [Failure(429, {"Retry-After": "0"}), Failure(429, {"Retry-After": "0"})]

    await sender.post_thread(channel_of(connector), CARD)

    assert len(created(connector)) == 1
    assert [f["_status"] for f in connector.failed] == [429, 429]
    assert len(waits.slept) == 2


async def test_a_retry_after_from_teams_is_waited_out_in_full(waits, connector):
    sender = sender_with(waits, random=0.0)
    connector.fail_next = [Failure(429, {"Retry-After": "7"})]

    await sender.post_thread(channel_of(connector), CARD)

    assert waits.slept == [7.0]
    assert len(created(connector)) == 1


async def test_without_retry_after_each_wait_is_a_random_part_of_a_doubling_cap(waits, connector):
    sender = sender_with(waits, random=0.5, backoff=Backoff(attempts=4, base=1.0, cap=3.0))
    connector.fail_next = [Failure(502), Failure(502), Failure(502)]

    await sender.post_thread(channel_of(connector), CARD)

    assert waits.slept == [0.5, 1.0, 1.5]  # half of 1, 2 and then the cap of 3


@pytest.mark.parametrize("status", [408, 412, 500, 502, 503, 504, RESET])
async def test_a_passing_failure_is_tried_again(sender, waits, connector, status):
    # RESET: the connection dropped without an answer.
    connector.fail_next = [Failure(status)]

    await sender.post_thread(channel_of(connector), CARD)

    assert len(created(connector)) == 1
    assert len(waits.slept) == 1


async def test_a_card_update_whose_connection_is_reset_arrives_once(sender, connector):
    connector.fail_next = [Failure(RESET, method="PUT")]
    posted = await sender.post_thread(channel_of(connector), CARD)

    await sender.update_card(posted, NEW_CARD)

    assert [f["_method"] for f in connector.failed] == ["PUT"]
    updates = [r for r in connector.received if r["_method"] == "PUT"]
    assert len(updates) == 1 and cards_in(updates[0]) == [NEW_CARD]


async def test_a_502_on_update_is_retried_by_our_policy_alone(sender, waits, connector):
    # msrest would retry a PUT on 502 by itself, inside the thread pool, unseen: then Teams sees
    # the same two requests but our backoff never waits.
    posted = await sender.post_thread(channel_of(connector), CARD)
    connector.fail_next = [Failure(502)]

    await sender.update_card(posted, NEW_CARD)

    assert [f["_method"] for f in connector.failed] == ["PUT"]
    assert len([r for r in connector.received if r["_method"] == "PUT"]) == 1
    assert len(waits.slept) == 1


async def test_a_blocked_bot_is_refused_at_once_and_told_apart(sender, waits, connector):
    connector.fail_next = [Failure(403, code="MessageWritesBlocked")]

    with pytest.raises(SendRefused) as refused:
        await sender.post_thread(channel_of(connector), CARD)

    assert refused.value.status == 403
    assert refused.value.code == "MessageWritesBlocked"
    assert refused.value.bot_removed
    assert not refused.value.retryable
    assert len(connector.failed) == 1
    assert created(connector) == []
    assert waits.slept == []


@pytest.mark.parametrize("status", [400, 404, 413])
async def test_other_errors_are_refused_without_another_try(sender, waits, connector, status):
    posted = await sender.post_thread(channel_of(connector), CARD)
    connector.fail_next = [Failure(status)]

    with pytest.raises(SendRefused) as refused:
        await sender.update_card(posted, NEW_CARD)

    assert refused.value.status == status
    assert len(connector.failed) == 1
    assert waits.slept == []


async def test_when_the_tries_run_out_the_last_status_is_raised(waits, connector):
    sender = sender_with(waits, backoff=Backoff(attempts=3))
    connector.fail_next = [Failure(502), Failure(429), Failure(504), Failure(502)]

    with pytest.raises(SendRefused) as refused:
        await sender.post_thread(channel_of(connector), CARD)

    assert refused.value.status == 504
    assert refused.value.retryable
    assert len(connector.failed) == 3
    assert len(waits.slept) == 2
    assert created(connector) == []


async def test_a_retry_after_beyond_the_longest_wait_gives_up_at_once(waits, connector):
    sender = sender_with(waits, backoff=Backoff(longest_retry_after=60.0))
    connector.fail_next = [Failure(429, {"Retry-After": "600"})]

    with pytest.raises(SendRefused) as refused:
        await sender.post_thread(channel_of(connector), CARD)

    assert refused.value.status == 429
    assert waits.slept == []


def personal_chat(connector: FakeConnector) -> StoredReference:
    return StoredReference(
        tenant_id=TENANT,
        aad_object_id="7faf8ab2-3d56-4244-b585-20c8a42ed2b8",
        service_url=connector.url,
        channel_id="msteams",
        conversation_id="a:personal-chat",
        bot_id=BOT,
        locale="nb-NO",
    )


async def test_send_card_is_tried_again_when_throttled(sender, waits, connector):
    connector.fail_next = [Failure(429, {"Retry-After": "0"})]

    await sender.send_card(personal_chat(connector), CARD)

    [sent] = connector.received
    assert sent["_conversation"] == "a:personal-chat"
    assert cards_in(sent) == [CARD]
    assert len(waits.slept) == 1


async def test_send_card_to_a_person_who_blocked_the_bot_is_refused(sender, connector):
    connector.refuse["a:personal-chat"] = (403, "ConversationBlockedByUser")

    with pytest.raises(SendRefused) as refused:
        await sender.send_card(personal_chat(connector), CARD)

    assert (refused.value.status, refused.value.code) == (403, "ConversationBlockedByUser")
    assert len(connector.refused) == 1


class FrozenClock:
    """A clock that moves only when the limiter sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


async def test_every_post_passes_the_rate_limiter(waits, connector):
    clock = FrozenClock()
    sender = sender_with(waits, limiter=RateLimiter(clock=clock, sleep=clock.sleep))

    for _ in range(8):
        await sender.post_thread(channel_of(connector), CARD)

    assert len(created(connector)) == 8
    assert len(clock.slept) == 1  # the 8th to one channel in the same second
    assert waits.slept == []


async def test_teams_not_answering_is_tried_twice_then_left_to_the_outbox(sender, waits, connector):
    # Each try without an answer may cost a whole timeout: the outbox tries again later.
    connector.fail_next = [Failure(RESET, method="CREATE")] * 3

    with pytest.raises(aiohttp.ClientConnectionError):
        await sender.post_thread(channel_of(connector), CARD)

    assert [f["_status"] for f in connector.failed] == [RESET, RESET]
    assert len(waits.slept) == 1
