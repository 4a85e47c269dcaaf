"""No plaintext personal data in the database: after two reports sent end to end through
/api/messages, neither the SQLite files (database and write-ahead log) nor any text, JSON or
binary column on PostgreSQL holds the name, birth date, address, free text or phone number."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import Case
from tests.conftest import add_municipality, start_bot
from tests.e2e.test_report_dialogue import (
    NAME,
    WHAT_HAPPENED,
    answer_up_to_summary_with_consent,
    last,
)
from tests.support import Chat, all_text, find_action

# As the helper types them; the phone number as digits (it is stored as +4791234567).
SECRETS = (
    NAME,
    "Nordmann",
    WHAT_HAPPENED,
    "blåmerker på begge armene",
    "Sønnen tar pengene hennes",
    "Storgata 1",
    "1530 Moss",
    "12.03.1941",
    "91234567",
    "912 34 567",
)
TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb", "bytea", "ARRAY")


# Stored in plaintext on purpose: if the scan cannot find these, it is looking in the wrong place.
CONTROLS = ("TE-2026-0001", "TE-2026-0002")


def found_in(haystack: str, needles: tuple[str, ...] = SECRETS) -> list[str]:
    folded = haystack.casefold()
    return [s for s in needles if s.casefold() in folded]


async def send_two_reports(bot_url: str, connector: Any) -> None:
    for reporter in (
        "7faf8ab2-3d56-4244-b585-20c8a42ed2b8",
        "0c0ffee0-3d56-4244-b585-20c8a42ed2b8",
    ):
        chat = Chat(bot_url, connector, aad_object_id=reporter)
        summary = await answer_up_to_summary_with_consent(chat)
        receipt = await chat.tap(find_action(last(summary), command="send"))
        assert "Meldingen er sendt" in all_text(last(receipt))


def sqlite_files(database_url: str) -> list[Path]:
    database = Path(make_url(database_url).database or "")
    return [p for p in (database, Path(f"{database}-wal")) if p.exists()]


def secrets_in_files(files: list[Path], needles: tuple[str, ...] = SECRETS) -> dict[str, list[str]]:
    # Decoded leniently: the pages around a string are binary, the string itself is UTF-8.
    found = {str(p): found_in(p.read_bytes().decode("utf-8", "replace"), needles) for p in files}
    return {name: hits for name, hits in found.items() if hits}


async def secrets_in_postgresql(
    engine: AsyncEngine, needles: tuple[str, ...] = SECRETS
) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    async with engine.connect() as conn:
        columns = (
            await conn.execute(
                text(
                    "SELECT table_name, column_name, data_type FROM information_schema.columns "
                    "WHERE table_schema = 'public' AND data_type = ANY(:types)"
                ),
                {"types": list(TEXT_TYPES)},
            )
        ).all()
        assert {"cases", "dialog_state", "access_log"} <= {t for t, _, _ in columns}
        for table, column, data_type in columns:
            values = (await conn.execute(text(f'SELECT "{column}"::text FROM "{table}"'))).scalars()
            for value in values:
                if value is None:
                    continue
                if data_type == "bytea":  # '\x…' as text: look at the bytes themselves too
                    value += "\n" + bytes.fromhex(value[2:]).decode("utf-8", "replace")
                hits = found_in(value, needles)
                if hits:
                    found.setdefault(f"{table}.{column}", []).extend(hits)
    return found


async def case_count(sessions: Any) -> int:
    async with sessions() as session:
        return len((await session.execute(text(f"SELECT id FROM {Case.__tablename__}"))).all())


async def test_no_personal_data_is_stored_in_plaintext(engine, sessions, database_url, connector):
    await add_municipality(sessions, "Moss")
    server = await start_bot(database_url)
    try:
        await send_two_reports(str(server.make_url("")).rstrip("/"), connector)
        assert await case_count(sessions) == 2
        # While the bot runs (recent writes still in the write-ahead log) ...
        if engine.dialect.name == "sqlite":
            files = sqlite_files(database_url)
            assert any(p.name.endswith("-wal") for p in files)
            assert secrets_in_files(files) == {}
            assert {h for hits in secrets_in_files(files, CONTROLS).values() for h in hits} == set(
                CONTROLS
            )
        else:
            assert await secrets_in_postgresql(engine) == {}
            controls = await secrets_in_postgresql(engine, CONTROLS)
            assert {k: sorted(v) for k, v in controls.items()} == {"cases.number": list(CONTROLS)}
    finally:
        await server.close()
    # ... and after it stopped and the log was checkpointed into the database file.
    if engine.dialect.name == "sqlite":
        await engine.dispose()
        files = sqlite_files(database_url)
        assert secrets_in_files(files) == {}
        assert {h for hits in secrets_in_files(files, CONTROLS).values() for h in hits} == set(
            CONTROLS
        )


def test_the_search_would_find_a_secret_written_in_plaintext(tmp_path):
    """The scan itself works: a file holding the name in another case is reported."""
    leaky = tmp_path / "leaky.db"
    leaky.write_bytes(b"\x00\x13binary" + b"KARI NORDMANN" + b"\xff\x00")
    assert secrets_in_files([leaky]) == {str(leaky): [NAME, "Nordmann"]}
