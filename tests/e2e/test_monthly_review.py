"""The monthly access review: each coordinator who has written to the bot gets, unasked, one card
in their personal chat with who read which case in the month before, reads of personal details
by someone not assigned flagged. Through the real application (its own wiring of the job) and
the fake Bot Connector, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import SERVICES_KEY
from cards.case_cards import format_month
from domain.clock import utcnow
from scheduler.access_review import OSLO, MonthlyReviewRun
from storage.models import AccessLogEntry, AccessReviewSend, ConversationReferenceRow
from storage.outbox import Outbox
from storage.review_sends import coordinators_due
from tests.conftest import add_municipality, deliver, start_bot
from tests.e2e.test_case_commands import (
    MOSS_COORDINATOR,
    MOSS_MEMBER,
    report_with_municipality,
    setting,
)
from tests.e2e.test_report_dialogue import last
from tests.support import (
    TENANT,
    Chat,
    Failure,
    FakeConnector,
    all_text,
    cards_in,
    find_action,
    fixture,
)


@pytest.fixture
async def server(engine: Any, database_url: str) -> AsyncIterator[Any]:
    server = await start_bot(database_url)
    yield server
    await server.close()


def url_of(server: Any) -> str:
    return str(server.make_url("")).rstrip("/")


async def run_review(server: Any, now: datetime) -> MonthlyReviewRun:
    """What the housekeeping loop does each hour, at the moment we choose, and the outbox's
    delivery that it wakes."""
    review = server.app[SERVICES_KEY].monthly_review
    assert review is not None
    result: MonthlyReviewRun = await review(now)
    await server.app[SERVICES_KEY].outbox.run_once(now)
    return result


def early_next_month() -> datetime:
    """06.00 on the first of next month in Oslo: the reads made now are last month's then."""
    local = utcnow().astimezone(OSLO)
    first = (local.date().replace(day=1) + timedelta(days=32)).replace(day=1)
    return datetime.combine(first, time(6), OSLO)


def this_month_in(lang: str) -> str:
    return format_month(utcnow().astimezone(OSLO).date().replace(day=1), lang)


def reviews_sent(connector: FakeConnector, since: int, conversation: str) -> list[dict[str, Any]]:
    """The review cards sent to a conversation after the first `since` activities."""
    return [
        a
        for a in connector.received[since:]
        if a["_conversation"] == conversation and cards_in(a) and "gjennomgang" in all_text(a)
    ]


async def test_a_coordinator_gets_one_review_of_last_month_flagging_a_read_by_someone_not_assigned(
    server, connector, sessions
):
    url = url_of(server)
    await setting(sessions)
    coordinator = Chat(url, connector, aad_object_id=MOSS_COORDINATOR)
    await coordinator.say("hei")
    await report_with_municipality(Chat(url, connector, aad_object_id="reporter"), "Moss")
    member = Chat(url, connector, aad_object_id=MOSS_MEMBER)
    r = await member.say("vis TE-2026-0001")
    await member.tap(find_action(last(r), command="show_personal"))
    await deliver(server)  # the case's channel post and previews
    before = len(connector.received)

    run = await run_review(server, early_next_month())

    assert run.queued == 1
    sent = connector.received[before:]
    assert [a["_conversation"] for a in sent] == [coordinator.conversation_id]
    shown = all_text(sent[0])
    assert "Tilgangsgjennomgang" in shown
    assert f"Hvem som har sett saker i {this_month_in('nb')}" in shown
    assert "TE-2026-0001" in shown
    assert "⚠" in shown and "Marte Moss" in shown


async def test_the_monthly_review_goes_through_the_gate_and_is_logged(server, connector, sessions):
    await setting(sessions)
    coordinator = Chat(url_of(server), connector, aad_object_id=MOSS_COORDINATOR)
    await coordinator.say("hei")

    await run_review(server, early_next_month())

    async with sessions() as session:
        logged = (
            await session.execute(
                select(
                    AccessLogEntry.action, AccessLogEntry.allowed, AccessLogEntry.conversation_id
                )
                .where(AccessLogEntry.actor_aad_object_id == MOSS_COORDINATOR)
                .order_by(AccessLogEntry.id)
            )
        ).all()
    assert [tuple(row) for row in logged] == [("access.review", True, coordinator.conversation_id)]


