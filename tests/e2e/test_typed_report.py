"""A home-care nurse on a phone types every answer, the way people write, and never taps a
button: end to end through /api/messages, in bokmål and nynorsk, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from storage.models import Case
from tests.conftest import add_municipality
from tests.e2e.test_report_dialogue import (
    asks,
    count,
    decrypt_personal,
    last,
    only_case,
    start_report,
)
from tests.support import (
    Chat,
    Failure,
    all_text,
    allow_writes,
    cards_in,
    find_action,
    nodes,
    refuse_writes,
)

FNR = "01014112345"  # the form of a fødselsnummer; made up


def submit_buttons(reply: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        node
        for card in cards_in(reply)
        for node in nodes(card)
        if node.get("type") == "Action.Submit"
    ]


def shows_emergency_numbers(replies: list[dict[str, Any]]) -> bool:
    return any("112" in all_text(r) and "02800" in all_text(r) for r in replies)


async def type_every_answer(chat: Chat, answers: list[str]) -> tuple[list[str], dict[str, Any]]:
    """Types each answer in turn: the answers the bot said it did not understand, and its
    last reply."""
    refused = []
    for typed in answers:
        replies = await chat.say(typed)
        if any("forstod ikke" in all_text(r) or "forstod ikkje" in all_text(r) for r in replies):
            refused.append(typed)
    return refused, last(replies)


# --- the whole report, typed --------------------------------------------------------------------


async def test_a_nurse_who_types_every_answer_in_bokmal_reaches_a_case_in_fifteen_turns(
    bot_url, connector, sessions
):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    answers = [
        "meld bekymring",
        "nei",
        "ja, hun har samtykket",
        "hun heter Kari Nordmann",
        "12. mars 1941",
        "kvinne",
        "omsorgsbolig på Jeløy",
        "hun er dement og 84",
        "fysisk og litt økonomisk",
        "sønnen hennes",
        "Hun hadde blåmerker på armene i går. Sønnen tar pensjonen hennes.",
        "jeg så det",
        "jeg jobber i hjemmesykepleien",
        "912 34 567",
        "send",
    ]
    refused, receipt = await type_every_answer(chat, answers)

    assert refused == []
    assert "TE-2026-0001" in all_text(receipt)
    case = await only_case(sessions)
    assert (case.consent_basis, case.gender, case.perpetrator_relation) == (
        "consent",
        "female",
        "child",
    )
    assert case.vulnerabilities == ["dementia", "old_age"]
    assert case.violence_types == ["physical", "financial"]
    assert (case.knowledge_source, case.reporter_service) == ("saw", "home_care")
    personal = decrypt_personal(case)
    assert personal["name"] == "Kari Nordmann"
    assert personal["birth"] == "12.03.1941"


async def test_a_nurse_who_types_every_answer_in_nynorsk_reaches_a_case_in_fifteen_turns(
    bot_url, connector, sessions
):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector, locale="nn-NO")
    answers = [
        "meld bekymring",
        "nei, ho er ikkje i fare no",
        "ja, ho har samtykt",
        "Kari Nordmann",
        "fødd 1941",
        "ho er kvinne",
        "omsorgsbustad",
        "demens og høg alder",
        "psykisk og økonomisk",
        "sonen hennar",
        "Sonen tek pensjonen hennar og kjeftar på henne kvar dag.",
        "ho fortalde det til meg",
        "eg jobbar i heimetenesta",
        "hopp over",
        "send",
    ]
    refused, receipt = await type_every_answer(chat, answers)

    assert refused == []
    assert "TE-2026-0001" in all_text(receipt)
    case = await only_case(sessions)
    assert case.violence_types == ["psychological", "financial"]
    assert (case.perpetrator_relation, case.knowledge_source) == ("child", "told")
    assert case.reporter_service == "home_care"


# --- acute first ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "typed"),
    [
        ("nb-NO", "ja, han slår henne nå"),
        ("nb-NO", "han står utenfor døra med kniv"),
        ("nb-NO", "vet ikke"),
        ("nn-NO", "ja, han slår ho no"),
        ("nn-NO", "ho er redd no"),
    ],
)
async def test_an_answer_that_says_or_implies_danger_now_shows_112_at_once(
    bot_url, connector, sessions, locale, typed
):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector, locale=locale)
    await start_report(chat) if locale == "nb-NO" else await chat.say("meld bekymring")

    replies = await chat.say(typed)

    assert shows_emergency_numbers(replies)
    assert asks(replies, "acute_guidance")


async def test_a_clear_no_goes_on_to_the_consent_question(bot_url, connector, sessions):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    await start_report(chat)

    replies = await chat.say("nei, men han slo henne i helga")

    assert not shows_emergency_numbers(replies)
    assert asks(replies, "consent")


async def test_danger_described_in_a_later_answer_shows_the_numbers_and_the_report_goes_on(
    bot_url, connector, sessions
):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    await start_report(chat)
    await chat.say("nei")
    await chat.say("anonymt")
    await chat.say("84")
    await chat.say("kvinne")
    await chat.say("demens")
    await chat.say("psykisk")
    await chat.say("sønnen")

    replies = await chat.say("Han truer med å drepe henne hvis hun forteller noe.")

    assert shows_emergency_numbers(replies)
    assert asks(replies, "knowledge")


# --- answers that cannot be used -----------------------------------------------------------------


async def test_an_emoji_answer_gets_a_short_nudge_not_the_help_card(bot_url, connector, sessions):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    await start_report(chat)
    await chat.say("nei")

    replies = await chat.say("🤷‍♀️")

    assert not any("tiltakskort" in all_text(r).lower() for r in replies)
    assert "Trykk på et valg" in all_text(replies[0])
    assert asks(replies, "consent")


async def test_an_answer_not_understood_gets_two_examples_in_nynorsk_and_the_options_as_buttons(
    bot_url, connector, sessions
):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector, locale="nn-NO")
    await chat.say("meld bekymring")
    for typed in ("nei", "anonymt", "84", "kvinne", "demens", "psykisk"):
        await chat.say(typed)

    replies = await chat.say("blablabla")

    assert "«sonen hennar» eller «nabo»" in all_text(replies[0])
    titles = {b.get("title") for b in submit_buttons(last(replies))}
    assert {"Barn", "Ukjend", "Ven eller kjenning"} <= titles
    replies = await chat.tap(find_action(last(replies), step="perpetrator", answer="child"))
    assert asks(replies, "what_happened")


async def test_a_fodselsnummer_in_the_name_field_is_not_kept_and_the_name_is_asked_again(
    bot_url, connector, sessions
):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    await start_report(chat)
    await chat.say("nei")
    await chat.say("samtykke")

    replies = await chat.say(f"Kari Nordmann {FNR}")

    assert "Fødselsnummer" in all_text(replies[0])
    assert FNR not in "".join(all_text(r) for r in replies)
    assert asks(replies, "person_name")
    replies = await chat.say("Kari Nordmann")
    assert asks(replies, "birth")


async def test_identifiers_typed_into_an_anonymous_consultation_are_not_kept(
    bot_url, connector, sessions
):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    await start_report(chat)
    for typed in ("nei", "anonymt", "84", "kvinne", "demens", "økonomisk", "sønnen"):
        await chat.say(typed)

    replies = await chat.say(f"Hun har fødselsnummer {FNR} og ringer fra 912 34 567.")

    assert any("anonym drøfting" in all_text(r) for r in replies)
    assert FNR not in "".join(all_text(r) for r in replies)
    for typed in ("mistanke", "hjemmesykepleien", "hopp over", "send"):
        await chat.say(typed)
    case = await only_case(sessions)
    kept = decrypt_personal(case)["what_happened"]
    assert FNR not in kept and "912 34 567" not in kept
    assert "Hun har fødselsnummer" in kept


# --- a reply that fails to send -------------------------------------------------------------------


async def test_an_answer_is_kept_when_the_next_question_fails_to_send(bot_url, connector, sessions):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    await start_report(chat)
    for typed in ("nei", "anonymt", "84", "kvinne", "demens", "psykisk"):
        await chat.say(typed)
    # Teams takes the answered card's update, then refuses the next question once.
    connector.fail_next = [Failure(500, method="POST")]

    replies = await chat.say("sønnen")

    assert len(connector.failed) == 1
    assert not any("noe gikk galt" in all_text(r) for r in replies)
    assert any("Barn" in all_text(r) for r in replies)  # the answered card: ✓ Barn
    # The person writes again: the question they never saw, not their words taken as its answer.
    replies = await chat.say("hallo?")
    assert "Svaret ditt er lagret" in all_text(last(replies))
    assert asks(replies, "what_happened")
    await chat.say("Hun er redd sønnen og har blåmerker.")
    for typed in ("mistanke", "hjemmesykepleien", "hopp over", "send"):
        await chat.say(typed)
    assert await count(sessions, Case) == 1
    case = await only_case(sessions)
    assert case.perpetrator_relation == "child"
    assert decrypt_personal(case)["what_happened"] == "Hun er redd sønnen og har blåmerker."


async def test_an_answer_the_database_would_not_keep_is_said_to_be_not_kept(
    bot_url, connector, sessions, engine
):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    await start_report(chat)
    await chat.say("nei")
    await chat.say("anonymt")
    await refuse_writes(engine, "dialog_state", "UPDATE")

    replies = await chat.say("84")

    assert "ble ikke lagret" in all_text(last(replies))
    await allow_writes(engine, "dialog_state")
    replies = await chat.say("84")
    assert asks(replies, "gender")
