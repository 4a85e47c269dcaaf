"""Issue #5 through /api/messages: a report becomes one thread in the team channel with an
anonymised card; the coordinator approves the free text; the team works the case from the card
(Action.Execute) to closed; the reporter hears how it goes; nothing identifying reaches the
channel."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from storage.crypto import FieldCipher, parse_keys
from storage.models import (
    AccessLogEntry,
    Case,
    CaseEvent,
    ChannelPost,
    Membership,
    OutboxMessage,
)
from storage.person_data import PersonData
from tests.conftest import DATA_KEY, NOW, add_municipality, deliver
from tests.e2e.channel import (
    CHANNEL_ID,
    COORDINATOR,
    MEMBER,
    OTHER_MEMBER,
    REPORTER,
    STRANGER,
    Channel,
    answered_card,
    answered_message,
    card_of,
    find_execute,
    has_execute,
    member_chat,
    moss_with_channel,
)
from tests.e2e.test_report_dialogue import (
    NAME,
    answer_up_to_summary_with_consent,
    last,
)
from tests.support import TENANT, all_text, cards_in, find_action

# The free text names the person and holds a phone number: the channel must see neither.
WHAT_HAPPENED = (
    "Kari har blåmerker på armene. Sønnen Per Nordmann tar pengene hennes, ring ham på 915 55 123."
)
IDENTIFIERS = ["Kari", "Nordmann", "Per ", "915 55 123", "91555123", "Storgata", "1941"]


async def send_report(bot_url: str, connector: Any, answers: Any = None, **kwargs: Any) -> None:
    """The reporter answers every question (with consent unless `answers` says otherwise) and
    presses Send."""
    reporter = member_chat(bot_url, connector, REPORTER)
    summary = await (answers or answer_up_to_summary_with_consent)(reporter, **kwargs)
    await reporter.tap(find_action(last(summary), command="send"))


async def reported(
    bot_url: str, connector: Any, sessions: Any, server: Any, organise: bool = True
) -> Channel:
    """The bot in the team, the coordinator known to the bot, a report made and delivered.
    `organise` False when the test has set up Moss's teams itself."""
    if organise:
        await moss_with_channel(sessions)
    channel = Channel(bot_url, connector)
    assert await channel.add_bot() < 300
    coordinator = member_chat(bot_url, connector, COORDINATOR)
    await coordinator.say("hei")  # so the bot can reach the coordinator's own chat
    await send_report(bot_url, connector, what_happened=WHAT_HAPPENED)
    await deliver(server)
    return channel


def thread_card(channel: Channel) -> dict[str, Any]:
    posts = channel.posts()
    assert len(posts) == 1
    return card_of(posts[0])


async def case_row(sessions: Any) -> Case:
    async with sessions() as session:
        return (await session.execute(select(Case))).scalar_one()


async def events(sessions: Any, kind: str | None = None) -> list[CaseEvent]:
    async with sessions() as session:
        query = select(CaseEvent).order_by(CaseEvent.at)
        if kind:
            query = query.where(CaseEvent.kind == kind)
        return list((await session.execute(query)).scalars())


def to(connector: Any, who: str) -> list[dict[str, Any]]:
    """What the bot sent to someone's personal chat."""
    return [a for a in connector.received if a.get("_conversation") == f"a:personal-{who}-{TENANT}"]


def assert_nothing_identifying(channel: Channel) -> None:
    seen = "\n".join(
        all_text(a) + all_text(a.get("activity") or {}) for a in channel.everything_in_channel()
    )
    for identifier in IDENTIFIERS:
        assert identifier not in seen, f"{identifier!r} reached the channel"


# --- the channel post --------------------------------------------------------------------------


async def test_a_report_becomes_one_thread_in_the_team_channel(
    bot_server, bot_url, connector, sessions
):
    channel = await reported(bot_url, connector, sessions, bot_server)
    await deliver(bot_server)  # delivering again posts nothing new

    posts = channel.posts()
    assert len(posts) == 1
    assert posts[0]["_conversation"] == CHANNEL_ID
    shown = all_text(posts[0]["activity"])
    assert "Sak TE-2026-0001" in shown
    assert "80 år eller eldre" in shown and "Demens" in shown and "Fysisk vold" in shown
    assert "Barn" in shown and "Hjemmetjenesten" in shown
    assert "Ingen ennå" in shown  # who has it
    assert "Fritekst vises her når koordinator har godkjent" in shown
    assert_nothing_identifying(channel)
    assert (await _post(sessions)).conversation_id.startswith(CHANNEL_ID + ";messageid=")


