"""Two instances of the bot on one PostgreSQL (TRYGGEST_INSTANCES=2): a person's next answer
may reach the other instance while the first is still finishing the turn that asked."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.conftest import add_municipality, start_bot
from tests.e2e.test_report_dialogue import asks, start_report
from tests.support import Chat, find_action


async def test_an_answer_given_the_moment_a_reply_shows_finds_the_dialogue_where_it_left_off(
    engine: Any, database_url: str, connector: Any, sessions: Any
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("several instances share a PostgreSQL database; SQLite is for one process")
    await add_municipality(sessions, "Moss")
    first, second = [await start_bot(database_url, TRYGGEST_INSTANCES="2") for _ in range(2)]
    try:
        on_first = Chat(str(first.make_url("")).rstrip("/"), connector)
        on_second = Chat(
            str(second.make_url("")).rstrip("/"),
            connector,
            conversation_id=on_first.conversation_id,
        )
        replies = await start_report(on_first)
        answer: list[asyncio.Task[list[dict[str, Any]]]] = []

        async def answer_at_once(message: dict[str, Any]) -> None:
            # The consent question has reached Teams and the first instance waits for Teams'
            # answer, its turn not finished. The person taps at once; Teams sends the tap to
            # the second instance.
            if not answer and asks([message], "consent"):
                tap = find_action(message, step="consent", answer="consent")
                answer.append(asyncio.create_task(on_second.tap(tap)))
                await asyncio.sleep(0.2)  # the first instance is slow to hear back

        connector.on_message = answer_at_once
        await on_first.tap(find_action(replies[-1], step="acute", answer="no"))
        connector.on_message = None

        assert answer, "the consent question never came"
        answered = await answer[0]
        assert answered, "the second instance did not answer"
        assert not asks(answered, "consent")  # not asked again: the report moved on
        assert not asks(answered, "acute")
        assert asks(answered, "person_name")  # to the question after consent
    finally:
        await first.close()
        await second.close()