async def test_running_again_in_the_same_month_sends_nothing(server, connector, sessions):
    await setting(sessions)
    coordinator = Chat(url_of(server), connector, aad_object_id=MOSS_COORDINATOR)
    await coordinator.say("hei")
    now = early_next_month()
    await run_review(server, now)
    before = len(connector.received)

    again = await run_review(server, now + timedelta(days=3, hours=5))

    assert again.queued == 0
    assert connector.received[before:] == []


async def test_two_instances_at_once_send_the_review_once(
    server, connector, sessions, database_url, monkeypatch
):
    second = await start_bot(database_url)
    # Both instances find the review due before either claims it: only the claim decides.
    both_looked = asyncio.Barrier(2)

    async def due_for_both(*args: Any) -> Any:
        due = await coordinators_due(*args)
        await both_looked.wait()
        return due

    monkeypatch.setattr("scheduler.access_review.coordinators_due", due_for_both)
    try:
        await setting(sessions)
        coordinator = Chat(url_of(server), connector, aad_object_id=MOSS_COORDINATOR)
        await coordinator.say("hei")
        before = len(connector.received)
        now = early_next_month()

        runs = await asyncio.wait_for(
            asyncio.gather(run_review(server, now), run_review(second, now)), timeout=30
        )
    finally:
        await second.close()

    assert sorted(run.queued for run in runs) == [0, 1]
    assert len(reviews_sent(connector, before, coordinator.conversation_id)) == 1


async def test_a_bot_with_the_scheduler_on_sends_last_months_review_by_itself(
    server, connector, sessions, database_url
):
    await setting(sessions)
    coordinator = Chat(url_of(server), connector, aad_object_id=MOSS_COORDINATOR)
    await coordinator.say("hei")
    before = len(connector.received)
    last_month = (utcnow().astimezone(OSLO).date().replace(day=1) - timedelta(days=1)).replace(
        day=1
    )

    # Its housekeeping runs once at start-up, then every hour.
    scheduling = await start_bot(
        database_url, TRYGGEST_SCHEDULER="true", TRYGGEST_OUTBOX_DELIVERY="true"
    )
    try:
        for _ in range(200):
            sent = reviews_sent(connector, before, coordinator.conversation_id)
            if sent:
                break
            await asyncio.sleep(0.05)
    finally:
        await scheduling.close()

    assert len(sent) == 1
    assert f"Hvem som har sett saker i {format_month(last_month, 'nb')}" in all_text(sent[0])


async def test_a_coordinator_who_never_wrote_to_the_bot_is_skipped(server, connector, sessions):
    # add_municipality makes 'coord-1' the team's coordinator; they have never written to the bot.
    await add_municipality(sessions, "Moss")

    run = await run_review(server, early_next_month())

    assert run.queued == 0
    assert connector.received == []
    async with sessions() as session:
        assert (await session.execute(select(AccessReviewSend))).all() == []


async def test_a_team_member_gets_no_review(server, connector, sessions):
    await setting(sessions)
    url = url_of(server)
    member = Chat(url, connector, aad_object_id=MOSS_MEMBER)
    await member.say("hei")
    coordinator = Chat(url, connector, aad_object_id=MOSS_COORDINATOR)
    await coordinator.say("hei")
    before = len(connector.received)

    run = await run_review(server, early_next_month())

    assert run.queued == 1
    assert [a["_conversation"] for a in connector.received[before:]] == [
        coordinator.conversation_id
    ]


async def test_the_review_is_in_the_coordinators_language(server, connector, sessions):
    await setting(sessions)
    coordinator = Chat(url_of(server), connector, aad_object_id=MOSS_COORDINATOR, locale="nn-NO")
    await coordinator.say("hei")
    before = len(connector.received)

    await run_review(server, early_next_month())

    shown = all_text(connector.received[before])
    assert f"Kven som har sett saker i {this_month_in('nn')}" in shown


