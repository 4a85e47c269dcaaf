"""Network gatherings through /api/messages: a network member schedules one in their own chat,
the announcement is posted once in the network channel, members answer on it (Action.Execute),
the reminders reach those not saying no at 09.00 Oslo time 7 days and 1 day before, and a move
or a cancellation updates the card, the calendar file and the reminders together.

The bot's clock is NOW (Saturday 28 November 2026); the reminder sweep runs at whatever time a
test says (`remind`), so months pass without sleeping."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from icalendar import Calendar
from sqlalchemy import delete, select, update

from bot.gatherings import GATHERINGS_KEY
from storage.gate import allow_tenant
from storage.models import Gathering, GatheringResponse, Membership, OutboxMessage, Reminder, Team
from tests.conftest import remind
from tests.e2e.channel import (
    CHANNEL_ID,
    TEAMS_TEAM_ID,
    Channel,
    answered_card,
    answered_message,
    card_of,
    member_chat,
)
from tests.e2e.test_case_channel import to
from tests.support import TENANT, Chat, all_text, cards_in, find_action

ORGANISER = "network-organiser"
MEMBER = "network-member"
DOUBTER = "network-doubter"
SILENT = "network-silent"
STRANGER = "not-in-the-network"
NETWORK_NAME = "TryggEst-nettverket Øst"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)

# Monday 29 March 2027 at 09.00 in Oslo: the clocks go forward in the night to Sunday 28 March.
# Seven days before (Monday 22 March, 09.00 CET) is 08.00 UTC; one day before (Sunday 28 March,
# 09.00 CEST) is 07.00 UTC.
SEVEN_DAYS_BEFORE = datetime(2027, 3, 22, 8, 0, tzinfo=UTC)
ONE_DAY_BEFORE = datetime(2027, 3, 28, 7, 0, tzinfo=UTC)
FORM = {
    "title": "Nettverkssamling våren 2027",
    "date": "2027-03-29",
    "time": "09:00",
    "duration": "180",
    "place": "Rådhuset i Moss, møterom 2",
    "online_url": "",
    "agenda": "Erfaringer med anonym drøfting",
    "region": "east",
}


async def network(sessions: Any, members: tuple[str, ...] = (MEMBER, DOUBTER, SILENT)) -> str:
    """A network team in its own Teams team and channel, with an organiser and members."""
    await allow_tenant(sessions, TENANT, "Moss")
    async with sessions() as session, session.begin():
        team = Team(
            tenant_id=TENANT,
            kind="network",
            name=NETWORK_NAME,
            teams_team_id=TEAMS_TEAM_ID,
            channel_id=CHANNEL_ID,
        )
        session.add(team)
        await session.flush()
        people = [(ORGANISER, "Lars Koordinator"), *((m, m.title()) for m in members)]
        for aad, name in people:
            session.add(
                Membership(
                    team_id=team.id,
                    tenant_id=TENANT,
                    aad_object_id=aad,
                    role="network",
                    display_name=name,
                )
            )
        return team.id


async def with_network(bot_url: str, connector: Any, sessions: Any) -> Channel:
    """The network, the bot added to its Teams team, and everyone known in their own chat."""
    await network(sessions)
    channel = Channel(bot_url, connector)
    assert await channel.add_bot() < 300
    for who in (ORGANISER, MEMBER, DOUBTER, SILENT, STRANGER):
        await member_chat(bot_url, connector, who).say("hei")
    return channel


async def schedule(chat: Chat, **changes: str) -> list[dict[str, Any]]:
    """'ny samling', then the form sent with FORM (and the changes)."""
    form = await chat.say("ny samling")
    create = find_action(form[-1], command="create")
    return await chat.tap(create, **{**FORM, **changes})


async def scheduled(bot_url: str, connector: Any, sessions: Any, server: Any) -> Channel:
    """The gathering scheduled and announced."""
    channel = await with_network(bot_url, connector, sessions)
    await schedule(member_chat(bot_url, connector, ORGANISER))
    await remind(server, NOW)
    return channel


def announcement(channel: Channel) -> dict[str, Any]:
    posts = channel.posts()
    assert len(posts) == 1
    return card_of(posts[0])


def rsvp(card: dict[str, Any], answer: str) -> dict[str, Any]:
    """The data of the answer button `answer` on the card."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            data = node.get("data")
            if (
                node.get("type") == "Action.Execute"
                and isinstance(data, dict)
                and data.get("command") == "rsvp"
                and data.get("answer") == answer
            ):
                found.append(data)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    assert found, f"no {answer!r} button on the card"
    return found[0]


