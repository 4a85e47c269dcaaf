"""A person half-way through a report when the bot is upgraded carries on, through /api/messages
on SQLite and PostgreSQL: their conversation's row, written while the bot ran on botbuilder, holds
the report on botbuilder-dialogs' stack (a DialogState), in either format the bot stored it in."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update

from storage.crypto import FieldCipher, parse_keys
from storage.models import DialogState
from storage.state_store import conversation_key, row_key_of, state_context
from tests.conftest import DATA_KEY, add_municipality
from tests.e2e.test_report_dialogue import NAME, asks, decrypt_personal, last, only_case
from tests.e2e.test_report_dialogue import start_report as start
from tests.storage.test_state_codec import (
    jsonpickle_row_of_botbuilder,
    state_1_row_of_botbuilder,
)
from tests.support import Chat, all_text, find_action

CIPHER = FieldCipher(parse_keys(DATA_KEY))


async def stored_plaintext(sessions: Any, row_key: str) -> Any:
    async with sessions() as session:
        data = await session.scalar(select(DialogState.data).where(DialogState.key == row_key))
    assert data is not None, "no state stored for the conversation"
    return CIPHER.decrypt(data, state_context(row_key))


async def stored_as_on_botbuilder(sessions: Any, row_key: str, old_format: Any) -> None:
    """The conversation's row as the bot on botbuilder left it: the report dialogue's own state
    (the draft, the step, the card) on botbuilder-dialogs' stack, in `old_format` (the
    "state/1" codec's marked objects, or jsonpickle's text)."""
    plaintext = await stored_plaintext(sessions, row_key)
    assert plaintext[0] == "state/1" and set(plaintext[1]) == {"report"}
    report = plaintext[1]["report"]
    assert report["draft"]["answers"]["person_name"] == NAME
    async with sessions() as session, session.begin():
        await session.execute(
            update(DialogState)
            .where(DialogState.key == row_key)
            .values(data=CIPHER.encrypt(old_format(report), state_context(row_key)))
        )


@pytest.mark.parametrize("old_format", [state_1_row_of_botbuilder, jsonpickle_row_of_botbuilder])
async def test_a_report_begun_on_botbuilder_goes_on_where_it_was_after_the_upgrade(
    bot_url: str, connector: Any, sessions: Any, old_format: Any
) -> None:
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    r = await chat.tap(find_action(last(await start(chat)), step="acute", answer="no"))
    r = await chat.tap(find_action(last(r), step="consent", answer="consent"))
    r = await chat.say(NAME)
    assert asks(r, "birth")
    # Stored under the key botbuilder's ConversationState gave the conversation.
    row_key = row_key_of(conversation_key("msteams", chat.conversation_id))
    await stored_as_on_botbuilder(sessions, row_key, old_format)

    r = await chat.say("12.03.1941")

    assert asks(r, "gender")  # the next question: the answers before the upgrade are kept
    stored = await stored_plaintext(sessions, row_key)
    assert stored[0] == "state/1" and "DialogState" not in stored[1]  # saved in the new shape
    r = await chat.tap(find_action(last(r), step="gender", answer="female"))
    r = await chat.say("Storgata 1, 1530 Moss")
    r = await chat.tap(find_action(last(r), step="vulnerability"), answer="dementia")
    r = await chat.say("fysisk")
    r = await chat.say("sønn")
    r = await chat.say("Hun hadde blåmerker på armene.")
    r = await chat.tap(find_action(last(r), step="knowledge", answer="saw"))
    r = await chat.say("hjemmetjenesten")
    r = await chat.say("912 34 567")
    assert "Se over meldingen" in all_text(last(r))
    r = await chat.tap(find_action(last(r), command="send"))
    assert "TE-2026-0001" in all_text(last(r))
    personal = decrypt_personal(await only_case(sessions))
    assert (personal["name"], personal["birth"]) == (NAME, "12.03.1941")
