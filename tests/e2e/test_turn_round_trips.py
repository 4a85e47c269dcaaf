"""What a turn in the middle of a report costs the database: one transaction to take the
activity and read the conversation's state, one to save the state (issue #9)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from bot.app import ENGINE_KEY
from tests.conftest import add_municipality
from tests.e2e.test_report_dialogue import start_report
from tests.support import Chat, find_action


async def test_a_turn_mid_report_takes_two_connections(
    bot_server: Any, bot_url: str, connector: Any, sessions: Any
) -> None:
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    replies = await start_report(chat)  # state stored: the next turn finds it
    engine = bot_server.app[ENGINE_KEY].sync_engine
    checkouts: list[str] = []
    statements: list[str] = []

    def checked_out(*_: Any) -> None:
        checkouts.append("connection")

    def executed(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement.split(None, 1)[0])

    event.listen(engine, "checkout", checked_out)
    event.listen(engine, "before_cursor_execute", executed)
    try:
        await chat.tap(find_action(replies[-1], step="acute", answer="no"))
    finally:
        event.remove(engine, "checkout", checked_out)
        event.remove(engine, "before_cursor_execute", executed)

    assert len(checkouts) == 2
    assert statements == ["INSERT", "SELECT", "UPDATE"]