async def answer(channel: Channel, who: str, card: dict[str, Any], what: str) -> dict[str, Any]:
    status, body = await channel.invoke(who, rsvp(card, what))
    assert status == 200
    return body


def shown(card: dict[str, Any]) -> str:
    return all_text(
        {
            "attachments": [
                {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
            ]
        }
    )


def told(connector: Any, who: str) -> list[str]:
    return [all_text(a) for a in to(connector, who)]


async def gathering_row(sessions: Any) -> Gathering:
    async with sessions() as session:
        return (await session.execute(select(Gathering))).scalar_one()


async def reminders(sessions: Any, state: str = "pending") -> list[Reminder]:
    async with sessions() as session:
        rows = await session.execute(
            select(Reminder)
            .where(Reminder.kind == "gathering_reminder", Reminder.state == state)
            .order_by(Reminder.due_at, Reminder.recipient_aad_object_id)
        )
        return list(rows.scalars())


async def calendar_file(bot_url: str, card: dict[str, Any]) -> Calendar:
    """The .ics behind the card's "Legg i kalenderen", fetched from the bot as a browser would."""
    [url] = [
        a["url"]
        for a in card.get("actions", [])
        if a.get("type") == "Action.OpenUrl" and a["url"].endswith(".ics")
    ]
    path = url[url.index("/gatherings/") :]
    async with aiohttp.ClientSession() as session, session.get(bot_url + path) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/calendar")
        return Calendar.from_ical(await response.read())


async def open_list(chat: Chat) -> dict[str, Any]:
    replies = await chat.say("samlinger")
    return replies[-1]


# --- scheduling ---------------------------------------------------------------------------------


async def test_ny_samling_gives_a_network_member_the_form(bot_server, bot_url, connector, sessions):
    await with_network(bot_url, connector, sessions)

    replies = await member_chat(bot_url, connector, ORGANISER).say("ny samling")

    form = all_text(replies[-1])
    assert "Ny nettverkssamling" in form
    assert NETWORK_NAME in form  # the only network: shown, not asked
    assert find_action(replies[-1], command="create")["form"]


async def test_someone_in_no_network_is_told_who_can_add_them(
    bot_server, bot_url, connector, sessions
):
    await with_network(bot_url, connector, sessions)

    replies = await member_chat(bot_url, connector, STRANGER).say("ny samling")

    assert "når du er med i et nettverk" in all_text(replies[-1])
    assert not cards_in(replies[-1])


async def test_a_form_with_mistakes_comes_back_with_what_to_fix_and_what_was_typed(
    bot_server, bot_url, connector, sessions
):
    await with_network(bot_url, connector, sessions)

    replies = await schedule(
        member_chat(bot_url, connector, ORGANISER),
        date="2026-11-01",
        place="",
        online_url="teams.microsoft.com/møte",
    )

    again = replies[-1]
    text = all_text(again)
    assert "Det tidspunktet har allerede vært" in text
    assert "Lenken må begynne med https://" in text
    assert FORM["title"] in text  # kept as typed
    assert find_action(again, command="create")
    assert await reminders(sessions) == []
    async with sessions() as session:
        assert (await session.execute(select(Gathering))).first() is None


async def test_the_announcement_is_posted_once_in_the_network_channel(
    bot_server, bot_url, connector, sessions
):
    channel = await with_network(bot_url, connector, sessions)
    organiser = member_chat(bot_url, connector, ORGANISER)
    form = await organiser.say("ny samling")
    create = find_action(form[-1], command="create")

    first = await organiser.tap(create, **FORM)
    second = await organiser.tap(create, **FORM)  # the same form sent again
    await remind(bot_server, NOW)
    await remind(bot_server, NOW)

    assert "Kortet kommer i kanalen til" in all_text(first[-1])
    assert "allerede lagret" in all_text(second[-1])
    posts = channel.posts()
    assert len(posts) == 1
    assert posts[0]["_conversation"] == CHANNEL_ID
    card = card_of(posts[0])
    text = shown(card)
    assert "Nettverkssamling våren 2027" in text
    assert "mandag 29.\u00a0mars 2027 kl. 09.00–12.00".replace("\u00a0", " ") in text
    assert "Rådhuset i Moss, møterom 2" in text
    assert "RVTS Øst" in text and "Lars Koordinator" in text
    assert "Kommer: 1 · Kanskje: 0 · Kommer ikke: 0" in text  # the organiser
    assert {rsvp(card, a)["answer"] for a in ("yes", "no", "maybe")} == {"yes", "no", "maybe"}
    row = await gathering_row(sessions)
    assert row.post_conversation_id == f"{CHANNEL_ID};messageid={row.post_activity_id}"


async def test_a_bot_left_to_itself_posts_the_announcement_within_seconds_even_after_a_503(
    engine, database_url, connector, sessions
):
    from tests.conftest import start_bot
    from tests.support import Failure

    async def shown(what: Callable[[], list[Any]]) -> list[Any]:
        for _ in range(300):
            if seen := what():
                return seen
            await asyncio.sleep(0.05)
        return []

    # The scheduler and the delivery running by themselves, as in production: the form's kick
    # queues the post on the outbox and wakes its delivery; the retry comes by itself.
    server = await start_bot(
        database_url,
        TRYGGEST_SCHEDULER="true",
        TRYGGEST_OUTBOX_DELIVERY="true",
        TRYGGEST_OUTBOX_INTERVAL="0.2",
        TRYGGEST_TEAMS_ATTEMPTS="1",
    )
    try:
        bot_url = str(server.make_url("")).rstrip("/")
        channel = await with_network(bot_url, connector, sessions)
        connector.fail_next.append(Failure(503, method="CREATE"))
        await schedule(member_chat(bot_url, connector, ORGANISER))
        assert await shown(lambda: connector.failed)
        for _ in range(300):
            # Once its next try is set, that try is made due now rather than in 7 to 15 s.
            async with sessions() as session, session.begin():
                waiting = await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.next_attempt_at.is_not(None))
                    .values(next_attempt_at=None)
                )
            if waiting.rowcount:
                break
            await asyncio.sleep(0.05)
        posts = await shown(channel.posts)
    finally:
        await server.close()

    assert [f["_status"] for f in connector.failed] == [503]
    assert len(posts) == 1 and posts[0]["_conversation"] == CHANNEL_ID


