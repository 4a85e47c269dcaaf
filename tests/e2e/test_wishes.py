"""The person's own wishes (medvirkning) through /api/messages: a team member writes what the
person wants to happen in a form in their own chat, opened from the case card. The words are
kept with the person's details (encrypted, erased with them), shown with them, and never in the
channel; in an anonymous consultation they are kept without identifiers."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import AccessLogEntry, CaseEvent
from tests.conftest import deliver
from tests.e2e.channel import MEMBER, STRANGER, answered_message, member_chat
from tests.e2e.test_case_channel import (
    assert_nothing_identifying,
    case_row,
    reported,
    thread_card,
    to,
)
from tests.e2e.test_late_consent import consulted
from tests.e2e.test_report_dialogue import decrypt_personal, last
from tests.support import all_text, find_action

WISHES = "Hun vil bo hjemme og vil ikke at sønnen skal få vite at hun har snakket med oss."


def wishes_form(connector, who: str) -> dict:
    forms = [a for a in to(connector, who) if "Personens ønsker i TE-" in all_text(a)]
    assert len(forms) == 1
    return forms[0]


async def test_the_persons_wishes_are_kept_with_their_details_and_never_in_the_channel(
    bot_server, bot_url, connector, sessions
):
    channel = await reported(bot_url, connector, sessions, bot_server)
    member = member_chat(bot_url, connector, MEMBER)
    await member.say("hei")

    _, body = await channel.press(MEMBER, thread_card(channel), "wishes_form")
    assert "ligger i chatten din" in answered_message(body)
    r = await member.tap(
        find_action(wishes_form(connector, MEMBER), command="record_wishes"), wishes=WISHES
    )
    await deliver(bot_server)

    assert "er lagret" in all_text(last(r)) and "bo hjemme" not in all_text(last(r))
    case = await case_row(sessions)
    assert decrypt_personal(case)["wishes"] == WISHES
    async with sessions() as session:
        event = (
            await session.execute(select(CaseEvent).where(CaseEvent.kind == "wishes_recorded"))
        ).scalar_one()
        logged = (
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
    assert event.secret is not None and event.actor_aad_object_id == MEMBER
    assert "case.add_note" in logged
    assert "bo hjemme" not in str(channel.everything_in_channel())
    assert_nothing_identifying(channel)

    await channel.press(MEMBER, thread_card(channel), "show_personal")
    assert WISHES in all_text(to(connector, MEMBER)[-1])


async def test_in_an_anonymous_consultation_the_wishes_are_kept_without_identifiers(
    bot_server, bot_url, connector, sessions
):
    channel = await consulted(bot_url, connector, sessions, bot_server)
    member = member_chat(bot_url, connector, MEMBER)
    await member.say("hei")
    await channel.press(MEMBER, thread_card(channel), "wishes_form")

    r = await member.tap(
        find_action(wishes_form(connector, MEMBER), command="record_wishes"),
        wishes="Han vil at vi ringer dattera på 915 55 123 først.",
    )

    assert "tok ut det som kan vise hvem" in all_text(last(r))
    stored = decrypt_personal(await case_row(sessions))["wishes"]
    assert "915 55 123" not in stored and "ringer dattera" in stored


async def test_someone_outside_the_team_can_neither_open_nor_fill_the_form(
    bot_server, bot_url, connector, sessions
):
    channel = await reported(bot_url, connector, sessions, bot_server)
    await member_chat(bot_url, connector, MEMBER).say("hei")
    await channel.press(MEMBER, thread_card(channel), "wishes_form")
    action = find_action(wishes_form(connector, MEMBER), command="record_wishes")

    _, body = await channel.press(STRANGER, thread_card(channel), "wishes_form")
    r = await member_chat(bot_url, connector, STRANGER).tap(action, wishes="Noe helt annet.")

    assert "ikke tilgang" in answered_message(body)
    assert "ikke tilgang" in all_text(last(r))
    assert "wishes" not in decrypt_personal(await case_row(sessions))


async def test_the_reflection_tools_answers_go_to_the_timeline_not_the_channel(
    bot_server, bot_url, connector, sessions
):
    channel = await reported(bot_url, connector, sessions, bot_server)
    reflection = "Hun stoler på fastlegen. Vi ringer henne igjen fredag."

    status, _ = await channel.press(
        MEMBER, thread_card(channel), "position", position="guide", reflection=reflection
    )
    await deliver(bot_server)

    assert status == 200
    case = await case_row(sessions)
    async with sessions() as session:
        event = (
            await session.execute(select(CaseEvent).where(CaseEvent.kind == "position_set"))
        ).scalar_one()
    assert case.position == "guide" and event.secret is not None
    assert "fastlegen" not in str(channel.everything_in_channel())
    await member_chat(bot_url, connector, MEMBER).say("hei")
    await channel.press(MEMBER, thread_card(channel), "timeline")
    assert reflection in all_text(to(connector, MEMBER)[-1])