async def test_the_post_waits_for_the_channel_and_is_never_lost_when_teams_refuses(
    bot_server, bot_url, connector, sessions
):
    await moss_with_channel(sessions)
    channel = Channel(bot_url, connector)
    await channel.add_bot()
    coordinator = member_chat(bot_url, connector, COORDINATOR)
    await coordinator.say("hei")
    connector.refuse[CHANNEL_ID] = (403, "BotNotInConversationRoster")
    await send_report(bot_url, connector)

    await deliver(bot_server)

    assert channel.posts() == []
    told = "\n".join(all_text(a) for a in to(connector, COORDINATOR))
    assert "TryggEst kan ikke lenger skrive i kanalen" in told
    async with sessions() as session:
        waiting = (
            await session.execute(
                select(OutboxMessage).where(OutboxMessage.kind == "case_reported")
            )
        ).scalar_one()
    assert waiting.state == "pending"

    # The bot is added to the team again: the case is posted, once.
    del connector.refuse[CHANNEL_ID]
    await channel.add_bot()
    await deliver(bot_server)
    await deliver(bot_server)
    assert len(channel.posts()) == 1


async def test_a_throttled_post_is_retried_later_and_posted_once(
    bot_server, bot_url, connector, sessions
):
    from tests.support import Failure

    await moss_with_channel(sessions)
    channel = Channel(bot_url, connector)
    await channel.add_bot()
    await send_report(bot_url, connector)
    # Teams answers 502 more often than the sender retries within one attempt.
    connector.fail_next.extend([Failure(502)] * 10)

    await deliver(bot_server)
    assert channel.posts() == []
    async with sessions() as session, session.begin():
        row = (
            await session.execute(
                select(OutboxMessage).where(OutboxMessage.kind == "case_reported")
            )
        ).scalar_one()
        assert row.state == "pending" and row.next_attempt_at is not None
        row.next_attempt_at = None  # the retry falls due
    connector.fail_next.clear()
    await deliver(bot_server)

    assert len(channel.posts()) == 1


# --- the coordinator approves the free text ----------------------------------------------------


async def test_the_coordinator_previews_the_free_text_with_each_replacement(
    bot_server, bot_url, connector, sessions
):
    await reported(bot_url, connector, sessions, bot_server)

    previews = [a for a in to(connector, COORDINATOR) if "Fritekst til kanalen" in all_text(a)]
    assert len(previews) == 1
    shown = all_text(previews[0])
    assert "[navn] har blåmerker" in shown
    assert "[telefon]" in shown
    # Each replacement is shown to the coordinator (in their own chat: allowed, and logged).
    assert "Kari" in shown and "915 55 123" in shown
    async with sessions() as session:
        logged = (
            (
                await session.execute(
                    select(AccessLogEntry).where(
                        AccessLogEntry.actor_aad_object_id == COORDINATOR,
                        AccessLogEntry.action == "case.view_identifiable",
                    )
                )
            )
            .scalars()
            .all()
        )
    assert [entry.detail.get("view") for entry in logged] == ["text_preview"]


async def test_approving_the_preview_adds_the_anonymised_text_to_the_channel_card(
    bot_server, bot_url, connector, sessions
):
    channel = await reported(bot_url, connector, sessions, bot_server)
    preview = next(a for a in to(connector, COORDINATOR) if "Fritekst til kanalen" in all_text(a))
    coordinator = member_chat(bot_url, connector, COORDINATOR)
    share = find_action(preview, command="share_text")
    text_input = next(e for e in cards_in(preview)[0]["body"] if e.get("id") == "shared_text")

    r = await coordinator.tap(share, shared_text=text_input["value"])
    await deliver(bot_server)

    assert "Teksten er delt i kanalen" in all_text(last(r))
    thread = (await _post(sessions)).conversation_id
    updates = channel.updates(thread)
    assert len(updates) == 1
    shown = all_text(updates[0])
    assert "Hva skjedde (anonymisert)" in shown
    assert "[navn] har blåmerker på armene" in shown
    assert_nothing_identifying(channel)