# --- answers ------------------------------------------------------------------------------------


async def test_answers_are_counted_live_and_a_second_answer_replaces_the_first(
    bot_server, bot_url, connector, sessions
):
    channel = await scheduled(bot_url, connector, sessions, bot_server)
    card = announcement(channel)

    await answer(channel, MEMBER, card, "yes")
    after_maybe = answered_card(await answer(channel, DOUBTER, card, "maybe"))
    changed_mind = answered_card(await answer(channel, DOUBTER, card, "no"))

    assert "Kommer: 2 · Kanskje: 1 · Kommer ikke: 0" in shown(after_maybe)
    assert "Kommer: 2 · Kanskje: 0 · Kommer ikke: 1" in shown(changed_mind)
    async with sessions() as session:
        answers = dict(
            (
                await session.execute(
                    select(GatheringResponse.aad_object_id, GatheringResponse.answer)
                )
            ).all()
        )
    assert answers == {ORGANISER: "yes", MEMBER: "yes", DOUBTER: "no"}


async def test_an_answer_from_outside_the_network_changes_nothing(
    bot_server, bot_url, connector, sessions
):
    channel = await scheduled(bot_url, connector, sessions, bot_server)
    card = announcement(channel)

    outsider = answered_message(await answer(channel, STRANGER, card, "yes"))
    forged_answer = answered_message(
        (await channel.invoke(MEMBER, {**rsvp(card, "yes"), "answer": "definitely"}))[1]
    )
    forged_id = answered_message(
        (await channel.invoke(MEMBER, {**rsvp(card, "yes"), "gathering": "f" * 32}))[1]
    )

    assert "Du er ikke med i dette nettverket" in outsider
    assert "Den knappen virker ikke lenger" in forged_answer
    assert "finner ikke den samlingen" in forged_id
    async with sessions() as session:
        people = (await session.execute(select(GatheringResponse.aad_object_id))).scalars()
        assert list(people) == [ORGANISER]


