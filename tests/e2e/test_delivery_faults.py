"""A new case's post in the team's channel, against a Bot Connector that fails as Teams can, on
SQLite and PostgreSQL, through /api/messages: the post arrives exactly once after the fault has
passed, or — when Teams' answer is final — the team's coordinators are told in their own chat
and can press «Prøv igjen», after which it arrives once. Also the outbox's health endpoint."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select, update

from storage.models import Membership, OutboxMessage
from storage.outbox import Outbox
from tests.conftest import deliver, start_bot
from tests.e2e.channel import (
    COORDINATOR,
    MEMBER,
    REPORTER,
    Channel,
    member_chat,
    moss_with_channel,
)
from tests.e2e.test_case_channel import reported, send_report, thread_card, to
from tests.support import HANG, HANG_SECONDS, RESET, TENANT, Failure, all_text, find_action


@contextlib.asynccontextmanager
async def bot_with(database_url: str, **settings: str) -> AsyncIterator[tuple[Any, str]]:
    """A bot of its own with these settings: the server and its URL."""
    server = await start_bot(database_url, **settings)
    try:
        yield server, str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


async def set_up(bot_url: str, connector: Any, sessions: Any) -> Channel:
    """Moss's team with the bot in its channel, and its coordinator reachable in personal chat."""
    await moss_with_channel(sessions)
    channel = Channel(bot_url, connector)
    assert await channel.add_bot() < 300
    await member_chat(bot_url, connector, COORDINATOR).say("hei")
    return channel


async def post_row(sessions: Any) -> OutboxMessage:
    async with sessions() as session:
        return (
            await session.execute(
                select(OutboxMessage).where(OutboxMessage.kind == "case_reported")
            )
        ).scalar_one()


def told_of_failure(connector: Any) -> list[dict[str, Any]]:
    return [a for a in to(connector, COORDINATOR) if "kom ikke fram" in all_text(a)]


@pytest.mark.parametrize(
    "failure",
    [
        Failure(408, method="CREATE"),
        Failure(429, method="CREATE"),
        Failure(500, method="CREATE"),
        Failure(503, method="CREATE"),
        Failure(RESET, method="CREATE"),
    ],
    ids=["408", "429-without-retry-after", "500", "503", "reset"],
)
async def test_a_post_teams_refuses_for_now_arrives_once(
    bot_server, bot_url, connector, sessions, failure
):
    channel = await set_up(bot_url, connector, sessions)
    connector.fail_next.append(failure)
    await send_report(bot_url, connector)

    await deliver(bot_server)
    await deliver(bot_server)

    assert [f["_status"] for f in connector.failed] == [failure.status]
    assert len(channel.posts()) == 1
    assert (await post_row(sessions)).state == "delivered"
    assert told_of_failure(connector) == []


async def test_a_post_refused_for_now_again_and_again_is_tried_later_and_arrives_once(
    bot_server, bot_url, connector, sessions
):
    channel = await set_up(bot_url, connector, sessions)
    # Teams asks to wait longer than the bot waits within one attempt: tried again later.
    connector.fail_next.append(Failure(503, {"Retry-After": "120"}, method="CREATE"))
    await send_report(bot_url, connector)

    await deliver(bot_server)
    row = await post_row(sessions)
    assert (row.state, channel.posts()) == ("pending", [])
    async with sessions() as session, session.begin():
        await session.execute(update(OutboxMessage).values(next_attempt_at=None))
    await deliver(bot_server)

    assert len(channel.posts()) == 1
    assert told_of_failure(connector) == []


async def test_a_post_teams_does_not_answer_in_time_arrives_once(
    engine, database_url, connector, sessions
):
    # The bot waits two seconds for Teams (not less: on a busy machine its own replies can take
    # a second); the stand-in answers the first post after three.
    waits = str(HANG_SECONDS - 1)
    async with bot_with(database_url, TRYGGEST_TEAMS_TIMEOUT_SECONDS=waits) as (server, bot_url):
        channel = await set_up(bot_url, connector, sessions)
        connector.fail_next.append(Failure(HANG, method="CREATE"))
        await send_report(bot_url, connector)

        await deliver(server)
        await deliver(server)

    assert [f["_status"] for f in connector.failed] == [HANG]
    assert len(channel.posts()) == 1
    assert (await post_row(sessions)).state == "delivered"


@pytest.mark.parametrize("status", [400, 404, 413])
async def test_a_final_refusal_tells_the_coordinator_who_can_send_it_again(
    bot_server, bot_url, connector, sessions, status
):
    channel = await set_up(bot_url, connector, sessions)
    connector.fail_next.append(Failure(status, method="CREATE"))
    await send_report(bot_url, connector)

    await deliver(bot_server)

    assert channel.posts() == []
    assert (await post_row(sessions)).state == "failed"
    # What `tryggest outbox` lists: the case by its number.
    [entry] = await Outbox(sessions).entries(("failed",))
    assert (entry.kind, entry.case_number) == ("case_reported", "TE-2026-0001")
    [told] = told_of_failure(connector)
    assert "TE-2026-0001" in all_text(told)
    # Which message, never what it carried.
    assert "blåmerker" not in all_text(told)
    retry = find_action(told, command="retry")

    answer = await member_chat(bot_url, connector, COORDINATOR).tap(retry)
    await deliver(bot_server)

    assert "lagt i kø igjen" in all_text(answer[-1])
    assert len(channel.posts()) == 1
    assert (await post_row(sessions)).state == "delivered"