async def test_erasing_the_personal_data_takes_the_shared_text_off_the_channel_card(
    bot_server, bot_url, connector, sessions
):
    channel = await reported(bot_url, connector, sessions, bot_server)
    preview = next(a for a in to(connector, COORDINATOR) if "Fritekst til kanalen" in all_text(a))
    share = find_action(preview, command="share_text")
    text_input = next(e for e in cards_in(preview)[0]["body"] if e.get("id") == "shared_text")
    await member_chat(bot_url, connector, COORDINATOR).tap(share, shared_text=text_input["value"])
    await deliver(bot_server)
    post = await _post(sessions)

    cipher = FieldCipher(parse_keys(DATA_KEY))
    assert await PersonData(sessions, cipher).erase(post.case_id, "request", "Ola IT", NOW)
    await deliver(bot_server)

    shared, erased = channel.updates(post.conversation_id)
    assert "[navn] har blåmerker på armene" in all_text(shared)
    assert "[navn] har blåmerker på armene" not in all_text(erased)


async def test_an_edit_that_puts_a_name_back_is_shown_again_and_not_shared(
    bot_server, bot_url, connector, sessions
):
    channel = await reported(bot_url, connector, sessions, bot_server)
    preview = next(a for a in to(connector, COORDINATOR) if "Fritekst til kanalen" in all_text(a))
    coordinator = member_chat(bot_url, connector, COORDINATOR)

    r = await coordinator.tap(
        find_action(preview, command="share_text"),
        shared_text="Kari Nordmann har blåmerker på armene.",
    )
    await deliver(bot_server)

    assert "Jeg fant flere personopplysninger" in all_text(last(r))
    assert "[navn] har blåmerker" in all_text(last(r))
    assert channel.updates((await _post(sessions)).conversation_id) == []
    assert (await case_row(sessions)).shared_text is None


async def test_only_a_coordinator_can_share_text(bot_server, bot_url, connector, sessions):
    await reported(bot_url, connector, sessions, bot_server)
    preview = next(a for a in to(connector, COORDINATOR) if "Fritekst til kanalen" in all_text(a))
    member = member_chat(bot_url, connector, MEMBER)

    r = await member.tap(
        find_action(preview, command="share_text"), shared_text="[navn] ble slått."
    )

    assert "Bare koordinatoren" in all_text(last(r))
    assert (await case_row(sessions)).shared_text is None


async def test_a_member_who_coordinates_another_team_can_neither_preview_nor_share_this_teams_text(
    bot_server, bot_url, connector, sessions
):
    # MEMBER works Moss's cases and coordinates Råde's team: a coordinator elsewhere, a member
    # here. The text reaches Moss's channel only as Moss's coordinator approves it.
    channel = await reported(bot_url, connector, sessions, bot_server)
    _, rade_team = await add_municipality(sessions, "Råde")
    async with sessions() as session, session.begin():
        session.add(
            Membership(
                team_id=rade_team, tenant_id=TENANT, aad_object_id=MEMBER, role="coordinator"
            )
        )
    await member_chat(bot_url, connector, MEMBER).say("hei")
    before = len(to(connector, MEMBER))

    _, body = await channel.press(MEMBER, thread_card(channel), "preview_text")
    case = await case_row(sessions)
    forged = {"tryggest": "work", "command": "share_text", "case": case.id}
    r = await member_chat(bot_url, connector, MEMBER).tap(forged, shared_text="[navn] ble slått.")
    await deliver(bot_server)

    assert "Bare koordinatoren" in answered_message(body)
    assert not any("Fritekst til kanalen" in all_text(a) for a in to(connector, MEMBER)[before:])
    assert "Bare koordinatoren" in all_text(last(r))
    assert (await case_row(sessions)).shared_text is None
    assert await events(sessions, "text_shared") == []
    assert channel.updates((await _post(sessions)).conversation_id) == []


async def _post(sessions: Any) -> ChannelPost:
    async with sessions() as session:
        return (await session.execute(select(ChannelPost))).scalar_one()


# --- working the case from the card ------------------------------------------------------------