# --- reminders ----------------------------------------------------------------------------------


async def test_reminders_go_at_nine_oslo_time_7_days_and_1_day_before_across_the_dst_change(
    bot_server, bot_url, connector, sessions
):
    channel = await scheduled(bot_url, connector, sessions, bot_server)
    card = announcement(channel)
    await answer(channel, MEMBER, card, "yes")
    await answer(channel, DOUBTER, card, "no")
    # SILENT has not answered; the organiser said yes by scheduling it.

    assert {r.due_at for r in await reminders(sessions)} == {SEVEN_DAYS_BEFORE, ONE_DAY_BEFORE}
    early = await remind(bot_server, SEVEN_DAYS_BEFORE - MINUTE)
    week = await remind(bot_server, SEVEN_DAYS_BEFORE)
    before_day = await remind(bot_server, ONE_DAY_BEFORE - MINUTE)
    day = await remind(bot_server, ONE_DAY_BEFORE)

    assert (early["sent"], week["sent"], before_day["sent"], day["sent"]) == (0, 3, 0, 3)
    for who in (ORGANISER, MEMBER, SILENT):
        got = told(connector, who)[-2:]
        assert "Om 7 dager: Nettverkssamling våren 2027" in got[0]
        assert "I morgen: Nettverkssamling våren 2027" in got[1]
        assert "mandag 29. mars 2027 kl. 09.00–12.00" in got[1]
    assert not any("Nettverkssamling" in t for t in told(connector, DOUBTER))
    assert "Du har ikke svart ennå" in told(connector, SILENT)[-1]


async def test_after_downtime_only_the_latest_reminder_goes_out_late(
    bot_server, bot_url, connector, sessions
):
    await scheduled(bot_url, connector, sessions, bot_server)

    # The bot was down from before the 7-day reminders until after the 1-day ones were due.
    late = await remind(bot_server, ONE_DAY_BEFORE + timedelta(hours=3))

    assert (late["sent"], late["cancelled"]) == (4, 4)
    got = told(connector, SILENT)
    assert "I morgen: Nettverkssamling våren 2027" in got[-1]
    assert not any("Om 7 dager" in t for t in got)


async def test_who_joins_the_network_later_is_reminded_and_who_leaves_is_not(
    bot_server, bot_url, connector, sessions
):
    await scheduled(bot_url, connector, sessions, bot_server)
    network_id = (await gathering_row(sessions)).network_team_id
    async with sessions() as session, session.begin():
        session.add(
            Membership(team_id=network_id, tenant_id=TENANT, aad_object_id=STRANGER, role="network")
        )
        await session.execute(delete(Membership).where(Membership.aad_object_id == SILENT))

    await bot_server.app[GATHERINGS_KEY].plan_reminders()  # the hourly planning job
    week = await remind(bot_server, SEVEN_DAYS_BEFORE)

    assert "Om 7 dager: Nettverkssamling våren 2027" in told(connector, STRANGER)[-1]
    assert not any("Nettverkssamling" in t for t in told(connector, SILENT))
    assert week["sent"] == 4  # the organiser, MEMBER, DOUBTER and the newcomer


