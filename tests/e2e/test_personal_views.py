"""Personal views do not stay in anyone's chat: the personal details, a case's timeline and the
coordinator's free-text preview are replaced, when their minutes are up, by a card that says
they are hidden again, with a button that shows them again (a new read, checked and logged).
Through /api/messages and the bot's own sweep at the time the test says, on SQLite and
PostgreSQL, across a restart and with two instances."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from tests.conftest import NOW, add_municipality, remind, start_bot
from tests.e2e.channel import COORDINATOR, MEMBER, find_execute, member_chat
from tests.e2e.test_case_channel import reported, thread_card, to
from tests.e2e.test_case_commands import (
    MOSS_MEMBER,
    log_rows,
    report_with_municipality,
    setting,
)
from tests.e2e.test_report_dialogue import NAME, answer_up_to_summary_with_consent, last
from tests.support import (
    TENANT,
    Chat,
    Failure,
    all_text,
    allow_writes,
    find_action,
    fixture,
    refuse_writes,
)

TEN_MINUTES = timedelta(minutes=10)
# What the report says of the person: none of it may stay in a chat once hidden.
DETAILS = ("Nordmann", "Storgata", "blåmerker")


@contextlib.asynccontextmanager
async def bot(database_url: str) -> AsyncIterator[tuple[Any, str]]:
    server = await start_bot(database_url)
    try:
        yield server, str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


async def details_shown(bot_url: str, connector: Any, sessions: Any) -> tuple[Chat, dict[str, Any]]:
    """A member of Moss's team opens the case in personal chat and presses «Vis
    personopplysninger»: the chat and the card with the details."""
    await setting(sessions)
    await report_with_municipality(Chat(bot_url, connector, aad_object_id="reporter"), "Moss")
    member = Chat(bot_url, connector, aad_object_id=MOSS_MEMBER)
    r = await member.say("vis TE-2026-0001")
    shown = last(await member.tap(find_action(last(r), command="show_personal")))
    assert NAME in all_text(shown)
    return member, shown


def updates_of(connector: Any, message: dict[str, Any]) -> list[dict[str, Any]]:
    """The bot's replacements of a message it sent."""
    return [
        a
        for a in connector.received
        if a["_method"] == "PUT"
        and a["_conversation"] == message["_conversation"]
        and a.get("id") == message["_given_id"]
    ]


def chat_as_it_reads(connector: Any, conversation: str) -> str:
    """Everything a person scrolling the chat now sees: each message as last replaced."""
    latest: dict[str, dict[str, Any]] = {}
    for a in connector.received:
        if a["_conversation"] != conversation:
            continue
        key = a.get("id") if a["_method"] == "PUT" else a["_given_id"]
        latest[str(key)] = a
    return "\n".join(all_text(a) for a in latest.values())


async def test_the_personal_details_are_hidden_again_when_their_ten_minutes_are_up(
    bot_server, bot_url, connector, sessions
):
    member, shown = await details_shown(bot_url, connector, sessions)

    await remind(bot_server, NOW + TEN_MINUTES - timedelta(seconds=1))
    assert updates_of(connector, shown) == []
    await remind(bot_server, NOW + TEN_MINUTES)

    [hidden] = updates_of(connector, shown)
    assert "Personopplysningene i TE-2026-0001 er skjult igjen." in all_text(hidden)
    assert hidden["conversation"]["conversationType"] == "personal"
    now_reads = chat_as_it_reads(connector, member.conversation_id)
    assert not [d for d in DETAILS if d in now_reads]


async def test_show_again_is_a_new_read_checked_and_logged(
    bot_server, bot_url, connector, sessions
):
    member, shown = await details_shown(bot_url, connector, sessions)
    await remind(bot_server, NOW + TEN_MINUTES)
    [hidden] = updates_of(connector, shown)

    again = last(await member.tap(find_action(hidden, command="show_personal")))

    assert NAME in all_text(again)
    views = [
        row for row in await log_rows(sessions, MOSS_MEMBER) if row[0] == "case.view_identifiable"
    ]
    assert views == [("case.view_identifiable", True)] * 2
    # …and that showing, too, is hidden again in its turn.
    await remind(bot_server, NOW + 2 * TEN_MINUTES)
    assert len(updates_of(connector, again)) == 1