async def test_taking_the_case_answers_with_the_updated_card(
    bot_server, bot_url, connector, sessions
):
    channel = await reported(bot_url, connector, sessions, bot_server)

    status, body = await channel.press(MEMBER, thread_card(channel), "take")

    assert status == 200
    card = answered_card(body)
    shown = all_text(
        {
            "attachments": [
                {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
            ]
        }
    )
    assert "Marte Medlem" in shown
    assert "Marte Medlem tok saken." in shown
    assert "Under vurdering" in shown
    assert not has_execute(card, "take")
    case = await case_row(sessions)
    assert (case.assignee_aad_object_id, case.status) == (MEMBER, "assessing")


async def test_two_members_taking_at_once_one_gets_it_and_the_other_sees_who(
    bot_server, bot_url, connector, sessions
):
    channel = await reported(bot_url, connector, sessions, bot_server)
    card = thread_card(channel)

    (s1, b1), (s2, b2) = await asyncio.gather(
        channel.press(MEMBER, card, "take"), channel.press(OTHER_MEMBER, card, "take")
    )

    assert s1 == s2 == 200
    case = await case_row(sessions)
    assert case.assignee_aad_object_id in (MEMBER, OTHER_MEMBER)
    assert len(await events(sessions, "taken")) == 1
    winner = "Marte Medlem" if case.assignee_aad_object_id == MEMBER else "Ole Medlem"
    texts = [str(answered_card(b)) for b in (b1, b2)]
    assert sum(f"{winner} har allerede tatt saken." in t for t in texts) == 1
    assert sum(f"{winner} tok saken." in t for t in texts) == 1


async def test_a_press_delivered_twice_changes_nothing_the_second_time(
    bot_server, bot_url, connector, sessions
):
    channel = await reported(bot_url, connector, sessions, bot_server)
    card = thread_card(channel)
    note = find_execute(card, "note")["data"]

    first = await channel.invoke(MEMBER, {**note, "note": "Ringte fastlegen."}, activity_id="same")
    again = await channel.invoke(MEMBER, {**note, "note": "Ringte fastlegen."}, activity_id="same")
    # Teams may also resend the press under a new activity id.
    third = await channel.invoke(MEMBER, {**note, "note": "Ringte fastlegen."}, activity_id="new")

    assert first[0] == again[0] == third[0] == 200
    assert len(await events(sessions, "note")) == 1
    assert (await case_row(sessions)).revision == 1


async def test_the_whole_workflow_from_the_card_to_closed_and_reopened(
    bot_server, bot_url, connector, sessions
):
    channel = await reported(bot_url, connector, sessions, bot_server)
    card = thread_card(channel)

    steps: list[tuple[str, str, dict[str, Any]]] = [
        (MEMBER, "take", {}),
        (MEMBER, "classify", {"classification": "must"}),
        (MEMBER, "risk", {"risk_answers": "ongoing,dependent", "risk_level": "high"}),
        (MEMBER, "position", {"position": "guide"}),
        (MEMBER, "measures", {"measures": "gp,home_care"}),
        (MEMBER, "follow_up", {"follow_up": "2026-12-03"}),
        (MEMBER, "note", {"note": "Snakket med Kari i dag."}),
        (MEMBER, "close", {"outcome": "ordinary_services"}),
    ]
    for who, command, inputs in steps:
        status, body = await channel.press(who, card, command, **inputs)
        assert status == 200, command
        card = answered_card(body)

    case = await case_row(sessions)
    assert case.status == "closed" and case.closed_at is not None
    assert case.classification == "must" and case.assessed_at is not None
    assert (case.risk_level, case.risk_answers) == ("high", ["dependent", "ongoing"])
    assert (case.position, case.measures) == ("guide", ["gp", "home_care"])
    assert str(case.follow_up_on) == "2026-12-03" and case.outcome == "ordinary_services"
    shown = str(card)
    assert "Avsluttet" in shown and "Fulgt opp videre i ordinære tjenester" in shown
    assert "Snakket med Kari" not in shown  # a note is in the chronology, not on the card
    assert has_execute(card, "reopen") and not has_execute(card, "take")

    # Reopening is the coordinator's.
    status, body = await channel.press(MEMBER, card, "reopen")
    assert "ikke tilgang" in answered_message(body)
    status, body = await channel.press(COORDINATOR, card, "reopen")
    reopened = await case_row(sessions)
    assert (reopened.status, reopened.closed_at, reopened.outcome) == ("in_progress", None, None)
    assert [e.kind for e in await events(sessions)] == [
        "reported",
        "taken",
        "classified",
        "risk_assessed",
        "position_set",
        "measures_set",
        "follow_up_set",
        "note",
        "closed",
        "reopened",
    ]
    assert_nothing_identifying(channel)


async def test_a_closed_case_refuses_work_until_reopened(bot_server, bot_url, connector, sessions):
    channel = await reported(bot_url, connector, sessions, bot_server)
    card = thread_card(channel)
    _, body = await channel.press(COORDINATOR, card, "close", outcome="stopped")
    closed_card = answered_card(body)

    # An old card still on someone's screen: its buttons no longer work.
    _, body = await channel.press(MEMBER, card, "classify", classification="should")

    assert "Saken er avsluttet" in answered_message(body)
    assert (await case_row(sessions)).classification is None
    assert has_execute(closed_card, "reopen")


async def test_the_reporter_hears_being_assessed_and_closed_and_nothing_more(
    bot_server, bot_url, connector, sessions
):
    channel = await reported(bot_url, connector, sessions, bot_server)
    card = thread_card(channel)
    for who, command, inputs in [
        (MEMBER, "take", {}),
        (MEMBER, "classify", {"classification": "must"}),
        (MEMBER, "note", {"note": "Politiet er varslet."}),
        (MEMBER, "close", {"outcome": "stopped"}),
    ]:
        _, body = await channel.press(who, card, command, **inputs)
        card = answered_card(body)
    await deliver(bot_server)

    told = [all_text(a) for a in to(connector, REPORTER) if "Nytt om TE-2026-0001" in all_text(a)]
    assert len(told) == 2
    assert "ser nå på meldingen din" in told[0]
    assert "har avsluttet saken" in told[1]
    everything = "\n".join(told)
    for detail in ("Må-sak", "Politiet er varslet", "Volden har stoppet", "Marte"):
        assert detail not in everything


async def test_the_team_asks_the_reporter_and_the_answer_lands_in_the_chronology(
    bot_server, bot_url, connector, sessions
):
    channel = await reported(bot_url, connector, sessions, bot_server)
    _, body = await channel.press(
        MEMBER, thread_card(channel), "ask_reporter", question="Bor sønnen hos henne?"
    )
    assert "Marte Medlem sendte et spørsmål til melderen." in str(answered_card(body))
    await deliver(bot_server)
    question = next(a for a in to(connector, REPORTER) if "har et spørsmål om" in all_text(a))
    assert "Bor sønnen hos henne?" in all_text(question)
    reporter = member_chat(bot_url, connector, REPORTER)

    r = await reporter.tap(
        find_action(question, command="answer_reporter"), answer_text="Ja, siden mai."
    )
    again = await reporter.tap(
        find_action(question, command="answer_reporter"), answer_text="Ja, siden mai."
    )

    assert "Takk! Svaret ditt er sendt" in all_text(last(r))
    assert len(await events(sessions, "reporter_answered")) == 1
    # The second tap gets the same thanks, and changes nothing (one answer, above).
    assert "Takk! Svaret ditt er sendt" in all_text(last(again))
    # The timeline (in the member's own chat) shows the question and the answer.
    await member_chat(bot_url, connector, MEMBER).say("hei")
    _, body = await channel.press(MEMBER, thread_card(channel), "timeline")
    assert "Sendt til deg i chatten" in answered_message(body)
    timeline = all_text(to(connector, MEMBER)[-1])
    assert "Bor sønnen hos henne?" in timeline and "Ja, siden mai." in timeline
    assert_nothing_identifying(channel)


async def test_only_the_reporter_answers_the_reporters_question(
    bot_server, bot_url, connector, sessions
):
    channel = await reported(bot_url, connector, sessions, bot_server)
    await channel.press(MEMBER, thread_card(channel), "ask_reporter", question="Når skjedde det?")
    await deliver(bot_server)
    question = next(a for a in to(connector, REPORTER) if "har et spørsmål om" in all_text(a))
    someone = member_chat(bot_url, connector, STRANGER)

    r = await someone.tap(find_action(question, command="answer_reporter"), answer_text="I går.")

    assert "ikke tilgang" in all_text(last(r))
    assert await events(sessions, "reporter_answered") == []


async def test_a_reporter_cannot_answer_a_question_the_team_never_asked(
    bot_server, bot_url, connector, sessions
):
    await reported(bot_url, connector, sessions, bot_server)
    case = await case_row(sessions)
    updates_before = await _outbox_count(sessions)
    forged = {"tryggest": "work", "command": "answer_reporter", "case": case.id}
    forged["question"] = "no-such-question"

    r = await member_chat(bot_url, connector, REPORTER).tap(forged, answer_text="Noe uspurt.")

    assert "finner ikke det spørsmålet" in all_text(last(r))
    assert await events(sessions, "reporter_answered") == []
    assert await _outbox_count(sessions) == updates_before


async def test_a_reporter_cannot_answer_once_the_case_is_closed(
    bot_server, bot_url, connector, sessions
):
    channel = await reported(bot_url, connector, sessions, bot_server)
    await channel.press(MEMBER, thread_card(channel), "ask_reporter", question="Når skjedde det?")
    await deliver(bot_server)
    question = next(a for a in to(connector, REPORTER) if "har et spørsmål om" in all_text(a))
    await channel.press(COORDINATOR, thread_card(channel), "close", outcome="stopped")

    r = await member_chat(bot_url, connector, REPORTER).tap(
        find_action(question, command="answer_reporter"), answer_text="I går."
    )

    assert "Saken er avsluttet, så svaret ble ikke sendt" in all_text(last(r))
    assert await events(sessions, "reporter_answered") == []


async def _outbox_count(sessions: Any) -> int:
    async with sessions() as session:
        return len((await session.execute(select(OutboxMessage))).scalars().all())


async def test_personal_details_go_to_the_members_own_chat_and_are_logged(
    bot_server, bot_url, connector, sessions
):
    channel = await reported(bot_url, connector, sessions, bot_server)
    await member_chat(bot_url, connector, MEMBER).say("hei")

    _, body = await channel.press(MEMBER, thread_card(channel), "show_personal")

    assert "Sendt til deg i chatten" in answered_message(body)
    assert NAME in all_text(to(connector, MEMBER)[-1])
    async with sessions() as session:
        actions = (
            (
                await session.execute(
                    select(AccessLogEntry.action).where(
                        AccessLogEntry.actor_aad_object_id == MEMBER
                    )
                )
            )
            .scalars()
            .all()
        )
    assert "case.view_identifiable" in actions
    assert_nothing_identifying(channel)


# --- forged and wrong presses ------------------------------------------------------------------


async def test_someone_outside_the_team_cannot_work_the_case(
    bot_server, bot_url, connector, sessions
):
    channel = await reported(bot_url, connector, sessions, bot_server)
    card = thread_card(channel)

    for command, inputs in [
        ("take", {}),
        ("show_personal", {}),
        ("timeline", {}),
        ("note", {"note": "x"}),
    ]:
        status, body = await channel.press(STRANGER, card, command, **inputs)
        assert status == 200
        assert "ikke tilgang" in answered_message(body), command

    case = await case_row(sessions)
    assert case.assignee_aad_object_id is None and case.revision == 0
    assert to(connector, STRANGER) == []


async def test_forged_card_actions_get_a_plain_answer_and_change_nothing(
    bot_server, bot_url, connector, sessions
):
    channel = await reported(bot_url, connector, sessions, bot_server)
    data = find_execute(thread_card(channel), "classify")["data"]
    forged = [
        {**data, "command": "delete_everything"},
        {**data, "rev": "0"},
        {**data, "case": ["not", "a", "string"]},
        {**data, "classification": "made_up"},
        {**data, "classification": {"$gt": ""}},
        {**data, "case": "0" * 32},
        {"tryggest": "work"},
        {
            **find_execute(thread_card(channel), "risk")["data"],
            "risk_answers": 7,
            "risk_level": "high",
        },
        {**find_execute(thread_card(channel), "follow_up")["data"], "follow_up": "not a date"},
        {**find_execute(thread_card(channel), "follow_up")["data"], "follow_up": "2020-01-01"},
    ]

    for data_forged in forged:
        status, body = await channel.invoke(MEMBER, data_forged)
        assert status == 200, data_forged
        assert body["type"] == "application/vnd.microsoft.activity.message", data_forged

    case = await case_row(sessions)
    assert (case.revision, case.classification, case.follow_up_on) == (0, None, None)


async def test_assigning_to_someone_outside_the_team_is_refused(
    bot_server, bot_url, connector, sessions
):
    channel = await reported(bot_url, connector, sessions, bot_server)

    _, body = await channel.press(COORDINATOR, thread_card(channel), "assign", assignee=STRANGER)
    assert "ikke med i teamet" in answered_message(body)
    _, body = await channel.press(
        COORDINATOR, thread_card(channel), "assign", assignee=OTHER_MEMBER
    )
    assert "Ole Medlem tildelte saken." not in str(answered_card(body))  # the actor is named
    assert "Lars Koordinator tildelte saken." in str(answered_card(body))
    assert (await case_row(sessions)).assignee_aad_object_id == OTHER_MEMBER


async def test_a_reports_turn_wakes_the_delivery_at_once(engine, database_url, connector, sessions):
    """With delivery on (as in production), the thread appears after the report's turn
    without being asked. The delivery's own tick is an hour away: the turn woke it."""
    from tests.conftest import start_bot

    server = await start_bot(
        database_url, TRYGGEST_OUTBOX_DELIVERY="true", TRYGGEST_OUTBOX_INTERVAL="3600"
    )
    try:
        bot_url = str(server.make_url("")).rstrip("/")
        await moss_with_channel(sessions)
        channel = Channel(bot_url, connector)
        await channel.add_bot()
        await send_report(bot_url, connector)
        for _ in range(100):
            if channel.posts():
                break
            await asyncio.sleep(0.05)
        assert len(channel.posts()) == 1
    finally:
        await server.close()


async def test_a_turn_that_wrote_nothing_to_tell_does_not_wake_the_delivery(
    engine, database_url, connector, sessions
):
    from sqlalchemy import event

    from bot.app import ENGINE_KEY
    from tests.conftest import start_bot

    server = await start_bot(
        database_url, TRYGGEST_OUTBOX_DELIVERY="true", TRYGGEST_OUTBOX_INTERVAL="3600"
    )
    looked: list[str] = []

    def outbox_read(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "FROM outbox" in statement:
            looked.append(statement)

    engine_of_bot = server.app[ENGINE_KEY].sync_engine
    event.listen(engine_of_bot, "before_cursor_execute", outbox_read)
    try:
        bot_url = str(server.make_url("")).rstrip("/")
        await moss_with_channel(sessions)
        reporter = member_chat(bot_url, connector, REPORTER)
        await reporter.say("hjelp")
        await reporter.say("meld bekymring")
        await asyncio.sleep(0.3)  # a woken delivery would have looked by now
        assert looked == []
        # And the listener does see the delivery when it looks (so the [] above can fail).
        await deliver(server)
        assert looked
    finally:
        event.remove(engine_of_bot, "before_cursor_execute", outbox_read)
        await server.close()


async def test_an_anonymous_consultation_is_posted_too_and_marked_so(
    bot_server, bot_url, connector, sessions
):
    from tests.e2e.test_report_dialogue import answer_up_to_summary_anonymously

    await moss_with_channel(sessions)
    channel = Channel(bot_url, connector)
    await channel.add_bot()
    await send_report(bot_url, connector, answer_up_to_summary_anonymously)

    await deliver(bot_server)

    shown = all_text(channel.posts()[0]["activity"])
    assert "anonym drøfting" in shown
    assert "låser ham inne" not in shown  # the free text waits for the coordinator


async def test_a_press_the_database_cannot_keep_is_answered_plainly_and_changes_nothing(
    bot_server, bot_url, connector, sessions, engine
):
    from tests.support import allow_writes, refuse_writes

    channel = await reported(bot_url, connector, sessions, bot_server)
    await refuse_writes(engine, "case_events", "INSERT")
    try:
        status, body = await channel.press(
            MEMBER, thread_card(channel), "classify", classification="must"
        )
    finally:
        await allow_writes(engine, "case_events")

    assert status == 200
    assert "Det ble IKKE lagret" in answered_message(body)
    case = await case_row(sessions)
    assert (case.classification, case.revision) == (None, 0)

    _, body = await channel.press(MEMBER, thread_card(channel), "classify", classification="must")
    assert (await case_row(sessions)).classification == "must"  # pressed again, it is kept
