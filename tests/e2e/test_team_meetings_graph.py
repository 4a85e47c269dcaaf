"""The team's meeting with Microsoft Graph configured: the bot makes one Outlook series with a
Teams meeting, in Oslo's wall clock, calls off one meeting of it, and cancels the series when the
meeting ends. Graph and the token endpoint are local stand-ins (tests/bot/fake_graph.py)."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import TeamMeeting
from tests.conftest import remind
from tests.e2e.channel import COORDINATOR, member_chat
from tests.e2e.test_case_channel import reported
from tests.e2e.test_team_meetings import FIRST_AGENDA, agendas, schedule
from tests.support import all_text


def bot_url_of(server) -> str:
    return str(server.make_url("")).rstrip("/")


async def test_the_meeting_is_one_outlook_series_with_a_teams_meeting(
    graph_bot, graph, connector, sessions
):
    url = bot_url_of(graph_bot)
    channel = await reported(url, connector, sessions, graph_bot)
    await schedule(url, connector)

    await remind(graph_bot, FIRST_AGENDA)

    [series] = graph.events.values()
    assert series["recurrence"]["pattern"] == {
        "type": "weekly",
        "interval": 2,
        "daysOfWeek": ["tuesday"],
        "firstDayOfWeek": "monday",
    }
    assert series["start"] == {
        "dateTime": "2026-12-01T10:00:00",
        "timeZone": "W. Europe Standard Time",
    }
    async with sessions() as session:
        meeting = (await session.execute(select(TeamMeeting))).scalar_one()
    assert meeting.graph_event_id == series["id"] and meeting.join_url
    assert "Bli med i Teams-møtet" in all_text(agendas(channel)[0])


async def test_a_meeting_called_off_and_the_series_ended_are_cancelled_in_outlook(
    graph_bot, graph, connector, sessions
):
    url = bot_url_of(graph_bot)
    await reported(url, connector, sessions, graph_bot)
    await schedule(url, connector)
    await remind(graph_bot, FIRST_AGENDA)
    [series_id] = graph.events
    coordinator = member_chat(url, connector, COORDINATOR)

    await coordinator.say("avlys teammøtet 15.12")
    await remind(graph_bot, FIRST_AGENDA)
    # The instance is looked up a minute either side of its start, 15 December at 10.00 Oslo.
    assert graph.cancelled_instances == [(series_id, "2026-12-15T08:59:00+00:00")]

    await coordinator.say("avslutt teammøtet")
    await remind(graph_bot, FIRST_AGENDA)
    assert graph.events == {}  # the series is cancelled