async def test_the_timeline_and_the_coordinators_preview_are_hidden_again(
    bot_server, bot_url, connector, sessions
):
    channel = await reported(bot_url, connector, sessions, bot_server)
    [preview] = [a for a in to(connector, COORDINATOR) if "Fritekst til kanalen" in all_text(a)]
    await member_chat(bot_url, connector, MEMBER).say("hei")
    await channel.press(MEMBER, thread_card(channel), "timeline")
    timeline = to(connector, MEMBER)[-1]

    await remind(bot_server, NOW + TEN_MINUTES)

    [hidden_timeline] = updates_of(connector, timeline)
    assert "Tidslinjen for TE-2026-0001 er skjult igjen." in all_text(hidden_timeline)
    [hidden_preview] = updates_of(connector, preview)
    assert "Friteksten i TE-2026-0001 er skjult igjen." in all_text(hidden_preview)
    for who in (MEMBER, COORDINATOR):
        now_reads = chat_as_it_reads(connector, to(connector, who)[0]["_conversation"])
        assert not [d for d in DETAILS if d in now_reads], who


async def test_a_view_shown_before_a_restart_is_hidden_by_the_bot_after_it(
    engine, database_url, connector, sessions
):
    async with bot(database_url) as (_, bot_url):
        _, shown = await details_shown(bot_url, connector, sessions)

    async with bot(database_url) as (restarted, _):
        await remind(restarted, NOW + TEN_MINUTES)

    assert len(updates_of(connector, shown)) == 1


async def test_two_instances_hide_a_view_once(engine, database_url, connector, sessions):
    if engine.dialect.name != "postgresql":
        pytest.skip("several instances share a PostgreSQL database; SQLite is for one process")
    async with bot(database_url) as (first, bot_url), bot(database_url) as (second, _):
        _, shown = await details_shown(bot_url, connector, sessions)

        await asyncio.gather(*(remind(s, NOW + TEN_MINUTES) for s in (first, second)))

    assert len(updates_of(connector, shown)) == 1


async def test_a_view_that_can_no_longer_be_replaced_is_logged_without_its_content(
    bot_server, bot_url, connector, sessions, caplog
):
    member, shown = await details_shown(bot_url, connector, sessions)
    # The member deleted the message: Teams answers the replacement 404.
    connector.fail_next.append(
        Failure(404, code="NotFound", method="PUT", conversation=member.conversation_id)
    )

    with caplog.at_level(logging.INFO):
        await remind(bot_server, NOW + TEN_MINUTES)
        await remind(bot_server, NOW + 2 * TEN_MINUTES)

    assert updates_of(connector, shown) == []
    assert len(connector.failed) == 1
    assert "could not be hidden" in caplog.text
    assert not [d for d in DETAILS if d in caplog.text]


async def press_in_personal_chat(
    bot_url: str, connector: Any, who: str, card: dict[str, Any], command: str
) -> int:
    """`who` presses the Action.Execute `command` on a card in their own chat with the bot."""
    action = find_execute(card, command)
    activity = copy.deepcopy(fixture("03_invoke_adaptivecard_action_execute_personal.json"))
    activity["id"] = f"press-again-{command}"
    activity["serviceUrl"] = connector.url
    activity["from"] = {"id": f"29:{who}", "aadObjectId": who, "name": who}
    activity["conversation"] = {
        "id": f"a:personal-{who}-{TENANT}",
        "conversationType": "personal",
        "tenantId": TENANT,
    }
    activity["channelData"] = {"tenant": {"id": TENANT}}
    activity["locale"] = "nb-NO"
    activity["value"] = {
        "action": {"type": "Action.Execute", "verb": action["verb"], "data": action["data"]},
        "trigger": "manual",
    }
    async with aiohttp.ClientSession() as session:
        async with session.post(bot_url + "/api/messages", json=activity) as response:
            return response.status


