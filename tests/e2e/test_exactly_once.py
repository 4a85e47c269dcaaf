"""An activity Teams delivers more than once is handled once, through /api/messages on SQLite
and PostgreSQL: delivered again after its turn, delivered twice at the same moment, whether the
turn saved the conversation's state or not. And one whose turn failed is handled when it comes
again. (On SQLite the activity is recorded as handled with the turn's own save: bot/middleware.py's
ExactlyOnce, storage/state_store.py.)"""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from storage.models import AccessLogEntry
from tests.e2e.test_case_commands import MOSS_MEMBER, report_with_municipality, setting
from tests.e2e.test_report_dialogue import asks, start_report
from tests.support import Chat, all_text, allow_writes, find_action, refuse_writes


async def test_a_message_delivered_twice_at_the_same_moment_is_answered_once(
    bot_url, connector, sessions
):
    await setting(sessions)
    chat = Chat(bot_url, connector)
    start = chat.activity(text="meld bekymring")
    before = len(connector.received)

    await asyncio.gather(chat.post(start), chat.post(start))

    sent = connector.received[before:]
    assert [asks([reply], "acute") for reply in sent].count(True) == 1


async def test_a_command_that_saves_no_state_delivered_again_is_answered_and_logged_once(
    bot_url, connector, sessions
):
    await setting(sessions)
    await report_with_municipality(Chat(bot_url, connector, aad_object_id="reporter"), "Moss")
    member = Chat(bot_url, connector, aad_object_id=MOSS_MEMBER)
    await member.say("hei")  # after this first turn, looking at a case changes no state
    show = member.activity(text="vis TE-2026-0001")

    first = await member.post(show)
    again = await member.post(show)

    assert "TE-2026-0001" in all_text(first[-1])
    assert again == []
    async with sessions() as session:
        reads = await session.scalar(
            select(func.count())
            .select_from(AccessLogEntry)
            .where(AccessLogEntry.actor_aad_object_id == MOSS_MEMBER)
        )
    assert reads == 1


async def test_an_activity_whose_turn_failed_is_handled_when_delivered_again(
    bot_url, connector, sessions, engine
):
    await setting(sessions)
    chat = Chat(bot_url, connector)
    replies = await start_report(chat)
    answer = chat.activity(value=find_action(replies[-1], step="acute", answer="no"))
    answer.pop("text")
    await refuse_writes(engine, "dialog_state", "UPDATE")

    await chat.post(answer)  # the answer's state could not be saved: the turn failed

    await allow_writes(engine, "dialog_state")
    again = await chat.post(answer)
    assert asks(again, "consent")
