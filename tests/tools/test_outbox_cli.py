"""`tryggest outbox`: an operator lists what the bot owes and puts failed messages back, on
SQLite and PostgreSQL, as the command runs (a subprocess on the migrated database)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from storage.models import OutboxMessage
from storage.outbox import Outbox
from tests.support import TENANT
from tests.tools import run_tool, tool_env


async def a_failed_and_a_pending_row(sessions: Any) -> tuple[str, str]:
    outbox = Outbox(sessions)
    await outbox.add("case_reported", TENANT, {"first": True})
    await outbox.add("reporter_status", TENANT, {"status": "received"})
    async with sessions() as session:
        rows = list(
            (await session.execute(select(OutboxMessage).order_by(OutboxMessage.kind))).scalars()
        )
    failed, pending = rows[0].id, rows[1].id
    await outbox.failed(failed, "send refused: 404 NotFound")
    return failed, pending


async def test_the_list_names_each_pending_and_failed_message_by_id_and_kind(
    database_url, sessions, tmp_path
):
    failed, pending = await a_failed_and_a_pending_row(sessions)

    result = run_tool("outbox", env=tool_env(database_url), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(failed in line and "failed" in line and "case_reported" in line for line in lines)
    assert any(pending in line and "pending" in line for line in lines)
    assert lines[-1] == "1 pending (0 late), 1 failed."


async def test_retry_puts_every_failed_message_back_on_the_queue(database_url, sessions, tmp_path):
    failed, _ = await a_failed_and_a_pending_row(sessions)

    result = run_tool("outbox", "retry", "--all-failed", env=tool_env(database_url), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "1 message(s) put back" in result.stdout
    entry = await Outbox(sessions).item(failed)
    assert entry is not None and (entry.state, entry.attempts) == ("pending", 0)


async def test_retry_of_a_message_that_did_not_fail_says_so(database_url, sessions, tmp_path):
    _, pending = await a_failed_and_a_pending_row(sessions)

    result = run_tool("outbox", "retry", pending, env=tool_env(database_url), cwd=tmp_path)

    assert result.returncode == 1
    assert f"{pending}: not a failed message" in result.stdout


async def test_a_queued_reminder_is_listed_with_its_own_kind(database_url, sessions, tmp_path):
    await Outbox(sessions).add(
        "reminder", TENANT, {"reminder_id": "r1", "reminder_kind": "gathering_post"}
    )

    result = run_tool("outbox", env=tool_env(database_url), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "reminder:gathering_post" in result.stdout
