"""The operational team's own meeting through /api/messages: the coordinator schedules it in
personal chat ("nytt teammøte"), the agenda with the cases to go through is posted in the
team's channel the day before at noon, a decision recorded from the agenda goes into the case's
timeline, and a meeting called off or missed is handled as a coordinator would expect.

The bot's clock is NOW (Saturday 28 November 2026, 12.00 UTC); the reminder sweep runs at
whatever time a test says (`remind`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from icalendar import Calendar
from sqlalchemy import select

from storage.models import CaseEvent, Reminder, TeamMeeting, TeamMeetingCancellation
from storage.team_meetings import AGENDA
from tests.conftest import deliver, remind
from tests.e2e.channel import (
    COORDINATOR,
    MEMBER,
    STRANGER,
    Channel,
    answered_card,
    answered_message,
    card_of,
    find_execute,
    member_chat,
)
from tests.e2e.test_case_channel import assert_nothing_identifying, case_row, reported
from tests.e2e.test_report_dialogue import last
from tests.support import Failure, all_text, allow_writes, cards_in, find_action, refuse_writes

# Tuesday 1 December 2026 at 10.00 in Oslo (09.00 UTC); its agenda is due Monday at 12.00 Oslo.
FIRST = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
FIRST_AGENDA = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)
# Fourteen days later, and its agenda.
SECOND = datetime(2026, 12, 15, 9, 0, tzinfo=UTC)
SECOND_AGENDA = datetime(2026, 12, 14, 11, 0, tzinfo=UTC)
FORM = {
    "rhythm": "fortnightly",
    "date": "2026-12-01",
    "time": "10:00",
    "duration": "90",
    "place": "Rådhuset, møterom 3",
}


async def schedule(bot_url: str, connector: Any, **changes: str) -> list[dict[str, Any]]:
    coordinator = member_chat(bot_url, connector, COORDINATOR)
    r = await coordinator.say("nytt teammøte")
    assert "Teamets faste møte" in all_text(last(r))
    return await coordinator.tap(find_action(last(r), command="schedule"), **{**FORM, **changes})


def agendas(channel: Channel) -> list[dict[str, Any]]:
    """The agendas posted in the channel, as activities."""
    posted = [p.get("activity", p) for p in channel.posts()]
    return [a for a in posted if "Teammøte" in all_text(a)]


def shown_on(card: dict[str, Any]) -> str:
    """The text of a card Teams puts in place of the pressed one."""
    return all_text(
        {
            "attachments": [
                {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
            ]
        }
    )


async def with_a_case_and_a_meeting(bot_url: str, connector: Any, sessions: Any, server: Any):
    channel = await reported(bot_url, connector, sessions, server)
    r = await schedule(bot_url, connector)
    assert "er satt opp" in all_text(last(r)), all_text(last(r))
    return channel


async def test_the_coordinator_schedules_the_fortnightly_meeting_and_its_first_agenda_is_planned(
    bot_server, bot_url, connector, sessions
):
    await reported(bot_url, connector, sessions, bot_server)

    r = await schedule(bot_url, connector)

    shown = all_text(last(r))
    assert "hver 14. dag" in shown and "1. desember 2026 kl. 10.00" in shown
    async with sessions() as session:
        meeting = (await session.execute(select(TeamMeeting))).scalar_one()
        planned = (
            (await session.execute(select(Reminder).where(Reminder.kind == AGENDA))).scalars().all()
        )
    assert (meeting.rhythm, meeting.first_starts_at, meeting.minutes) == ("fortnightly", FIRST, 90)
    assert [(p.due_at, p.payload["starts_at"]) for p in planned] == [
        (FIRST_AGENDA, FIRST.isoformat())
    ]


async def test_the_agenda_comes_the_day_before_with_the_new_case_and_no_names(
    bot_server, bot_url, connector, sessions
):
    channel = await with_a_case_and_a_meeting(bot_url, connector, sessions, bot_server)
    case = await case_row(sessions)

    await remind(bot_server, FIRST_AGENDA)

    [agenda] = agendas(channel)
    shown = all_text(agenda)
    assert "Teammøte tirsdag 1. desember 2026 kl. 10.00" in shown
    # The series' first meeting goes through every open case.
    assert case.number in shown and "Åpen sak (første møte)" in shown
    assert "Rådhuset, møterom 3" in shown
    assert_nothing_identifying(channel)
    async with sessions() as session:
        next_one = (
            await session.execute(
                select(Reminder.due_at).where(Reminder.kind == AGENDA, Reminder.state == "pending")
            )
        ).scalar_one()
    assert next_one == SECOND_AGENDA


async def test_a_decision_from_the_agenda_goes_into_the_cases_timeline_not_the_channel(
    bot_server, bot_url, connector, sessions
):
    channel = await with_a_case_and_a_meeting(bot_url, connector, sessions, bot_server)
    await remind(bot_server, FIRST_AGENDA)
    [agenda] = agendas(channel)

    status, body = await channel.press(
        MEMBER, card_of(agenda), "decision", decision="Marte ringer fastlegen før fredag."
    )
    await deliver(bot_server)

    assert status == 200
    shown = shown_on(answered_card(body))
    assert "✓ Beslutning registrert" in shown and "registrerte en beslutning" in shown
    assert "fastlegen" not in shown
    async with sessions() as session:
        events = (
            (await session.execute(select(CaseEvent).where(CaseEvent.kind == "meeting_decision")))
            .scalars()
            .all()
        )
    assert len(events) == 1 and events[0].secret is not None
    assert events[0].data == {"meeting": events[0].data["meeting"], "starts_at": FIRST.isoformat()}
    assert "fastlegen" not in str(channel.everything_in_channel())


async def test_a_decision_for_a_case_not_on_the_agenda_is_refused(
    bot_server, bot_url, connector, sessions
):
    channel = await with_a_case_and_a_meeting(bot_url, connector, sessions, bot_server)
    await remind(bot_server, FIRST_AGENDA)
    data = find_execute(card_of(agendas(channel)[0]), "decision")["data"]

    _, body = await channel.invoke(MEMBER, {**data, "case": "0" * 32, "decision": "x"})

    assert "finner ikke" in answered_message(body)
    async with sessions() as session:
        assert (
            await session.execute(select(CaseEvent).where(CaseEvent.kind == "meeting_decision"))
        ).first() is None


async def test_a_meeting_called_off_brings_its_cases_to_the_next_agenda(
    bot_server, bot_url, connector, sessions
):
    channel = await with_a_case_and_a_meeting(bot_url, connector, sessions, bot_server)
    # Assessed: only "new since the last meeting held" can bring it to an agenda now.
    await channel.press(
        COORDINATOR, card_of(channel.posts()[0]["activity"]), "classify", classification="should"
    )
    await remind(bot_server, FIRST_AGENDA)
    [agenda] = agendas(channel)

    _, refused = await channel.press(MEMBER, card_of(agenda), "cancel")
    assert "Bare koordinatoren" in answered_message(refused)
    _, body = await channel.press(COORDINATOR, card_of(agenda), "cancel")
    assert "Møtet er avlyst" in shown_on(answered_card(body))

    await remind(bot_server, SECOND_AGENDA)

    second = agendas(channel)[-1]
    case = await case_row(sessions)
    assert "15. desember" in all_text(second)
    # No meeting has been held yet: the next one is the first, with every open case.
    assert case.number in all_text(second) and "Åpen sak (første møte)" in all_text(second)


async def test_a_case_talked_about_at_the_last_meeting_is_not_new_at_the_next(
    bot_server, bot_url, connector, sessions
):
    channel = await with_a_case_and_a_meeting(bot_url, connector, sessions, bot_server)
    await channel.press(
        COORDINATOR, card_of(channel.posts()[0]["activity"]), "classify", classification="should"
    )
    await remind(bot_server, FIRST_AGENDA)

    await remind(bot_server, SECOND_AGENDA)

    second = agendas(channel)[-1]
    case = await case_row(sessions)
    assert "Ingen nye saker" in all_text(second) and case.number not in all_text(second)


async def test_an_agenda_the_bot_missed_is_not_posted_after_the_meeting_began(
    bot_server, bot_url, connector, sessions
):
    channel = await with_a_case_and_a_meeting(bot_url, connector, sessions, bot_server)

    # The bot was down from Monday morning until Tuesday noon.
    await remind(bot_server, datetime(2026, 12, 1, 11, 0, tzinfo=UTC))

    assert agendas(channel) == []
    await remind(bot_server, SECOND_AGENDA)
    assert len(agendas(channel)) == 1  # the next one comes, with what the missed one held
    assert (await case_row(sessions)).number in all_text(agendas(channel)[0])


async def test_only_a_coordinator_schedules(bot_server, bot_url, connector, sessions):
    await reported(bot_url, connector, sessions, bot_server)

    r = await member_chat(bot_url, connector, MEMBER).say("nytt teammøte")

    assert "Bare koordinatoren" in all_text(last(r))


async def test_a_form_with_a_day_past_is_sent_back_with_what_to_fix(
    bot_server, bot_url, connector, sessions
):
    await reported(bot_url, connector, sessions, bot_server)

    r = await schedule(bot_url, connector, date="2026-11-01")

    assert "allerede vært" in all_text(last(r))
    async with sessions() as session:
        assert (await session.execute(select(TeamMeeting))).first() is None


async def test_a_new_meeting_ends_the_old_one_and_its_agendas(
    bot_server, bot_url, connector, sessions
):
    await reported(bot_url, connector, sessions, bot_server)
    await schedule(bot_url, connector)

    r = await schedule(bot_url, connector, rhythm="monthly", date="2026-12-08")

    assert "forrige faste møtet" in all_text(last(r))
    async with sessions() as session:
        pending = (
            (
                await session.execute(
                    select(Reminder.payload).where(
                        Reminder.kind == AGENDA, Reminder.state == "pending"
                    )
                )
            )
            .scalars()
            .all()
        )
    assert [p["starts_at"] for p in pending] == ["2026-12-08T09:00:00+00:00"]


async def calendar_file(bot_url: str, meeting_id: str) -> tuple[int, Calendar | None]:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{bot_url}/meetings/{meeting_id}.ics") as response,
    ):
        if response.status != 200:
            return response.status, None
        return 200, Calendar.from_ical(await response.read())


async def test_the_series_is_one_calendar_file_with_meetings_called_off_left_out(
    bot_server, bot_url, connector, sessions
):
    channel = await with_a_case_and_a_meeting(bot_url, connector, sessions, bot_server)
    async with sessions() as session:
        meeting = (await session.execute(select(TeamMeeting))).scalar_one()
    await remind(bot_server, FIRST_AGENDA)
    await channel.press(COORDINATOR, card_of(agendas(channel)[0]), "cancel")

    status, calendar = await calendar_file(bot_url, meeting.id)

    assert status == 200 and calendar is not None
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == FIRST
    assert dict(event["rrule"]) == {"FREQ": ["WEEKLY"], "INTERVAL": [2]}
    assert [d.dt for d in event["exdate"].dts] == [FIRST]
    assert event["sequence"] == 1
    assert "Rådhuset, møterom 3" in str(event["location"])


async def test_an_ended_series_ends_in_the_calendar_too(bot_server, bot_url, connector, sessions):
    await reported(bot_url, connector, sessions, bot_server)
    r = await schedule(bot_url, connector)
    assert find_link(last(r), "Legg i kalenderen").endswith(".ics")
    async with sessions() as session:
        meeting = (await session.execute(select(TeamMeeting))).scalar_one()

    r = await member_chat(bot_url, connector, COORDINATOR).say("avslutt teammøtet")

    assert "avsluttet" in all_text(last(r))
    _, calendar = await calendar_file(bot_url, meeting.id)
    assert calendar is not None
    [event] = calendar.walk("VEVENT")
    assert "UNTIL" in event["rrule"]
    async with sessions() as session:
        pending = (
            await session.execute(
                select(Reminder).where(Reminder.kind == AGENDA, Reminder.state == "pending")
            )
        ).first()
    assert pending is None


async def test_a_calendar_file_of_no_meeting_is_not_found(bot_url):
    status, _ = await calendar_file(bot_url, "0" * 32)

    assert status == 404


def find_link(activity: dict[str, Any], title: str) -> str:
    for card in cards_in(activity):
        for action in card.get("actions") or []:
            if action.get("type") == "Action.OpenUrl" and action.get("title") == title:
                return str(action["url"])
    raise AssertionError(f"no link {title!r}")


async def test_an_agenda_teams_refuses_for_now_is_posted_once_and_the_series_goes_on(
    bot_server, bot_url, connector, sessions
):
    channel = await with_a_case_and_a_meeting(bot_url, connector, sessions, bot_server)
    connector.fail_next += [Failure(503, method="CREATE"), Failure(503, method="CREATE")]

    await remind(bot_server, FIRST_AGENDA)
    await remind(bot_server, FIRST_AGENDA + timedelta(minutes=5))

    assert [f["_status"] for f in connector.failed] == [503, 503]
    assert len(agendas(channel)) == 1
    async with sessions() as session:
        planned = (
            (
                await session.execute(
                    select(Reminder.due_at).where(
                        Reminder.kind == AGENDA, Reminder.state == "pending"
                    )
                )
            )
            .scalars()
            .all()
        )
    assert planned == [SECOND_AGENDA]


async def test_a_decision_the_database_cannot_keep_is_said_plainly_and_nothing_is_half_kept(
    bot_server, bot_url, connector, sessions, engine
):
    channel = await with_a_case_and_a_meeting(bot_url, connector, sessions, bot_server)
    await remind(bot_server, FIRST_AGENDA)
    await refuse_writes(engine, "case_events", "INSERT")
    try:
        status, body = await channel.press(
            MEMBER, card_of(agendas(channel)[0]), "decision", decision="Ring fastlegen."
        )
    finally:
        await allow_writes(engine, "case_events")

    assert status == 200
    assert "Det ble IKKE lagret" in answered_message(body)
    async with sessions() as session:
        assert (
            await session.execute(select(CaseEvent).where(CaseEvent.kind == "meeting_decision"))
        ).first() is None


async def test_a_meeting_further_ahead_is_called_off_by_its_day_and_gets_no_agenda(
    bot_server, bot_url, connector, sessions
):
    channel = await with_a_case_and_a_meeting(bot_url, connector, sessions, bot_server)
    coordinator = member_chat(bot_url, connector, COORDINATOR)

    r = await coordinator.say("avlys teammøtet 15.12")
    assert "tirsdag 15. desember 2026 kl. 10.00 er avlyst" in all_text(last(r))
    r = await coordinator.say("avlys teammøtet 16.12")
    assert "finner ikke noe teammøte den dagen" in all_text(last(r))

    await remind(bot_server, SECOND_AGENDA)
    assert agendas(channel) == []  # the first was not swept, the second is called off
    r = await member_chat(bot_url, connector, MEMBER).say("avlys teammøtet 29.12")
    assert "Bare koordinatoren" in all_text(last(r))


async def test_someone_outside_the_team_can_neither_decide_nor_call_off(
    bot_server, bot_url, connector, sessions
):
    channel = await with_a_case_and_a_meeting(bot_url, connector, sessions, bot_server)
    await remind(bot_server, FIRST_AGENDA)
    agenda = card_of(agendas(channel)[0])

    _, decided = await channel.press(STRANGER, agenda, "decision", decision="Legg ned saken.")
    _, called_off = await channel.press(STRANGER, agenda, "cancel")

    assert "ikke tilgang" in answered_message(decided)
    assert "Bare koordinatoren" in answered_message(called_off)
    async with sessions() as session:
        assert (
            await session.execute(select(CaseEvent).where(CaseEvent.kind == "meeting_decision"))
        ).first() is None
        assert (await session.execute(select(TeamMeetingCancellation))).first() is None