@pytest.mark.parametrize("then, said", [("yes", "Kommer"), ("maybe", "Kanskje")])
async def test_a_no_that_becomes_a_yes_or_a_maybe_is_reminded_again(
    bot_server, bot_url, connector, sessions, then, said
):
    channel = await scheduled(bot_url, connector, sessions, bot_server)
    card = announcement(channel)
    await answer(channel, DOUBTER, card, "no")
    await answer(channel, DOUBTER, card, then)

    await remind(bot_server, SEVEN_DAYS_BEFORE)

    reminded = told(connector, DOUBTER)[-1]
    assert "Om 7 dager: Nettverkssamling våren 2027" in reminded
    assert f"Du har svart: {said}." in reminded


async def test_a_member_can_answer_on_the_reminder_and_the_channel_counts_follow(
    bot_server, bot_url, connector, sessions
):
    channel = await scheduled(bot_url, connector, sessions, bot_server)
    await remind(bot_server, SEVEN_DAYS_BEFORE)
    reminder = cards_in(to(connector, SILENT)[-1])[0]

    status, body = await channel.invoke(SILENT, rsvp(reminder, "yes"))
    await remind(bot_server, SEVEN_DAYS_BEFORE)

    assert status == 200
    assert "Takk! Du har svart: Kommer." in shown(answered_card(body))
    thread = (await gathering_row(sessions)).post_conversation_id
    updated = channel.updates(thread)
    assert "Kommer: 2 · Kanskje: 0 · Kommer ikke: 0" in all_text(updated[-1])


async def test_when_the_gathering_is_over_its_card_takes_no_more_answers(
    bot_server, bot_url, connector, sessions
):
    channel = await scheduled(bot_url, connector, sessions, bot_server)
    ends = datetime(2027, 3, 29, 10, 0, tzinfo=UTC)

    await remind(bot_server, ends)

    thread = (await gathering_row(sessions)).post_conversation_id
    [closed] = channel.updates(thread)
    assert "Samlingen er over." in all_text(closed)
    assert not any(
        isinstance(a, dict) and a.get("type") == "Action.Execute" for a in _walk(cards_in(closed))
    )


# --- the organiser moves it, or cancels it --------------------------------------------------------


async def move(chat: Chat, **changes: str) -> list[dict[str, Any]]:
    listed = await open_list(chat)
    form = await chat.tap(find_action(listed, command="edit"))
    save = find_action(form[-1], command="save")
    return await chat.tap(save, **{**FORM, **changes})


async def test_a_moved_gathering_updates_its_card_its_reminders_and_tells_those_coming(
    bot_server, bot_url, connector, sessions
):
    channel = await scheduled(bot_url, connector, sessions, bot_server)
    card = announcement(channel)
    await answer(channel, MEMBER, card, "yes")
    organiser = member_chat(bot_url, connector, ORGANISER)

    saved = await move(organiser, date="2027-04-12", time="10:00")
    sent = await remind(bot_server, NOW)

    assert "Endringen er lagret" in all_text(saved[-1])
    row = await gathering_row(sessions)
    assert row.sequence == 1
    assert row.starts_at == datetime(2027, 4, 12, 8, 0, tzinfo=UTC)
    updates = [a for a in connector.received if a.get("_method") == "PUT"]
    assert len(updates) == 1 and "mandag 12. april 2027 kl. 10.00–13.00" in all_text(updates[-1])
    assert sent["sent"] == 2  # the card, and the word to MEMBER (not to the organiser)
    assert "Ny tid: Nettverkssamling våren 2027" in told(connector, MEMBER)[-1]
    old = {r.due_at for r in await reminders(sessions, "cancelled")}
    new = {r.due_at for r in await reminders(sessions)}
    assert old == {SEVEN_DAYS_BEFORE, ONE_DAY_BEFORE}
    # 09.00 Oslo in summer time: 07.00 UTC.
    assert new == {datetime(2027, 4, 5, 7, 0, tzinfo=UTC), datetime(2027, 4, 11, 7, 0, tzinfo=UTC)}
    assert (await remind(bot_server, ONE_DAY_BEFORE))["sent"] == 0


