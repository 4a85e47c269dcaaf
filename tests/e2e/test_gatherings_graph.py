"""A gathering with Microsoft Graph configured: the bot, built from its settings as in
production, makes the Outlook event with a Teams meeting, puts the join link on the card, and
keeps the event in step when the gathering moves or is cancelled. Graph and the token endpoint
are local stand-ins over real sockets (tests/bot/fake_graph.py), not a mock of our client."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import remind
from tests.e2e.channel import member_chat
from tests.e2e.test_gatherings import (
    FORM,
    NOW,
    ORGANISER,
    announcement,
    gathering_row,
    move,
    open_list,
    schedule,
    shown,
    with_network,
)
from tests.support import all_text, find_action


@pytest.fixture
def graph_url(graph_bot: Any) -> str:
    return str(graph_bot.make_url("")).rstrip("/")


async def test_a_teams_meeting_is_made_in_outlook_and_its_link_put_on_the_card(
    graph_bot, graph_url, connector, sessions, graph
):
    channel = await with_network(graph_url, connector, sessions)

    await schedule(member_chat(graph_url, connector, ORGANISER), place="", teams_meeting="true")
    await remind(graph_bot, NOW)

    row = await gathering_row(sessions)
    [created] = graph.requests
    assert created.method == "POST" and created.body["transactionId"] == row.id
    assert created.body["subject"] == FORM["title"]
    assert created.body["start"] == {"dateTime": "2027-03-29T07:00:00", "timeZone": "UTC"}
    assert row.graph_event_id in graph.events
    join_url = graph.events[row.graph_event_id]["onlineMeeting"]["joinUrl"]
    assert row.online_url == join_url
    card = announcement(channel)
    assert "Digitalt, på Teams" in shown(card)
    assert join_url in [a.get("url") for a in card["actions"]]


async def test_moving_and_cancelling_keep_the_outlook_event_in_step(
    graph_bot, graph_url, connector, sessions, graph
):
    await with_network(graph_url, connector, sessions)
    organiser = member_chat(graph_url, connector, ORGANISER)
    await schedule(organiser)
    await remind(graph_bot, NOW)
    event_id = (await gathering_row(sessions)).graph_event_id

    await move(organiser, date="2027-04-12", time="10:00")
    await remind(graph_bot, NOW)
    confirm = await organiser.tap(find_action(await open_list(organiser), command="cancel"))
    await organiser.tap(find_action(confirm[-1], command="cancel_confirmed"))
    await remind(graph_bot, NOW)

    assert [(r.method, r.path.rsplit("/", 1)[-1]) for r in graph.requests] == [
        ("POST", "events"),
        ("PATCH", event_id),
        ("POST", "cancel"),
    ]
    moved = graph.requests[1].body
    assert moved["start"] == {"dateTime": "2027-04-12T08:00:00", "timeZone": "UTC"}
    assert event_id not in graph.events
    assert (await gathering_row(sessions)).sequence == 2


async def test_the_gathering_goes_ahead_when_graph_fails_and_the_organiser_is_told(
    graph_bot, graph_url, connector, sessions, graph
):
    channel = await with_network(graph_url, connector, sessions)
    graph.fail_next(403, "ErrorAccessDenied")

    replies = await schedule(
        member_chat(graph_url, connector, ORGANISER), place="", teams_meeting="true"
    )
    await remind(graph_bot, NOW)

    assert "Jeg fikk ikke laget Teams-møtet" in all_text(replies[-1])
    row = await gathering_row(sessions)
    assert row.graph_event_id is None and row.online_url is None
    assert len(channel.posts()) == 1
    assert row.starts_at == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)
