"""A closed case into the municipality's archive, through /api/messages: the closed case's card
says it waits for archiving, the coordinator marks it archived once it is in the archive or the
record system, and only then may the retention erase its personal data."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from storage.crypto import FieldCipher, parse_keys
from storage.models import AccessLogEntry
from storage.retention import Retention
from tests.conftest import DATA_KEY, NOW, remind
from tests.e2e.channel import COORDINATOR, MEMBER, answered_card, answered_message, has_execute
from tests.e2e.test_case_channel import case_row, events, reported, thread_card, to
from tests.e2e.test_team_meetings import shown_on
from tests.support import all_text

LONG_AFTER = NOW + timedelta(days=3 * 366)


async def closed(channel, sessions) -> dict:
    _, body = await channel.press(
        COORDINATOR, thread_card(channel), "close", outcome="ordinary_services"
    )
    return answered_card(body)


async def test_the_coordinator_marks_a_closed_case_archived_and_only_then_may_it_be_erased(
    bot_server, bot_url, connector, sessions
):
    channel = await reported(bot_url, connector, sessions, bot_server)
    card = await closed(channel, sessions)
    assert "Venter på arkivering" in shown_on(card) and has_execute(card, "archived")
    retention = Retention(sessions, FieldCipher(parse_keys(DATA_KEY)), months=24)

    assert await retention.erase_expired(now=LONG_AFTER) == 0

    _, refused = await channel.press(MEMBER, card, "archived")
    assert "ikke tilgang" in answered_message(refused)
    _, body = await channel.press(COORDINATOR, card, "archived")
    archived_card = answered_card(body)

    case = await case_row(sessions)
    assert case.archived_at == NOW
    assert "registrerte at saken er lagt i arkivet" in shown_on(archived_card)
    assert not has_execute(archived_card, "archived")
    assert "archived" in [e.kind for e in await events(sessions)]
    async with sessions() as session:
        logged = (
            await session.execute(
                select(AccessLogEntry.action, AccessLogEntry.allowed).where(
                    AccessLogEntry.actor_aad_object_id == COORDINATOR
                )
            )
        ).all()
    assert ("case.mark_archived", True) in logged
    assert await retention.erase_expired(now=LONG_AFTER) == 1


async def test_an_open_case_cannot_be_marked_archived(bot_server, bot_url, connector, sessions):
    channel = await reported(bot_url, connector, sessions, bot_server)
    data = {**_data_of(thread_card(channel)), "command": "archived"}

    _, body = await channel.invoke(COORDINATOR, data)

    assert "ikke tilgang" in answered_message(body) or "avsluttet" in answered_message(body)
    assert (await case_row(sessions)).archived_at is None


async def test_a_case_reopened_and_closed_again_waits_to_be_archived_again(
    bot_server, bot_url, connector, sessions
):
    channel = await reported(bot_url, connector, sessions, bot_server)
    card = await closed(channel, sessions)
    _, body = await channel.press(COORDINATOR, card, "archived")
    _, body = await channel.press(COORDINATOR, answered_card(body), "reopen")

    assert (await case_row(sessions)).archived_at is None


def _data_of(card: dict) -> dict:
    from tests.e2e.channel import find_execute

    return dict(find_execute(card, "take")["data"])


async def test_the_coordinator_hears_once_a_month_of_closed_cases_not_yet_archived(
    bot_server, bot_url, connector, sessions
):
    channel = await reported(bot_url, connector, sessions, bot_server)
    card = await closed(channel, sessions)
    number = (await case_row(sessions)).number

    await remind(bot_server, NOW + timedelta(days=15))
    await remind(bot_server, NOW + timedelta(days=16))

    told = [a for a in to(connector, COORDINATOR) if "venter på arkivering" in all_text(a)]
    assert len(told) == 1 and number in all_text(told[0])

    await channel.press(COORDINATOR, card, "archived")
    await remind(bot_server, NOW + timedelta(days=40))  # the next month: nothing waits
    told = [a for a in to(connector, COORDINATOR) if "venter på arkivering" in all_text(a)]
    assert len(told) == 1
