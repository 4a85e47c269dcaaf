"""An enquiry from outside Teams, through /api/messages: a neighbour phones the TryggEst number
and a team member registers it in personal chat ("ny henvendelse"), typing every answer on the
caller's behalf. It becomes a case like any other: posted to the team channel anonymised, and
counted in the half-year report by channel of contact."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from domain.calendar import ReportingPeriod
from storage.models import Case, CaseEvent
from storage.statistics import tally
from tests.conftest import NOW, deliver
from tests.e2e.channel import (
    COORDINATOR,
    MEMBER,
    REPORTER,
    Channel,
    has_execute,
    member_chat,
    moss_with_channel,
)
from tests.e2e.test_case_channel import assert_nothing_identifying, thread_card, to
from tests.e2e.test_report_dialogue import asks, last
from tests.support import Chat, all_text, find_action, fixture

# The team member's typed answers, one per question, as they would type them after the call.
NEIGHBOUR_ON_THE_PHONE = [
    ("contact", "telefon"),
    ("caller", "naboen"),
    ("contacted_on", "i dag"),
    ("consent", "nei, anonym drøfting"),
    ("age_band", "rundt 85"),
    ("gender", "kvinne"),
    ("vulnerability", "dement"),
    ("violence", "psykisk, han truer henne"),
    ("perpetrator", "sønnen hennes"),
    ("what_happened", "Naboen hører roping og trusler fra leiligheten om kveldene."),
    ("knowledge", "hun har hørt det selv"),
]


async def register_the_neighbours_call(chat: Chat) -> tuple[list[dict[str, Any]], int]:
    """Every answer typed; returns the last replies and how many messages it took."""
    r = await chat.say("ny henvendelse")
    assert asks(r, "acute"), all_text(last(r))
    assert "på vegne av den som tok kontakt" in all_text(last(r))
    turns = 1
    r = await chat.say("nei")
    turns += 1
    for step, typed in NEIGHBOUR_ON_THE_PHONE:
        assert asks(r, step), (step, all_text(last(r)))
        r = await chat.say(typed)
        turns += 1
    assert "Se over" in all_text(last(r)), all_text(last(r))
    r = await chat.say("send")
    return r, turns + 1


async def test_a_neighbours_phone_call_becomes_a_case_in_the_channel_with_every_answer_typed(
    bot_server, bot_url, connector, sessions
):
    await moss_with_channel(sessions)
    channel = Channel(bot_url, connector)
    assert await channel.add_bot() < 300
    member = member_chat(bot_url, connector, MEMBER)

    r, turns = await register_the_neighbours_call(member)
    await deliver(bot_server)

    assert "Henvendelsen er registrert" in all_text(last(r))
    assert turns == 14  # the command, one message per question, and "send"
    async with sessions() as session:
        case = (await session.execute(select(Case))).scalar_one()
        reported = (
            await session.execute(select(CaseEvent.data).where(CaseEvent.kind == "reported"))
        ).scalar_one()
    assert (case.contact_channel, case.contacted_on) == ("phone", NOW.date())
    assert (case.consent_basis, case.reporter_service) == ("anonymous", "citizen")
    assert (case.gender, case.age_band, case.perpetrator_relation) == ("female", "80+", "child")
    assert reported["contact_channel"] == "phone"
    card = all_text(channel.posts()[0]["activity"])
    assert "Kom inn som" in card and "Telefon" in card
    assert_nothing_identifying(channel)


async def test_the_half_year_report_counts_cases_by_channel_of_contact(
    bot_server, bot_url, connector, sessions
):
    municipality_id, _ = await moss_with_channel(sessions)
    await register_the_neighbours_call(member_chat(bot_url, connector, MEMBER))

    async with sessions() as session:
        counted = await tally(session, [municipality_id], ReportingPeriod.containing(NOW))

    by_channel = {
        code: n for (section, code, _), n in counted.counts.items() if section == "contact_channel"
    }
    assert by_channel == {"phone": 1}


async def test_only_the_team_registers_enquiries(bot_server, bot_url, connector, sessions):
    await moss_with_channel(sessions)

    r = await member_chat(bot_url, connector, REPORTER).say("ny henvendelse")

    assert "Bare TryggEst-teamet kan registrere henvendelser" in all_text(last(r))
    assert not asks(r, "acute")


async def test_an_employee_who_calls_is_asked_where_they_work(
    bot_server, bot_url, connector, sessions
):
    await moss_with_channel(sessions)
    coordinator = member_chat(bot_url, connector, COORDINATOR)
    await coordinator.say("ny henvendelse")
    await coordinator.say("nei")
    await coordinator.say("kom innom")

    r = await coordinator.say("en sykepleier fra legevakta")
    assert asks(r, "contacted_on")
    r = await coordinator.say("i går")
    for typed in (
        "ja, hun har samtykket",
        "Kari Nordmann",
        "12.03.1941",
        "kvinne",
        "hopp over",
        "demens",
        "fysisk",
        "ektemannen",
        "Hun har blåmerker på armene.",
        "hun fortalte det",
    ):
        r = await coordinator.say(typed)

    assert asks(r, "reporter_service"), all_text(last(r))
    assert "Hvor jobber den som tok kontakt" in all_text(last(r))


async def test_a_day_in_the_future_is_asked_again_plainly(bot_server, bot_url, connector, sessions):
    await moss_with_channel(sessions)
    member = member_chat(bot_url, connector, MEMBER)
    for typed in ("ny henvendelse", "nei", "brev", "politiet"):
        await member.say(typed)

    r = await member.say("i morgen")

    assert "forstod ikke dagen" in " ".join(all_text(a) for a in r)
    assert asks(r, "contacted_on")
    async with sessions() as session:
        assert (await session.execute(select(Case))).first() is None


async def test_in_a_channel_the_bot_points_to_personal_chat(bot_url, connector, sessions):
    await moss_with_channel(sessions)
    activity = fixture("02_message_channel_thread_reply_mention.json")
    activity["serviceUrl"] = connector.url
    activity["locale"] = "nb-NO"
    activity["text"] = "<at>ridotest</at> ny henvendelse"

    replies = await Chat(bot_url, connector).post(activity)

    assert "privat chat" in all_text(replies[-1])


async def test_nobody_is_told_the_status_of_an_enquiry_and_no_reporter_can_be_asked(
    bot_server, bot_url, connector, sessions
):
    await moss_with_channel(sessions)
    channel = Channel(bot_url, connector)
    assert await channel.add_bot() < 300
    await register_the_neighbours_call(member_chat(bot_url, connector, MEMBER))
    await deliver(bot_server)
    card = thread_card(channel)
    sent_to_member = len(to(connector, MEMBER))

    assert not has_execute(card, "ask_reporter")
    await channel.press(COORDINATOR, card, "take")
    await deliver(bot_server)

    assert len(to(connector, MEMBER)) == sent_to_member  # no "being assessed" to herself


async def test_the_team_finds_the_enquiry_on_the_help_card_and_others_do_not(
    bot_server, bot_url, connector, sessions
):
    await moss_with_channel(sessions)
    member = member_chat(bot_url, connector, MEMBER)

    shown = await member.say("hjelp")
    r = await member.tap(find_action(last(shown), command="enquiry"))

    assert asks(r, "acute")
    outsider = await member_chat(bot_url, connector, REPORTER).say("hjelp")
    assert "Ny henvendelse" not in all_text(last(outsider))


async def test_in_nynorsk_a_relatives_letter_is_registered_with_every_answer_typed(
    bot_server, bot_url, connector, sessions
):
    await moss_with_channel(sessions)
    member = Chat(bot_url, connector, aad_object_id=MEMBER, locale="nn-NO")

    r = await member.say("ny henvending")
    assert "på vegner av den som tok kontakt" in all_text(last(r))
    for step, typed in [
        ("acute", "nei, ho er ikkje i fare no"),
        ("contact", "ho skreiv eit brev"),
        ("caller", "dotter hennar"),
        ("contacted_on", "i går"),
        ("consent", "nei, anonym drøfting"),
        ("age_band", "ho er 91"),
        ("gender", "ho er kvinne"),
        ("vulnerability", "ho er dement"),
        ("violence", "økonomisk"),
        ("perpetrator", "ein nabo"),
        ("what_happened", "Naboen tek med seg bankkortet hennar og handlar for seg sjølv."),
        ("knowledge", "mor fortalde det til henne"),
    ]:
        assert asks(r, step), (step, all_text(last(r)))
        r = await member.say(typed)
    assert "Sjå over" in all_text(last(r)), all_text(last(r))
    r = await member.say("send")

    assert "Henvendinga er registrert" in all_text(last(r))
    async with sessions() as session:
        case = (await session.execute(select(Case))).scalar_one()
    assert (case.contact_channel, case.reporter_service) == ("letter", "relative")
    assert (case.violence_types, case.age_band) == (["financial"], "80+")


async def test_an_enquiry_she_registered_is_not_among_her_own_reports(
    bot_server, bot_url, connector, sessions
):
    await moss_with_channel(sessions)
    member = member_chat(bot_url, connector, MEMBER)
    await register_the_neighbours_call(member)

    r = await member.say("mine meldinger")

    async with sessions() as session:
        number = (await session.execute(select(Case.number))).scalar_one()
    assert number not in all_text(last(r))