async def test_a_cancelled_gathering_shows_on_its_card_and_reminds_no_one(
    bot_server, bot_url, connector, sessions
):
    channel = await scheduled(bot_url, connector, sessions, bot_server)
    card = announcement(channel)
    await answer(channel, MEMBER, card, "maybe")
    organiser = member_chat(bot_url, connector, ORGANISER)

    listed = await open_list(organiser)
    confirm = await organiser.tap(find_action(listed, command="cancel"))
    done = await organiser.tap(find_action(confirm[-1], command="cancel_confirmed"))
    await remind(bot_server, NOW)
    late_answer = answered_card(await answer(channel, SILENT, card, "yes"))

    assert "Samlingen er avlyst" in all_text(done[-1])
    updated = [a for a in connector.received if a.get("_method") == "PUT"][-1]
    assert "AVLYST" in all_text(updated)
    assert "Avlyst: Nettverkssamling våren 2027" in told(connector, MEMBER)[-1]
    assert "AVLYST" in shown(late_answer)
    assert not any(
        isinstance(a, dict) and a.get("type") == "Action.Execute" for a in _walk(late_answer)
    )
    assert await reminders(sessions) == []
    assert (await remind(bot_server, SEVEN_DAYS_BEFORE))["sent"] == 0


def _walk(node: Any) -> list[Any]:
    found = [node]
    if isinstance(node, dict):
        for value in node.values():
            found += _walk(value)
    elif isinstance(node, list):
        for item in node:
            found += _walk(item)
    return found


async def test_only_the_organiser_can_change_or_cancel_it(bot_server, bot_url, connector, sessions):
    await scheduled(bot_url, connector, sessions, bot_server)
    member = member_chat(bot_url, connector, MEMBER)
    gathering = (await gathering_row(sessions)).id

    listed = await open_list(member)
    edit = await member.tap({"tryggest": "gathering", "command": "edit", "gathering": gathering})
    cancel = await member.tap(
        {
            "tryggest": "gathering",
            "command": "cancel_confirmed",
            "gathering": gathering,
            "sequence": 0,
        }
    )

    assert "Nettverkssamling våren 2027" in all_text(listed)
    assert "Endre" not in all_text(listed) and "Avlys" not in all_text(listed)
    assert "Bare den som la inn samlingen" in all_text(edit[-1])
    assert "Bare den som la inn samlingen" in all_text(cancel[-1])
    assert (await gathering_row(sessions)).state == "scheduled"


async def test_samlinger_lists_the_gatherings_to_come_with_ones_own_answer(
    bot_server, bot_url, connector, sessions
):
    channel = await scheduled(bot_url, connector, sessions, bot_server)
    await answer(channel, MEMBER, announcement(channel), "maybe")

    listed = all_text(await open_list(member_chat(bot_url, connector, MEMBER)))

    assert "Samlinger som kommer" in listed
    assert "Nettverkssamling våren 2027" in listed
    assert "Ditt svar: Kanskje" in listed


# --- the calendar file ---------------------------------------------------------------------------