async def test_a_refused_review_is_logged_listed_as_failed_and_sent_once_when_put_back(
    server, connector, sessions, caplog
):
    await setting(sessions)
    coordinator = Chat(url_of(server), connector, aad_object_id=MOSS_COORDINATOR)
    await coordinator.say("hei")
    connector.refuse[coordinator.conversation_id] = (403, "MessageWritesBlocked")
    before = len(connector.received)
    now = early_next_month()

    with caplog.at_level(logging.WARNING):
        run = await run_review(server, now)

    assert run.queued == 1
    assert "access_review" in caplog.text and "403 MessageWritesBlocked" in caplog.text
    # One attempt: Teams' answer is final, and nothing else was tried after it.
    assert len(connector.refused) == 1
    assert connector.received[before:] == []
    [failed] = await Outbox(sessions).entries(("failed",))
    assert failed.kind == "access_review"
    # The next hour's run does not queue it again; an operator puts it back.
    assert (await run_review(server, now + timedelta(hours=1))).queued == 0

    del connector.refuse[coordinator.conversation_id]
    assert await Outbox(sessions).put_back(failed.id)
    await deliver(server)

    assert len(reviews_sent(connector, before, coordinator.conversation_id)) == 1


async def test_a_review_teams_cannot_take_now_arrives_once_on_a_later_try(
    server, connector, sessions
):
    await setting(sessions)
    coordinator = Chat(url_of(server), connector, aad_object_id=MOSS_COORDINATOR)
    await coordinator.say("hei")
    before = len(connector.received)
    connector.fail_next.extend([Failure(503, method="POST")] * 6)
    now = early_next_month()

    await run_review(server, now)
    assert reviews_sent(connector, before, coordinator.conversation_id) == []
    await server.app[SERVICES_KEY].outbox.run_once(now + timedelta(hours=1))

    assert len(reviews_sent(connector, before, coordinator.conversation_id)) == 1


# --- the reference: kept from personal chat, written only when it changed ------------------


async def stored_reference(sessions: Any, aad_object_id: str) -> ConversationReferenceRow | None:
    async with sessions() as session:
        return (
            await session.execute(
                select(ConversationReferenceRow).where(
                    ConversationReferenceRow.tenant_id == TENANT,
                    ConversationReferenceRow.aad_object_id == aad_object_id,
                )
            )
        ).scalar_one_or_none()


async def test_a_message_in_personal_chat_stores_where_to_reach_the_person(
    server, connector, sessions
):
    chat = Chat(url_of(server), connector, aad_object_id=MOSS_COORDINATOR)

    await chat.say("hei")

    stored = await stored_reference(sessions, MOSS_COORDINATOR)
    assert stored is not None
    assert stored.conversation_id == chat.conversation_id
    assert stored.service_url == connector.url
    assert stored.channel_id == "msteams"
    assert stored.bot_id == fixture("01_message_personal.json")["recipient"]["id"]
    assert stored.locale == "nb-NO"


async def test_the_reference_is_written_only_when_it_changed(server, connector, sessions):
    url = url_of(server)
    await Chat(url, connector, aad_object_id=MOSS_COORDINATOR).say("hei")
    first = await stored_reference(sessions, MOSS_COORDINATOR)
    assert first is not None

    await Chat(url, connector, aad_object_id=MOSS_COORDINATOR).say("hjelp")
    unchanged = await stored_reference(sessions, MOSS_COORDINATOR)
    assert unchanged is not None and unchanged.updated_at == first.updated_at

    moved = Chat(url, connector, aad_object_id=MOSS_COORDINATOR, conversation_id="a:new-chat")
    await moved.say("hei")
    changed = await stored_reference(sessions, MOSS_COORDINATOR)
    assert changed is not None
    assert changed.conversation_id == "a:new-chat"
    assert changed.updated_at > first.updated_at


async def test_a_channel_message_stores_no_reference(server, connector, sessions):
    await setting(sessions)
    activity = fixture("02_message_channel_thread_reply_mention.json")
    activity["serviceUrl"] = connector.url
    activity["text"] = "<at>ridotest</at> hjelp"

    await Chat(url_of(server), connector).post(activity)

    async with sessions() as session:
        assert (await session.execute(select(ConversationReferenceRow))).all() == []