async def test_only_a_coordinator_can_send_a_failed_message_again(
    bot_server, bot_url, connector, sessions
):
    channel = await set_up(bot_url, connector, sessions)
    connector.fail_next.append(Failure(400, method="CREATE"))
    await send_report(bot_url, connector)
    await deliver(bot_server)
    [told] = told_of_failure(connector)
    retry = find_action(told, command="retry")

    answer = await member_chat(bot_url, connector, MEMBER).tap(retry)
    await deliver(bot_server)

    assert "Bare koordinatorene" in all_text(answer[-1])
    assert channel.posts() == []
    assert (await post_row(sessions)).state == "failed"


async def test_still_failing_at_the_deadline_the_coordinator_is_told(
    engine, database_url, connector, sessions
):
    # A deadline of under a second: the first "not now" already falls after it.
    async with bot_with(database_url, TRYGGEST_DELIVERY_DEADLINE_HOURS="0.0002") as (server, url):
        channel = await set_up(url, connector, sessions)
        connector.fail_next.append(Failure(503, {"Retry-After": "120"}, method="CREATE"))
        await send_report(url, connector)

        await deliver(server)

    assert channel.posts() == []
    row = await post_row(sessions)
    assert row.state == "failed" and "deadline" in (row.last_error or "")
    assert len(told_of_failure(connector)) == 1


async def test_the_delivery_health_says_when_a_message_failed(
    bot_server, bot_url, connector, sessions
):
    await set_up(bot_url, connector, sessions)
    async with aiohttp.ClientSession() as http:
        async with http.get(bot_url + "/healthz/delivery") as response:
            assert (response.status, (await response.json())["failed"]) == (200, 0)
        connector.fail_next.append(Failure(404, method="CREATE"))
        await send_report(bot_url, connector)
        await deliver(bot_server)
        async with http.get(bot_url + "/healthz/delivery") as response:
            body = await response.json()

    assert response.status == 503
    assert (body["status"], body["failed"]) == ("behind", 1)


SECOND_COORDINATOR = "moss-coordinator-2"


def previews_to(connector: Any, who: str) -> list[dict[str, Any]]:
    return [a for a in to(connector, who) if "Fritekst til kanalen" in all_text(a)]


async def test_a_preview_teams_refuses_for_now_goes_later_to_that_coordinator_alone(
    bot_server, bot_url, connector, sessions
):
    await set_up(bot_url, connector, sessions)
    async with sessions() as session, session.begin():
        team_id = (await session.execute(select(Membership.team_id))).scalars().first()
        session.add(
            Membership(
                team_id=team_id,
                tenant_id=TENANT,
                aad_object_id=SECOND_COORDINATOR,
                role="coordinator",
                display_name="Kari Koordinator",
            )
        )
    await member_chat(bot_url, connector, SECOND_COORDINATOR).say("hei")
    await send_report(bot_url, connector)
    # The first preview sent is refused for longer than the bot waits within one attempt.
    connector.fail_next.append(Failure(503, {"Retry-After": "120"}, method="POST"))

    await deliver(bot_server)
    first = {who: len(previews_to(connector, who)) for who in (COORDINATOR, SECOND_COORDINATOR)}
    async with sessions() as session, session.begin():
        await session.execute(update(OutboxMessage).values(next_attempt_at=None))
    await deliver(bot_server)

    assert sorted(first.values()) == [0, 1]  # one has it, the other waits
    assert len(previews_to(connector, COORDINATOR)) == 1
    assert len(previews_to(connector, SECOND_COORDINATOR)) == 1
    async with sessions() as session:
        states = (
            await session.execute(
                select(OutboxMessage.state).where(OutboxMessage.kind == "text_preview")
            )
        ).scalars()
        assert list(states) == ["delivered"]


# --- after the post: the reporter told of the case's progress ---------------------------------


async def test_a_status_the_reporter_cannot_get_is_told_to_the_coordinators(
    bot_server, bot_url, connector, sessions
):
    channel = await reported(bot_url, connector, sessions, bot_server)
    # The reporter's chat is gone: Teams' answer is final.
    connector.refuse[f"a:personal-{REPORTER}-{TENANT}"] = (404, "ConversationNotFound")

    await channel.press(MEMBER, thread_card(channel), "take")
    await deliver(bot_server)

    [told] = told_of_failure(connector)
    assert "Den som meldte TE-2026-0001" in all_text(told)
    async with sessions() as session:
        state = (
            await session.execute(
                select(OutboxMessage.state).where(OutboxMessage.kind == "reporter_status")
            )
        ).scalar_one()
    assert state == "failed"


async def test_two_instances_delivering_at_once_post_a_refused_case_once(
    engine, database_url, connector, sessions
):
    if engine.dialect.name != "postgresql":
        pytest.skip("several instances share a PostgreSQL database; SQLite is for one process")
    first, second = [await start_bot(database_url, TRYGGEST_INSTANCES="2") for _ in range(2)]
    try:
        bot_url = str(first.make_url("")).rstrip("/")
        channel = await set_up(bot_url, connector, sessions)
        connector.fail_next.append(Failure(503, {"Retry-After": "120"}, method="CREATE"))
        await send_report(bot_url, connector)

        # Both deliver at once: one holds the row, Teams refuses it, it waits for its next try.
        await asyncio.gather(deliver(first), deliver(second))
        assert channel.posts() == []
        async with sessions() as session, session.begin():
            await session.execute(update(OutboxMessage).values(next_attempt_at=None))
        await asyncio.gather(deliver(first), deliver(second))
        await asyncio.gather(deliver(first), deliver(second))

        assert len(channel.posts()) == 1
        assert [f["_status"] for f in connector.failed] == [503]
    finally:
        await first.close()
        await second.close()
