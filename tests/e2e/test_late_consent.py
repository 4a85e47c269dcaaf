"""Consent given after an anonymous consultation, through /api/messages: the coordinator opens a
form from the channel card in their own chat, and the case becomes a named case with the same
number and timeline; the change is in the access log, the channel card stays anonymised, and the
half-year report counts the case once, as consented."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from domain.calendar import ReportingPeriod, local_day
from storage.models import AccessLogEntry, CaseEvent, CaseNameDigest
from storage.statistics import tally
from tests.conftest import NOW, deliver
from tests.e2e.channel import (
    COORDINATOR,
    MEMBER,
    Channel,
    answered_message,
    has_execute,
    member_chat,
    moss_with_channel,
)
from tests.e2e.test_case_channel import (
    _post,
    assert_nothing_identifying,
    case_row,
    send_report,
    thread_card,
    to,
)
from tests.e2e.test_report_dialogue import (
    answer_up_to_summary_anonymously,
    decrypt_personal,
    last,
)
from tests.support import all_text, find_action

NAME = "Ola Nordmann"


async def consulted(bot_url: str, connector: Any, sessions: Any, server: Any) -> Channel:
    """An anonymous consultation posted in the team channel, the coordinator known to the bot."""
    await moss_with_channel(sessions)
    channel = Channel(bot_url, connector)
    assert await channel.add_bot() < 300
    await member_chat(bot_url, connector, COORDINATOR).say("hei")
    await send_report(bot_url, connector, answer_up_to_summary_anonymously)
    await deliver(server)
    return channel


def consent_form(connector: Any) -> dict[str, Any]:
    forms = [a for a in to(connector, COORDINATOR) if "Samtykke for TE-" in all_text(a)]
    assert len(forms) == 1
    return forms[0]


def filled(**changes: Any) -> dict[str, Any]:
    return {
        "given_on": local_day(NOW).isoformat(),
        "given_by": "person",
        "form": "oral",
        "name": NAME,
        "birth": "12.03.1955",
        "residence": "Storgata 4, Moss",
        **changes,
    }


async def test_the_coordinator_turns_a_consultation_into_a_named_case_with_the_same_number(
    bot_server, bot_url, connector, sessions
):
    channel = await consulted(bot_url, connector, sessions, bot_server)
    before = await case_row(sessions)
    assert before.consent_basis == "anonymous"

    _, body = await channel.press(COORDINATOR, thread_card(channel), "consent_form")
    assert "Skjemaet for samtykke ligger i chatten din" in answered_message(body)
    form = consent_form(connector)
    coordinator = member_chat(bot_url, connector, COORDINATOR)
    r = await coordinator.tap(find_action(form, command="record_consent"), **filled())
    await deliver(bot_server)

    shown = all_text(last(r))
    assert f"{before.number} er nå en sak med personopplysninger" in shown
    assert NAME not in shown  # the typed details leave the chat with the form
    case = await case_row(sessions)
    assert (case.id, case.number, case.consent_basis) == (before.id, before.number, "consent")
    assert case.age_band == "67-79"  # from the birth date, no longer the reporter's guess "80"
    personal = decrypt_personal(case)
    assert (personal["name"], personal["birth"], personal["residence"]) == (
        NAME,
        "12.03.1955",
        "Storgata 4, Moss",
    )
    assert personal["what_happened"].startswith("Han virker redd")  # the report is kept
    async with sessions() as session:
        kinds = (await session.execute(select(CaseEvent.kind))).scalars().all()
        logged = (
            await session.execute(
                select(AccessLogEntry.action, AccessLogEntry.allowed).where(
                    AccessLogEntry.actor_aad_object_id == COORDINATOR
                )
            )
        ).all()
        digests = await session.scalar(select(func.count()).select_from(CaseNameDigest))
    assert "consent_recorded" in kinds
    assert ("case.record_consent", True) in logged
    assert digests  # the channel guard now knows the person's name
    updated = channel.updates((await _post(sessions)).conversation_id)
    assert updated and "anonym drøfting" not in all_text(updated[-1])
    assert not has_execute(
        updated[-1]["attachments"][0]["content"], "consent_form"
    )  # nothing left to record
    assert_nothing_identifying(channel)


async def test_the_half_year_report_counts_the_case_once_as_consented(
    bot_server, bot_url, connector, sessions
):
    channel = await consulted(bot_url, connector, sessions, bot_server)
    await channel.press(COORDINATOR, thread_card(channel), "consent_form")
    coordinator = member_chat(bot_url, connector, COORDINATOR)
    await coordinator.tap(
        find_action(consent_form(connector), command="record_consent"), **filled()
    )

    case = await case_row(sessions)
    async with sessions() as session:
        counted = await tally(
            session, [case.municipality_id], ReportingPeriod.containing(case.created_at)
        )
    received = {
        code: n for (section, code, _), n in counted.counts.items() if section == "received"
    }
    assert received == {"consent": 1}


async def test_only_the_coordinator_gets_the_form(bot_server, bot_url, connector, sessions):
    channel = await consulted(bot_url, connector, sessions, bot_server)
    await member_chat(bot_url, connector, MEMBER).say("hei")

    _, body = await channel.press(MEMBER, thread_card(channel), "consent_form")

    assert "Bare koordinatoren kan registrere samtykke" in answered_message(body)
    assert not any("Samtykke for TE-" in all_text(a) for a in to(connector, MEMBER))


async def test_a_member_cannot_record_consent_with_a_forged_form(
    bot_server, bot_url, connector, sessions
):
    channel = await consulted(bot_url, connector, sessions, bot_server)
    await channel.press(COORDINATOR, thread_card(channel), "consent_form")
    action = find_action(consent_form(connector), command="record_consent")

    r = await member_chat(bot_url, connector, MEMBER).tap(action, **filled())

    assert "ikke tilgang" in all_text(last(r))
    case = await case_row(sessions)
    assert case.consent_basis == "anonymous" and NAME not in str(decrypt_personal(case))


async def test_what_cannot_be_used_is_said_plainly_and_nothing_changes(
    bot_server, bot_url, connector, sessions
):
    channel = await consulted(bot_url, connector, sessions, bot_server)
    await channel.press(COORDINATOR, thread_card(channel), "consent_form")
    action = find_action(consent_form(connector), command="record_consent")
    coordinator = member_chat(bot_url, connector, COORDINATOR)
    tomorrow = (local_day(NOW) + timedelta(days=1)).isoformat()

    answers = {
        "forstod ikke fødselsdatoen": filled(birth="en gang på førtitallet"),
        "kan ikke være fram i tid": filled(given_on=tomorrow),
        "Skriv navnet til personen": filled(name="   "),
        "Ikke skriv fødselsnummer": filled(name="Ola 12034112345"),
        "Velg en dato": filled(given_on="i går"),
    }
    for said, inputs in answers.items():
        r = await coordinator.tap(action, **inputs)
        assert said in all_text(last(r)), said

    forged = [filled(given_by="neighbour"), filled(form={"$gt": ""}), filled(name=["x"])]
    for inputs in forged:
        r = await coordinator.tap(action, **inputs)
        said = all_text(last(r))
        # A plain answer of what was wrong, never silence or "something went wrong".
        assert "Velg fra listen" in said or "virker ikke lenger" in said, (inputs, said)

    case = await case_row(sessions)
    assert (case.consent_basis, case.revision) == ("anonymous", 0)


async def test_a_second_save_records_nothing_more(bot_server, bot_url, connector, sessions):
    channel = await consulted(bot_url, connector, sessions, bot_server)
    await channel.press(COORDINATOR, thread_card(channel), "consent_form")
    action = find_action(consent_form(connector), command="record_consent")
    coordinator = member_chat(bot_url, connector, COORDINATOR)

    await coordinator.tap(action, **filled())
    r = await coordinator.tap(action, **filled(name="Noen Andre"))

    assert "Det er ikke noe mer å registrere" in all_text(last(r))
    case = await case_row(sessions)
    assert decrypt_personal(case)["name"] == NAME
    async with sessions() as session:
        recorded = await session.scalar(
            select(func.count()).where(CaseEvent.kind == "consent_recorded")
        )
    assert recorded == 1


async def test_a_case_reported_with_consent_has_no_consent_button(
    bot_server, bot_url, connector, sessions
):
    from tests.e2e.test_case_channel import reported

    channel = await reported(bot_url, connector, sessions, bot_server)

    assert not has_execute(thread_card(channel), "consent_form")
