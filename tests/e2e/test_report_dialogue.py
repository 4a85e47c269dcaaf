"""A municipal employee reports a concern in a Teams personal chat: end to end through
/api/messages, on SQLite and on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from storage.cases import personal_context
from storage.crypto import FieldCipher, parse_keys
from storage.models import Case, CaseEvent, DialogState, OutboxMessage
from tests.conftest import DATA_KEY, add_municipality, start_bot
from tests.support import (
    OTHER_TENANT,
    Chat,
    all_text,
    allow_writes,
    find_action,
    refuse_writes,
)

NAME = "Kari Nordmann"
WHAT_HAPPENED = "Hun hadde blåmerker på begge armene i går kveld. Sønnen tar pengene hennes."


def last(replies: list[dict[str, Any]]) -> dict[str, Any]:
    assert replies, "the bot sent no reply"
    return replies[-1]


def asks(replies: list[dict[str, Any]], step: str) -> bool:
    """Whether the last reply is the question for `step` (its buttons carry the step)."""
    try:
        find_action(last(replies), step=step)
    except AssertionError:
        return False
    return True


async def start_report(chat: Chat) -> list[dict[str, Any]]:
    replies = await chat.say("meld bekymring")
    assert asks(replies, "acute")
    return replies


async def answer_up_to_summary_with_consent(
    chat: Chat, municipality: str | None = None, what_happened: str = WHAT_HAPPENED
) -> list[dict[str, Any]]:
    """A consented report up to its summary; `municipality` when the reporter has several."""
    r = await start_report(chat)
    r = await chat.tap(find_action(last(r), step="acute", answer="no"))
    r = await chat.tap(find_action(last(r), step="consent", answer="consent"))
    if municipality is not None:
        assert asks(r, "municipality")
        r = await chat.say(municipality)
    assert asks(r, "person_name")
    r = await chat.say(NAME)
    r = await chat.say("12.03.1941")
    r = await chat.tap(find_action(last(r), step="gender", answer="female"))
    r = await chat.say("Storgata 1, 1530 Moss")
    r = await chat.tap(find_action(last(r), step="vulnerability"), answer="dementia,old_age")
    r = await chat.say("fysisk og økonomisk")
    r = await chat.say("sønn")
    r = await chat.say(what_happened)
    r = await chat.tap(find_action(last(r), step="knowledge", answer="saw"))
    r = await chat.say("hjemmetjenesten")
    r = await chat.say("912 34 567")
    assert "Se over meldingen" in all_text(last(r))
    return r


async def answer_up_to_summary_anonymously(chat: Chat) -> list[dict[str, Any]]:
    r = await start_report(chat)
    r = await chat.say("nei")
    r = await chat.tap(find_action(last(r), step="consent", answer="anonymous"))
    assert asks(r, "age_band")
    r = await chat.say("80")
    r = await chat.say("mann")
    r = await chat.say("demens")
    r = await chat.say("psykisk")
    r = await chat.say("ukjent")
    r = await chat.say("Han virker redd og sier at noen låser ham inne om kvelden.")
    r = await chat.say("mistanke")
    r = await chat.say("legevakt")
    r = await chat.say("hopp over")
    assert "Se over meldingen" in all_text(last(r))
    return r


async def count(sessions: Any, model: Any) -> int:
    async with sessions() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def only_case(sessions: Any) -> Case:
    async with sessions() as session:
        cases = (await session.execute(select(Case))).scalars().all()
    assert len(cases) == 1
    return cases[0]


def decrypt_personal(case: Case) -> dict[str, Any]:
    value: dict[str, Any] = FieldCipher(parse_keys(DATA_KEY)).decrypt(
        case.personal, personal_context(case.id)
    )
    return value


# --- the whole dialogue ------------------------------------------------------------------------


async def test_a_report_with_consent_becomes_one_case_and_a_receipt(bot_url, connector, sessions):
    await add_municipality(sessions, "Moss", phone="69 24 00 00")
    chat = Chat(bot_url, connector)
    summary = await answer_up_to_summary_with_consent(chat)

    receipt = await chat.tap(find_action(last(summary), command="send"))

    shown = all_text(last(receipt))
    assert "Meldingen er sendt" in shown
    assert "TE-2026-0001" in shown
    assert "69 24 00 00" in shown
    case = await only_case(sessions)
    assert case.number == "TE-2026-0001"
    assert case.status == "received"
    assert case.consent_basis == "consent"
    assert case.age_band == "80+"
    assert case.gender == "female"
    assert case.vulnerabilities == ["dementia", "old_age"]
    assert case.violence_types == ["physical", "financial"]
    assert case.perpetrator_relation == "child"
    assert case.reporter_service == "home_care"
    personal = decrypt_personal(case)
    assert personal["name"] == NAME
    assert personal["birth"] == "12.03.1941"
    assert personal["what_happened"] == WHAT_HAPPENED
    assert personal["reporter_phone"] == "+4791234567"
    assert await count(sessions, CaseEvent) == 1
    async with sessions() as session:
        outbox = (await session.execute(select(OutboxMessage))).scalars().all()
    # The channel post and the coordinators' preview of the free text, for this case only.
    assert sorted((o.kind, o.case_id) for o in outbox) == [
        ("case_reported", case.id),
        ("text_preview", case.id),
    ]


async def test_an_anonymous_consultation_never_asks_for_identifiers(bot_url, connector, sessions):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    summary = await answer_up_to_summary_anonymously(chat)
    await chat.tap(find_action(last(summary), command="send"))

    asked = steps_asked(connector.received)
    assert "age_band" in asked
    assert not asked & {"person_name", "birth", "residence"}
    assert any("anonymt" in all_text(a) for a in connector.received)
    case = await only_case(sessions)
    assert case.consent_basis == "anonymous"
    assert case.age_band == "80+"
    assert set(decrypt_personal(case)) == {"what_happened", "reporter_phone"}


def steps_asked(replies: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            data = node.get("data")
            if node.get("type") == "Action.Submit" and isinstance(data, dict) and "step" in data:
                found.add(data["step"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(replies)
    return found


async def test_duty_to_avert_collects_the_person_and_is_recorded(bot_url, connector, sessions):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    r = await start_report(chat)
    r = await chat.say("nei")
    r = await chat.say("avvergeplikt")
    assert asks(r, "person_name")


async def test_acute_danger_gives_the_emergency_numbers_before_anything_else(
    bot_url, connector, sessions
):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    r = await start_report(chat)

    r = await chat.tap(find_action(last(r), step="acute", answer="yes"))

    guidance = all_text(last(r))
    assert guidance.index("112") < guidance.index("113") < guidance.index("02800")
    r = await chat.tap(find_action(last(r), step="acute_guidance", answer="continue"))
    assert asks(r, "consent")


async def test_after_acute_guidance_the_person_may_stop_and_nothing_is_kept(
    bot_url, connector, sessions
):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    r = await start_report(chat)
    r = await chat.say("ja")
    r = await chat.tap(find_action(last(r), step="acute_guidance", answer="stop"))
    assert "Ingenting er sendt" in all_text(last(r))
    assert "Hei" in all_text(last(await chat.say("hei")))


# --- moving about ------------------------------------------------------------------------------


async def test_cancel_at_any_step_sends_nothing(bot_url, connector, sessions):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    r = await start_report(chat)
    r = await chat.say("nei")
    r = await chat.say("samtykke")
    r = await chat.say(NAME)

    r = await chat.say("avbryt")

    assert "ingenting er sendt" in all_text(last(r))
    assert await count(sessions, Case) == 0
    assert "Du er ikke i gang" in all_text(last(await chat.say("avbryt")))


async def test_the_cancel_button_ends_the_report(bot_url, connector, sessions):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    r = await start_report(chat)
    r = await chat.say("nei")
    r = await chat.tap(find_action(last(r), command="cancel"))
    assert "Vil du avbryte" in all_text(last(r))
    r = await chat.tap(find_action(last(r), command="cancel_confirmed"))
    assert "avbrutt" in all_text(last(r))
    assert "Hei" in all_text(last(await chat.say("hei")))


async def test_the_cancel_button_asks_first_and_no_keeps_the_report(bot_url, connector, sessions):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    r = await start_report(chat)
    r = await chat.say("nei")
    r = await chat.tap(find_action(last(r), command="cancel"))
    r = await chat.tap(find_action(last(r), command="resume"))
    assert asks(r, "consent")


async def test_back_goes_one_question_back(bot_url, connector, sessions):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    r = await start_report(chat)
    r = await chat.say("nei")
    r = await chat.say("samtykke")
    r = await chat.say(NAME)
    assert asks(r, "birth")

    r = await chat.say("tilbake")
    assert asks(r, "person_name")
    r = await chat.tap(find_action(last(r), command="back"))
    assert asks(r, "consent")
    r = await chat.say("samtykke")
    assert asks(r, "person_name")


async def test_back_on_the_first_question_says_so(bot_url, connector, sessions):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    await start_report(chat)
    r = await chat.say("tilbake")
    assert "første spørsmålet" in all_text(r[0])
    assert asks(r, "acute")


async def test_edit_from_the_summary_changes_that_part_only(bot_url, connector, sessions):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    summary = await answer_up_to_summary_with_consent(chat)

    r = await chat.tap(find_action(last(summary), command="edit", part="violence"))
    assert asks(r, "violence")
    r = await chat.tap(find_action(last(r), step="violence"), answer="psychological")
    assert "Psykisk vold" in all_text(last(r))
    await chat.tap(find_action(last(r), command="send"))

    case = await only_case(sessions)
    assert case.violence_types == ["psychological"]
    assert case.perpetrator_relation == "child"


async def test_changing_consent_to_anonymous_drops_the_name(bot_url, connector, sessions):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    summary = await answer_up_to_summary_with_consent(chat)

    r = await chat.tap(find_action(last(summary), command="edit", part="consent"))
    r = await chat.tap(find_action(last(r), step="consent", answer="anonymous"))
    assert asks(r, "age_band")
    r = await chat.say("67-79")
    assert NAME not in all_text(last(r))
    await chat.tap(find_action(last(r), command="send"))
    assert "name" not in decrypt_personal(await only_case(sessions))


async def test_a_typed_answer_that_cannot_be_mapped_is_asked_again_with_the_options(
    bot_url, connector, sessions
):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    r = await start_report(chat)
    r = await chat.say("nei")

    r = await chat.say("det kommer an på")

    assert "forstod ikke" in all_text(r[0])
    assert asks(r, "consent")


async def test_a_card_from_an_earlier_question_does_not_answer_the_current_one(
    bot_url, connector, sessions
):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    first = await start_report(chat)
    r = await chat.say("nei")
    assert asks(r, "consent")

    r = await chat.tap(find_action(last(first), step="acute", answer="yes"))

    assert "tidligere spørsmål" in all_text(r[0])
    assert asks(r, "consent")


async def test_help_in_the_middle_shows_the_action_card_and_keeps_the_place(
    bot_url, connector, sessions
):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    r = await start_report(chat)
    r = await chat.say("nei")

    r = await chat.say("hjelp")

    assert "Tiltakskort" in all_text(r[0])
    assert asks(r, "consent")


async def test_several_municipalities_are_asked_for_one_is_not(bot_url, connector, sessions):
    await add_municipality(sessions, "Moss")
    await add_municipality(sessions, "Råde")
    chat = Chat(bot_url, connector)
    r = await start_report(chat)
    r = await chat.say("nei")
    r = await chat.say("samtykke")
    assert asks(r, "municipality")
    assert "Råde" in all_text(last(r))


# --- it never loses or doubles a report --------------------------------------------------------


async def test_a_restart_mid_dialogue_carries_on_where_the_person_was(
    engine, database_url, connector, sessions
):
    await add_municipality(sessions, "Moss")
    first = await start_bot(database_url)
    chat = Chat(str(first.make_url("")).rstrip("/"), connector)
    r = await start_report(chat)
    r = await chat.say("nei")
    r = await chat.say("samtykke")
    r = await chat.say(NAME)
    assert asks(r, "birth")
    await first.close()

    second = await start_bot(database_url)
    try:
        chat.bot_url = str(second.make_url("")).rstrip("/")
        r = await chat.say("1941")
        assert asks(r, "gender")
    finally:
        await second.close()


async def test_the_same_activity_delivered_twice_gives_one_case_and_one_reply(
    bot_url, connector, sessions
):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    summary = await answer_up_to_summary_with_consent(chat)
    send = chat.activity(value=find_action(last(summary), command="send"))
    send.pop("text")

    first = await chat.post(send)
    again = await chat.post(send)

    assert [a["_method"] for a in first] == ["PUT", "POST"]  # the summary closed, the receipt
    assert again == []
    assert chat.last_status is not None and chat.last_status < 300
    assert await count(sessions, Case) == 1
    assert await count(sessions, OutboxMessage) == 2  # the channel post and the text preview


async def test_a_second_tap_on_send_names_the_case_already_sent(bot_url, connector, sessions):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    summary = await answer_up_to_summary_with_consent(chat)
    send = find_action(last(summary), command="send")

    await chat.tap(send)
    again = await chat.tap(send)

    assert "allerede sendt" in all_text(last(again))
    assert "TE-2026-0001" in all_text(last(again))
    assert await count(sessions, Case) == 1


async def test_a_database_failure_on_send_says_not_sent_and_keeps_the_draft(
    bot_url, connector, sessions, engine
):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    summary = await answer_up_to_summary_with_consent(chat)
    await refuse_writes(engine, "cases", "INSERT")

    r = await chat.tap(find_action(last(summary), command="send"))

    assert "IKKE sendt" in all_text(last(r))
    assert await count(sessions, Case) == 0
    await allow_writes(engine, "cases")
    r = await chat.tap(find_action(last(summary), command="send"))
    assert "TE-2026-0001" in all_text(last(r))
    assert await count(sessions, Case) == 1


@pytest.mark.parametrize("sends", ["pressed", "typed"])
async def test_a_database_failure_before_the_report_is_read_also_says_not_sent(
    bot_url, connector, sessions, engine, caplog, sends
):
    # The dialogue's state cannot be read for the Send (its table is gone for a moment): the
    # person is told the report was NOT sent, as when storing it fails; "send" typed on the
    # summary is the same Send.
    from sqlalchemy import text

    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    summary = await answer_up_to_summary_with_consent(chat)
    async with engine.begin() as conn:
        await conn.execute(text("ALTER TABLE dialog_state RENAME TO dialog_state_away"))
    try:
        if sends == "typed":
            r = await chat.say("send")
        else:
            r = await chat.tap(find_action(last(summary), command="send"))
    finally:
        async with engine.begin() as conn:
            await conn.execute(text("ALTER TABLE dialog_state_away RENAME TO dialog_state"))

    assert "IKKE sendt" in all_text(last(r))
    assert "report not stored" in caplog.text
    assert await count(sessions, Case) == 0
    r = await chat.tap(find_action(last(summary), command="send"))
    assert "TE-2026-0001" in all_text(last(r))
    assert await count(sessions, Case) == 1


async def test_send_with_the_database_away_says_not_sent(
    bot_url, connector, sessions, engine, caplog
):
    if engine.dialect.name != "postgresql":
        pytest.skip("a server to stop is PostgreSQL's; SQLite's file stays open in the process")
    import asyncpg

    from tests.conftest import PG_ADMIN_URL

    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    summary = await answer_up_to_summary_with_consent(chat)
    # The server turns the bot away: its connections are ended and new ones refused.
    database = engine.url.database
    admin = await asyncpg.connect(PG_ADMIN_URL.replace("postgresql://", "postgres://"))
    try:
        await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", database
        )
        r = await chat.tap(find_action(last(summary), command="send"))
    finally:
        await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
        await admin.close()

    assert "IKKE sendt" in all_text(last(r))
    assert "report not stored" in caplog.text
    r = await chat.tap(find_action(last(summary), command="send"))
    assert "TE-2026-0001" in all_text(last(r))
    assert await count(sessions, Case) == 1


async def test_case_numbers_count_per_municipality(bot_url, connector, sessions):
    await add_municipality(sessions, "Moss")
    for person in ("a", "b"):
        chat = Chat(bot_url, connector, aad_object_id=person)
        summary = await answer_up_to_summary_anonymously(chat)
        await chat.tap(find_action(last(summary), command="send"))
    async with sessions() as session:
        numbers = sorted((await session.execute(select(Case.number))).scalars())
    assert numbers == ["TE-2026-0001", "TE-2026-0002"]


# --- input that is too much or not right ------------------------------------------------------


async def test_a_text_over_4000_characters_is_refused_and_the_question_stays(
    bot_url, connector, sessions
):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    await start_report(chat)

    r = await chat.say("x" * 4001)

    assert "for langt" in all_text(r[0])
    assert "4000" in all_text(r[0])
    r = await chat.say("nei")
    assert asks(r, "consent")


async def test_a_forged_card_value_outside_the_list_is_asked_again(bot_url, connector, sessions):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    r = await start_report(chat)
    forged = {**find_action(last(r), step="acute", answer="no"), "answer": "drop table"}

    r = await chat.tap(forged)

    assert chat.last_status is not None and chat.last_status < 300
    assert asks(r, "acute")


# --- outside the dialogue ---------------------------------------------------------------------


async def test_my_reports_lists_only_my_own(bot_url, connector, sessions):
    await add_municipality(sessions, "Moss")
    mine = Chat(bot_url, connector, aad_object_id="me")
    summary = await answer_up_to_summary_anonymously(mine)
    await mine.tap(find_action(last(summary), command="send"))
    theirs = Chat(bot_url, connector, aad_object_id="someone-else")

    assert "TE-2026-0001" in all_text(last(await mine.say("mine meldinger")))
    assert "Mottatt" in all_text(last(await mine.say("mine meldinger")))
    shown = all_text(last(await theirs.say("mine meldinger")))
    assert "TE-2026-0001" not in shown
    assert "ikke sendt noen" in shown


async def test_a_tenant_without_a_municipality_is_told_plainly(bot_url, connector, sessions):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector, tenant=OTHER_TENANT)
    r = await chat.say("meld bekymring")
    assert "ikke satt opp" in all_text(last(r))
    assert "112" in all_text(last(r))


async def test_english_locale_gets_english(bot_url, connector, sessions):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector, locale="en-US")
    r = await chat.say("report")
    assert "Is anyone in immediate danger" in all_text(last(r))


async def test_nynorsk_locale_gets_nynorsk(bot_url, connector, sessions):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector, locale="nn-NO")
    r = await chat.say("meld bekymring")
    assert "Er nokon" in all_text(last(r))


async def test_greeting_introduces_the_bot_with_buttons(bot_url, connector, sessions):
    chat = Chat(bot_url, connector)
    r = await chat.say("hei")
    assert "TryggEst" in all_text(last(r))
    assert find_action(last(r), command="report")


@pytest.mark.parametrize("words", ["ny melding", "Meld bekymring", "report"])
async def test_each_start_word_starts_a_report(bot_url, connector, sessions, words):
    await add_municipality(sessions, "Moss")
    r = await Chat(bot_url, connector).say(words)
    assert asks(r, "acute")


async def test_privacy_the_draft_in_the_database_is_encrypted(bot_url, connector, sessions):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    await start_report(chat)
    await chat.say("nei")
    await chat.say("samtykke")
    await chat.say(NAME)
    async with sessions() as session:
        blobs = (await session.execute(select(DialogState.data))).scalars().all()
    assert blobs
    assert all(b"Nordmann" not in blob for blob in blobs)


async def test_privacy_logs_carry_no_names_or_free_text(bot_url, connector, sessions, caplog):
    await add_municipality(sessions, "Moss")
    caplog.set_level("DEBUG")
    chat = Chat(bot_url, connector)
    summary = await answer_up_to_summary_with_consent(chat)
    await chat.tap(find_action(last(summary), command="send"))

    logged = caplog.text
    assert "TE-2026-0001" in logged
    for secret in ("Nordmann", "blåmerker", "Storgata", "91234567"):
        assert secret not in logged


async def test_once_sent_the_reporters_chat_no_longer_shows_what_identifies_the_person(
    bot_url, connector, sessions
):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    summary = await answer_up_to_summary_with_consent(chat)
    assert "Storgata" in all_text(last(summary))  # shown while the report is checked
    await chat.tap(find_action(last(summary), command="send"))

    # Each message the bot sent, as it reads now (a replaced card by its replacement).
    latest: dict[str, dict[str, Any]] = {}
    for a in connector.received:
        if a["_conversation"] == chat.conversation_id:
            latest[a.get("id") if a["_method"] == "PUT" else a["_given_id"]] = a
    shown = "\n".join(all_text(a) for a in latest.values())
    assert "TE-2026-0001" in shown and "✓ Registrert" in shown
    for secret in ("Nordmann", "1941", "Storgata", "blåmerker", "912"):
        assert secret not in shown, secret


async def test_a_name_typed_in_the_chat_gets_one_kind_word_that_it_stays_there(
    bot_url, connector, sessions
):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    r = await start_report(chat)
    r = await chat.tap(find_action(last(r), step="acute", answer="no"))
    r = await chat.tap(find_action(last(r), step="consent", answer="consent"))

    after_name = await chat.say(NAME)
    after_birth = await chat.say("12.03.1941")

    assert "blir stående der" in all_text(last(after_name))
    assert "velger «Slett»" in all_text(last(after_name))
    assert "blir stående der" not in all_text(last(after_birth))  # once a report


async def test_cancel_on_a_card_of_an_earlier_report_does_not_cancel_this_one(
    bot_url, connector, sessions
):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    old = await start_report(chat)
    await chat.say("avbryt")
    r = await start_report(chat)

    r = await chat.tap(find_action(last(old), command="cancel"))

    assert "tidligere spørsmål" in all_text(r[0])
    assert asks(r, "acute")


async def test_a_draft_untouched_for_14_days_is_gone(bot_url, connector, sessions):
    from datetime import timedelta

    from domain.clock import utcnow
    from storage.crypto import FieldCipher, parse_keys
    from storage.state_store import SqlStorage

    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    r = await start_report(chat)
    r = await chat.say("nei")
    assert asks(r, "consent")

    store = SqlStorage(sessions, FieldCipher(parse_keys(DATA_KEY)))
    assert await store.purge_untouched(now=utcnow() + timedelta(days=15)) >= 1

    r = await chat.say("samtykke")
    assert "forstod ikke helt" in all_text(last(r))


async def test_a_forced_locale_answers_the_playground_in_norwegian(
    engine, database_url, connector, sessions
):
    await add_municipality(sessions, "Moss")
    server = await start_bot(database_url, TRYGGEST_FORCE_LOCALE="nb-NO")
    try:
        chat = Chat(str(server.make_url("")).rstrip("/"), connector, locale="en-US")
        r = await chat.say("report")
        assert "Er noen i akutt fare" in all_text(last(r))
    finally:
        await server.close()


async def test_an_answered_question_card_is_closed_and_shows_the_answer(
    bot_url, connector, sessions
):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    r = await start_report(chat)
    question = last(r)

    r = await chat.tap(find_action(question, step="acute", answer="no"))

    closed = [a for a in r if a["_method"] == "PUT"]
    assert len(closed) == 1
    assert closed[0]["id"] == question["_given_id"]  # the card answered, not the next one
    assert "✓ Nei" in all_text(closed[0])
    assert "Action.Submit" not in str(closed[0])


async def test_going_back_shows_the_earlier_answer_to_correct_not_retype(
    bot_url, connector, sessions
):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    await start_report(chat)
    await chat.say("nei")
    await chat.say("samtykke")
    await chat.say(NAME)

    r = await chat.say("tilbake")

    assert asks(r, "person_name")
    assert f"'value': '{NAME}'" in str(last(r))


async def test_the_first_question_offers_no_way_back_and_no_count_that_will_jump(
    bot_url, connector, sessions
):
    await add_municipality(sessions, "Moss")
    r = await start_report(Chat(bot_url, connector))
    with pytest.raises(AssertionError):
        find_action(last(r), command="back")
    assert "Spørsmål 1\n" in all_text(last(r))


async def test_an_old_cancel_confirmation_cannot_cancel_the_report_later(
    bot_url, connector, sessions
):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    r = await start_report(chat)
    r = await chat.say("nei")
    confirm = await chat.tap(find_action(last(r), command="cancel"))
    yes = find_action(last(confirm), command="cancel_confirmed")
    r = await chat.tap(find_action(last(confirm), command="resume"))
    r = await chat.say("samtykke")

    r = await chat.tap(yes)

    assert "tidligere spørsmål" in all_text(r[0])
    assert asks(r, "person_name")


async def test_a_forged_card_value_of_the_wrong_type_for_a_text_question_is_asked_again(
    bot_url, connector, sessions
):
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    await start_report(chat)
    await chat.say("nei")
    r = await chat.say("samtykke")
    forged = {**find_action(last(r), step="person_name"), "answer": {"name": ["Kari"]}}

    r = await chat.tap(forged)

    assert "trenger et svar" in all_text(r[0])
    assert asks(r, "person_name")


async def test_when_recording_the_send_fails_the_person_is_told_only_what_is_true(
    bot_url, connector, sessions, engine
):
    # The press is recorded as taken at the start of the turn (PostgreSQL) or with the state
    # at its end (SQLite): refused there, the report is either not sent and they are told so,
    # or sent, with the receipt the last word — never "your answer was not kept" after it.
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    summary = await answer_up_to_summary_with_consent(chat)
    await refuse_writes(engine, "processed_activities", "INSERT")
    try:
        r = await chat.tap(find_action(last(summary), command="send"))
    finally:
        await allow_writes(engine, "processed_activities")

    shown = all_text(last(r))
    if await count(sessions, Case) == 1:
        assert "TE-2026-0001" in shown and "ikke lagret" not in shown
    else:
        assert "IKKE sendt" in shown
    again = await chat.tap(find_action(last(summary), command="send"))
    assert "TE-2026-0001" in all_text(last(again))
    assert await count(sessions, Case) == 1