async def test_the_calendar_file_parses_back_to_the_gathering_and_follows_a_move(
    bot_server, bot_url, connector, sessions
):
    channel = await scheduled(bot_url, connector, sessions, bot_server)
    card = announcement(channel)
    gathering = (await gathering_row(sessions)).id

    first = await calendar_file(bot_url, card)
    await move(member_chat(bot_url, connector, ORGANISER), date="2027-04-12", time="10:00")
    moved = await calendar_file(bot_url, card)

    [event] = first.events
    assert first["METHOD"] == "REQUEST"
    assert str(event["UID"]) == f"{gathering}@tryggest"
    assert event["SEQUENCE"] == 0
    assert event.start == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)
    assert event.end == datetime(2027, 3, 29, 10, 0, tzinfo=UTC)
    assert str(event.start.tzinfo) == "Europe/Oslo"
    assert str(event["SUMMARY"]) == "Nettverkssamling våren 2027"
    assert str(event["LOCATION"]) == "Rådhuset i Moss, møterom 2"
    assert event["ORGANIZER"].params["CN"] == "Lars Koordinator"
    assert "ATTENDEE" not in event
    [after] = moved.events
    assert str(after["UID"]) == str(event["UID"])
    assert after["SEQUENCE"] == 1
    assert after.start == datetime(2027, 4, 12, 8, 0, tzinfo=UTC)


async def test_the_calendar_file_of_a_cancelled_gathering_cancels_it(
    bot_server, bot_url, connector, sessions
):
    channel = await scheduled(bot_url, connector, sessions, bot_server)
    card = announcement(channel)
    organiser = member_chat(bot_url, connector, ORGANISER)
    confirm = await organiser.tap(find_action(await open_list(organiser), command="cancel"))
    await organiser.tap(find_action(confirm[-1], command="cancel_confirmed"))

    cancelled = await calendar_file(bot_url, card)

    [event] = cancelled.events
    assert cancelled["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 1


async def test_an_unknown_calendar_file_is_not_found(bot_server, bot_url):
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{bot_url}/gatherings/{'0' * 32}.ics") as response:
            assert response.status == 404
        async with session.get(f"{bot_url}/gatherings/../../etc/passwd.ics") as response:
            assert response.status == 404


async def test_an_announcement_refused_while_the_bot_was_out_of_the_team_goes_when_it_is_back(
    bot_server, bot_url, connector, sessions
):
    channel = await with_network(bot_url, connector, sessions)
    connector.refuse[CHANNEL_ID] = (403, "BotNotInConversationRoster")
    await schedule(member_chat(bot_url, connector, ORGANISER))
    await remind(bot_server, NOW)
    assert channel.posts() == []

    del connector.refuse[CHANNEL_ID]
    await channel.add_bot()
    await remind(bot_server, NOW + MINUTE)
    await remind(bot_server, NOW + 2 * MINUTE)

    assert len(channel.posts()) == 1


async def test_an_announcement_teams_refuses_for_good_is_told_to_the_organiser(
    bot_server, bot_url, connector, sessions
):
    from tests.support import Failure

    channel = await with_network(bot_url, connector, sessions)
    connector.fail_next.append(Failure(404, code="NotFound", method="CREATE"))

    await schedule(member_chat(bot_url, connector, ORGANISER))
    await remind(bot_server, NOW)

    assert channel.posts() == []
    [message] = [t for t in told(connector, ORGANISER) if "ble ikke lagt ut" in t]
    assert "Nettverkssamling våren 2027" in message


async def test_an_announcement_teams_refuses_for_now_is_posted_once_on_a_later_sweep(
    bot_server, bot_url, connector, sessions
):
    from tests.support import Failure

    channel = await with_network(bot_url, connector, sessions)
    connector.fail_next.append(Failure(503, {"Retry-After": "120"}, method="CREATE"))

    await schedule(member_chat(bot_url, connector, ORGANISER))
    first = await remind(bot_server, NOW)
    later = await remind(bot_server, NOW + 2 * 60 * MINUTE)

    assert (first["retry"], later["sent"]) == (1, 1), (first, later)
    assert len(channel.posts()) == 1
    assert [t for t in told(connector, ORGANISER) if "ble ikke lagt ut" in t] == []
