"""What sending a report costs the database (issue #9), through /api/messages on SQLite and
PostgreSQL: the case is written in one transaction of one statement each (no read of the case
in advance, the team looked up once, the number given last), and its delivery claims the two
outbox rows in one statement and does not ask again."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from bot.app import ENGINE_KEY
from tests.conftest import deliver
from tests.e2e.channel import COORDINATOR, REPORTER, Channel, member_chat, moss_with_channel
from tests.e2e.test_case_channel import to
from tests.e2e.test_report_dialogue import answer_up_to_summary_with_consent, last
from tests.support import all_text, find_action

_TABLE = re.compile(r"^(?:INSERT INTO|UPDATE|DELETE FROM|SELECT .*? FROM) (\w+)", re.S)


@contextmanager
def statements_by_connection(engine: Any) -> Iterator[list[list[str]]]:
    """Per connection checked out, 'VERB table' of each statement SQLAlchemy sent on it."""
    connections: list[list[str]] = []

    def checked_out(*_: Any) -> None:
        connections.append([])

    def executed(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        text = " ".join(statement.split())
        match = _TABLE.match(text)
        connections[-1].append(f"{text.split()[0]} {match.group(1) if match else '?'}")

    event.listen(engine, "checkout", checked_out)
    event.listen(engine, "before_cursor_execute", executed)
    try:
        yield connections
    finally:
        event.remove(engine, "checkout", checked_out)
        event.remove(engine, "before_cursor_execute", executed)


async def test_sending_a_report_writes_the_case_in_one_transaction_of_one_statement_each(
    bot_server: Any, bot_url: str, connector: Any, sessions: Any
) -> None:
    await moss_with_channel(sessions)
    chat = member_chat(bot_url, connector, REPORTER)
    summary = await answer_up_to_summary_with_consent(chat)
    engine = bot_server.app[ENGINE_KEY].sync_engine

    with statements_by_connection(engine) as connections:
        await chat.tap(find_action(last(summary), command="send"))

    [case] = [c for c in connections if "INSERT cases" in c]
    assert case == [
        "SELECT teams",  # its operational team (name and phone for the receipt)
        "INSERT cases",
        "SELECT memberships",  # whom the assessment reminders go to
        "INSERT reminders",
        "INSERT case_events",
        "INSERT outbox",  # the channel post and the coordinators' preview
        "INSERT case_name_digests",
        # The number last, so the municipality's counter is locked for these two statements
        # only (and the municipality is the tenant's, or nothing is stored).
        "INSERT case_number_counters",
        "UPDATE cases",
    ]
    everything = [s for c in connections for s in c]
    assert everything.count("SELECT teams") == 1
    assert not any(
        s.endswith(" cases") for s in everything if s not in ("INSERT cases", "UPDATE cases")
    )
    # The activity and the state, the reporter's roles, the case, the state saved.
    assert len(connections) <= 4


async def a_report_sent_and_delivered(
    bot_server: Any, bot_url: str, connector: Any, sessions: Any
) -> tuple[Channel, list[list[str]]]:
    """Moss's team with its channel and two coordinators (one has a chat with the bot, one not),
    and a report sent there; then its delivery, with the statements it took per connection."""
    await moss_with_channel(sessions)
    channel = Channel(bot_url, connector)
    assert await channel.add_bot() < 300
    await member_chat(bot_url, connector, COORDINATOR).say("hei")
    chat = member_chat(bot_url, connector, REPORTER)
    summary = await answer_up_to_summary_with_consent(chat)
    await chat.tap(find_action(last(summary), command="send"))

    with statements_by_connection(bot_server.app[ENGINE_KEY].sync_engine) as connections:
        assert await deliver(bot_server) == 2
    return channel, connections


async def test_delivering_a_sent_report_claims_its_two_items_in_one_statement(
    bot_server: Any, bot_url: str, connector: Any, sessions: Any
) -> None:
    channel, connections = await a_report_sent_and_delivered(
        bot_server, bot_url, connector, sessions
    )

    outbox = [s for c in connections for s in c if s.endswith(" outbox")]
    # One claim (read and lease), each item marked delivered; no second, empty claim.
    assert outbox == ["SELECT outbox", "UPDATE outbox", "UPDATE outbox", "UPDATE outbox"]
    assert connections[0] == ["SELECT outbox", "UPDATE outbox"]
    assert len(channel.posts()) == 1


async def test_delivering_a_sent_report_reads_the_team_and_its_chats_once(
    bot_server: Any, bot_url: str, connector: Any, sessions: Any
) -> None:
    channel, connections = await a_report_sent_and_delivered(
        bot_server, bot_url, connector, sessions
    )

    everything = [s for c in connections for s in c]
    # Whether the case has its thread and where its team's channel is: one statement.
    assert everything.count("SELECT channel_posts") == 1
    # The team's local adaptation (its own risk checklist) for the channel card, once.
    assert everything.count("SELECT teams") == 1
    # The team's people for the channel card and for the preview, read once for both items.
    assert everything.count("SELECT memberships") == 1
    # The coordinators' chats, all at once; the one without a chat is skipped, not asked for.
    assert everything.count("SELECT conversation_references") == 1
    # The case for the card, and for the preview through the gate (logged) as before.
    assert everything.count("SELECT cases") == 2
    assert everything.count("INSERT access_log") == 1
    assert everything.count("INSERT channel_posts") == 1
    # Was 14 connections: the claim, 5 for the post, 6 for the preview, 2 marks; then 11, one
    # more since the preview is hidden again later (its reminder written when it is sent), and
    # one more for the team's own risk checklist on the card.
    assert everything.count("INSERT reminders") == 1
    assert len(connections) <= 13
    assert len(channel.posts()) == 1
    previews = [a for a in to(connector, COORDINATOR) if "Fritekst til kanalen" in all_text(a)]
    assert len(previews) == 1