async def test_show_again_on_a_hidden_timeline_sends_it_again_to_the_same_chat(
    bot_server, bot_url, connector, sessions
):
    channel = await reported(bot_url, connector, sessions, bot_server)
    await member_chat(bot_url, connector, MEMBER).say("hei")
    await channel.press(MEMBER, thread_card(channel), "timeline")
    timeline = to(connector, MEMBER)[-1]
    await remind(bot_server, NOW + TEN_MINUTES)
    [hidden] = updates_of(connector, timeline)

    status = await press_in_personal_chat(bot_url, connector, MEMBER, hidden, "timeline")

    assert status == 200
    again = to(connector, MEMBER)[-1]
    assert again["_method"] == "POST" and again is not timeline
    assert "Tidslinje" in all_text(again) and "TE-2026-0001" in all_text(again)


async def test_details_shown_while_their_hiding_cannot_be_planned_are_shown_without_an_error(
    bot_server, bot_url, connector, sessions, engine, caplog
):
    await setting(sessions)
    await report_with_municipality(Chat(bot_url, connector, aad_object_id="reporter"), "Moss")
    member = Chat(bot_url, connector, aad_object_id=MOSS_MEMBER)
    case = last(await member.say("vis TE-2026-0001"))
    before = len(connector.received)

    await refuse_writes(engine, "reminders", "INSERT")
    try:
        with caplog.at_level(logging.WARNING):
            shown = last(await member.tap(find_action(case, command="show_personal")))
    finally:
        await allow_writes(engine, "reminders")

    assert NAME in all_text(shown)  # the person has what they asked for…
    assert not [a for a in connector.received[before:] if "gikk galt" in all_text(a)]
    assert "will not be hidden" in caplog.text  # …and the log says it stays
    assert not [d for d in DETAILS if d in caplog.text]


async def test_a_reports_summary_left_open_is_hidden_then_shown_again_in_its_place(
    bot_server, bot_url, connector, sessions
):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    summary = last(await answer_up_to_summary_with_consent(chat))
    assert "Storgata" in all_text(summary)

    await remind(bot_server, NOW + TEN_MINUTES)

    [hidden] = updates_of(connector, summary)
    assert "Sammendraget av meldingen din er skjult igjen" in all_text(hidden)
    assert not [d for d in DETAILS if d in chat_as_it_reads(connector, chat.conversation_id)]
    await chat.tap(find_action(hidden, command="resume"))
    shown_again = updates_of(connector, summary)[-1]
    assert "Storgata" in all_text(shown_again)
    r = await chat.tap(find_action(shown_again, command="send"))
    assert "TE-2026-0001" in all_text(last(r))


async def test_a_summary_sent_in_time_stays_as_sent(bot_server, bot_url, connector, sessions):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    summary = last(await answer_up_to_summary_with_consent(chat))
    await chat.tap(find_action(summary, command="send"))

    await remind(bot_server, NOW + TEN_MINUTES)

    assert "Sendt som TE-2026-0001" in all_text(updates_of(connector, summary)[-1])


async def test_a_nynorsk_member_is_told_in_nynorsk_that_the_details_are_hidden(
    bot_server, bot_url, connector, sessions
):
    await setting(sessions)
    await report_with_municipality(Chat(bot_url, connector, aad_object_id="reporter"), "Moss")
    member = Chat(bot_url, connector, aad_object_id=MOSS_MEMBER, locale="nn-NO")
    case = last(await member.say("vis TE-2026-0001"))
    shown = last(await member.tap(find_action(case, command="show_personal")))

    await remind(bot_server, NOW + TEN_MINUTES)

    [hidden] = updates_of(connector, shown)
    assert "Personopplysningane i TE-2026-0001 er gøymde igjen." in all_text(hidden)


async def test_a_question_reopened_with_the_earlier_answer_in_its_field_is_hidden_again_too(
    bot_server, bot_url, connector, sessions
):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    summary = last(await answer_up_to_summary_with_consent(chat))
    reopened = last(await chat.tap(find_action(summary, command="edit", part="person")))
    assert NAME in str(reopened)  # the name question, with the name in its field

    await remind(bot_server, NOW + TEN_MINUTES)

    [hidden] = updates_of(connector, reopened)
    assert "Spørsmålet og svaret du hadde gitt, er skjult igjen" in all_text(hidden)
    assert NAME not in str(hidden)
    await chat.tap(find_action(hidden, command="resume"))
    assert NAME in str(updates_of(connector, reopened)[-1])  # shown again, in its place
