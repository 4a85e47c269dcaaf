"""What a turn in the middle of a report costs the database: one round trip to take the activity
and read the conversation's state, one to save the state, and on SQLite one commit (issue #9).
Watched at the driver, so what goes past SQLAlchemy counts too."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.util import await_

from bot.app import ENGINE_KEY, HOUSEKEEPING_TASK, OUTBOX_TASK, SERVICES_KEY
from tests.conftest import add_municipality
from tests.e2e.test_report_dialogue import start_report
from tests.support import Chat, find_action


@asynccontextmanager
async def statements_sent(server: Any) -> AsyncIterator[tuple[list[str], list[str]]]:
    """(pooled connections checked out, each statement the database got) while inside: on the
    pool's connections, and also on the state's own (storage/state_store.py: on SQLite one, on
    PostgreSQL those open now)."""
    engine = server.app[ENGINE_KEY].sync_engine
    storage = server.app[SERVICES_KEY].storage
    own = storage.own_connection
    checkouts: list[str] = []
    statements: list[str] = []
    watched: list[tuple[Any, Any]] = []

    def heard(statement: str) -> None:
        statements.append(" ".join(statement.split()))

    if own is not None:
        own.set_trace_callback(heard)
    postgres = storage._postgres
    if postgres is not None:
        # Each of the state's own connections as it is used (opened now, or before).
        taken = postgres.connection

        @asynccontextmanager
        async def watched_connection() -> AsyncIterator[Any]:
            async with taken() as connection:
                if not any(connection is seen for seen, _ in watched):
                    logger = lambda query: heard(query.query)  # noqa: E731
                    connection.add_query_logger(logger)
                    watched.append((connection, logger))
                yield connection

        postgres.connection = watched_connection  # type: ignore[method-assign]

    def checked_out(dbapi_connection: Any, *_: Any) -> None:
        task = asyncio.current_task()
        if task is not None and task.get_name() in (HOUSEKEEPING_TASK, OUTBOX_TASK):
            return  # the bot's own background work (the clean-up at start-up), not the turn's
        checkouts.append("connection")
        driver = dbapi_connection.driver_connection
        if any(driver is seen for seen, _ in watched):  # the pool gave the same one again
            return
        if engine.dialect.name == "postgresql":
            logger = lambda query: heard(query.query)  # noqa: E731
            driver.add_query_logger(logger)
            watched.append((driver, logger))
        else:
            # sqlite3's own trace: every statement the module runs, BEGIN and COMMIT too.
            await_(driver.set_trace_callback(heard))
            watched.append((driver, None))

    event.listen(engine, "checkout", checked_out)
    try:
        yield checkouts, statements
    finally:
        if own is not None:
            own.set_trace_callback(None)
        if postgres is not None:
            del postgres.connection  # the class's own again
        event.remove(engine, "checkout", checked_out)
        for driver, logger in watched:
            if logger is not None:
                driver.remove_query_logger(logger)
            else:
                await driver.set_trace_callback(None)


async def test_a_turn_mid_report_takes_two_round_trips_and_commits_once(
    bot_server: Any, bot_url: str, connector: Any, sessions: Any
) -> None:
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    replies = await start_report(chat)  # state stored: the next turn finds it
    engine = bot_server.app[ENGINE_KEY].sync_engine

    async with statements_sent(bot_server) as (checkouts, statements):
        await chat.tap(find_action(replies[-1], step="acute", answer="no"))

    if engine.dialect.name == "postgresql":
        # On the state's own connection: the claim and the read are one statement (WITH …
        # INSERT … SELECT); each commits alone. Nothing from SQLAlchemy's pool.
        assert checkouts == []
        assert [s.split(None, 1)[0].upper() for s in statements] == ["WITH", "UPDATE"]
    else:
        # On the state's own connection: a read that also looks the activity up, then one
        # transaction that saves the state and records the activity (one fsync, not two).
        assert checkouts == []
        looked_up, *saved = statements
        assert looked_up.startswith("SELECT") and "processed_activities" in looked_up
        assert [s.split(None, 2)[:2] for s in saved] == [
            ["BEGIN", "IMMEDIATE"],
            ["UPDATE", "dialog_state"],
            ["INSERT", "INTO"],
            ["COMMIT"],
        ]
        assert "processed_activities" in saved[2]


async def test_a_first_turn_reads_the_person_and_the_municipalities_once_and_keeps_the_chat(
    bot_server: Any, bot_url: str, connector: Any, sessions: Any
) -> None:
    """Besides the state's own round trips, a person's first "meld bekymring" costs one
    statement each: who they are (tenant, roles, teams, what the teams serve), where they may
    report to, and keeping where their chat is (written in the same statement that finds it
    new). A second message keeps nothing again: the reference is remembered."""
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    engine = bot_server.app[ENGINE_KEY].sync_engine
    statements: list[str] = []

    def executed(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        # The bot's own background work (retention, the monthly review) is not the turn's.
        task = asyncio.current_task()
        if task is None or task.get_name() not in (HOUSEKEEPING_TASK, OUTBOX_TASK):
            statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", executed)
    try:
        replies = await start_report(chat)
        first_turn = list(statements)
        statements.clear()
        await chat.tap(find_action(replies[-1], step="acute", answer="no"))
    finally:
        event.remove(engine, "before_cursor_execute", executed)

    assert len(first_turn) == 3, first_turn
    who, where_to, chat_kept = first_turn
    assert who.startswith("SELECT EXISTS (SELECT * FROM tenants ")
    assert "JOIN memberships" in who and "JOIN team_municipalities" in who
    assert who.count("SELECT") == 3  # the tenant's, the one row's and the statement's own
    assert where_to.startswith("SELECT DISTINCT municipalities.id")
    assert chat_kept.startswith("INSERT INTO conversation_references")
    assert "ON CONFLICT" in chat_kept
    # The state's statements go to the driver directly (see the test above); nothing else.
    assert statements == []


async def test_a_first_turn_reads_the_conversations_state_once_a_turn(
    bot_server: Any, bot_url: str, connector: Any, sessions: Any
) -> None:
    # The claim finds no state yet; botbuilder would read again, finding the state empty.
    await add_municipality(sessions, "Moss")
    chat = Chat(bot_url, connector)
    engine = bot_server.app[ENGINE_KEY].sync_engine

    async with statements_sent(bot_server) as (_, statements):
        await start_report(chat)

    state_reads = [s for s in statements if s.startswith("SELECT") and "dialog_state" in s]
    # (The bot's housekeeping may purge old activities meanwhile: a DELETE, not a claim.)
    claims = [s for s in statements if s.startswith(("INSERT", "WITH")) and "processed_act" in s]
    assert claims  # one a turn (starting a report may take more than one)
    if engine.dialect.name == "postgresql":
        assert state_reads == []  # read within the claim's own statement
    else:
        assert len(state_reads) == len(claims)
        assert all("processed_activities" in read for read in state_reads)  # the look-up
