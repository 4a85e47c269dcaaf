"""`tryggest person export|erase`: a person's access request and erasure on one case, as an
operator runs them (a subprocess on the database a real report was made in through
/api/messages), on SQLite and PostgreSQL. Each is in the access log; nothing is erased without
--yes."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

from sqlalchemy import select

from domain.guard import message_words
from storage.crypto import FieldCipher, parse_keys
from storage.models import AccessLogEntry, Case
from storage.name_digests import NameDigests
from tests.conftest import DATA_KEY
from tests.e2e.test_case_commands import MOSS_MEMBER, report_with_municipality, setting
from tests.e2e.test_report_dialogue import NAME, last
from tests.support import Chat, find_action
from tests.tools import run_tool, tool_env


async def a_case_seen_by_a_member(bot_url: str, connector: Any, sessions: Any) -> None:
    await setting(sessions)
    await report_with_municipality(Chat(bot_url, connector, aad_object_id="reporter"), "Moss")
    member = Chat(bot_url, connector, aad_object_id=MOSS_MEMBER)
    r = await member.say("vis TE-2026-0001")
    await member.tap(find_action(last(r), command="show_personal"))


def person(database_url: str, tmp_path: Path, *args: str, stdin: str = "") -> Any:
    return run_tool(
        "person",
        *args,
        env=tool_env(database_url, TRYGGEST_DATA_KEYS=DATA_KEY),
        cwd=tmp_path,
        stdin=stdin,
    )


async def logged(sessions: Any, action: str) -> list[AccessLogEntry]:
    async with sessions() as session:
        rows = await session.execute(select(AccessLogEntry).where(AccessLogEntry.action == action))
        return list(rows.scalars())


async def test_an_access_request_gets_everything_about_the_person_in_one_file(
    bot_url, connector, sessions, database_url, tmp_path
):
    await a_case_seen_by_a_member(bot_url, connector, sessions)
    out = tmp_path / "innsyn.md"

    result = person(
        database_url,
        tmp_path,
        "export",
        "--case",
        "TE-2026-0001",
        "--by",
        "Ola IT",
        "--out",
        str(out),
    )

    assert result.returncode == 0, result.stderr
    assert NAME not in result.stdout  # what the operator sees names no one
    document = out.read_text(encoding="utf-8")
    for shown in (
        NAME,
        "Storgata 1",
        "blåmerker",
        "Tidslinje",
        "Marte Moss",
        "så personopplysningene",
    ):
        assert shown in document, shown
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    [entry] = await logged(sessions, "case.export_personal")
    assert (entry.case_number, entry.detail["by"]) == ("TE-2026-0001", "Ola IT")


async def test_erasure_on_request_removes_the_personal_data_and_is_logged_with_its_reason(
    bot_url, connector, sessions, database_url, tmp_path
):
    await a_case_seen_by_a_member(bot_url, connector, sessions)

    result = person(
        database_url,
        tmp_path,
        *("erase", "--case", "TE-2026-0001", "--by", "Ola IT", "--reason", "request", "--yes"),
    )

    assert result.returncode == 0, result.stderr
    assert "is erased" in result.stdout
    [entry] = await logged(sessions, "case.erase_personal")
    assert (entry.detail["reason"], entry.detail["erased"]) == ("request", True)
    out = tmp_path / "after.md"
    person(
        database_url,
        tmp_path,
        "export",
        "--case",
        "TE-2026-0001",
        "--by",
        "Ola IT",
        "--out",
        str(out),
    )
    document = out.read_text(encoding="utf-8")
    assert "Personopplysningene i saken er slettet." in document
    for gone in (NAME, "Storgata", "blåmerker"):
        assert gone not in document, gone
    async with sessions() as session:
        case = (await session.execute(select(Case))).scalar_one()
    assert case.personal_erased_at is not None and case.vulnerabilities  # the codes stay


async def test_nothing_is_erased_without_yes(bot_url, connector, sessions, database_url, tmp_path):
    await a_case_seen_by_a_member(bot_url, connector, sessions)

    result = person(
        database_url,
        tmp_path,
        *("erase", "--case", "TE-2026-0001", "--by", "Ola IT", "--reason", "request"),
    )

    assert result.returncode == 2 and "--yes" in result.stderr
    async with sessions() as session:
        case = (await session.execute(select(Case))).scalar_one()
    assert case.personal_erased_at is None
    assert await logged(sessions, "case.erase_personal") == []


async def test_a_number_that_is_no_case_gets_a_plain_answer(database_url, sessions, tmp_path):
    out = tmp_path / "x.md"

    result = person(
        database_url, tmp_path, "export", "--case", "TE-2026-0999", "--by", "Ola", "--out", str(out)
    )

    assert result.returncode == 2
    assert "No case TE-2026-0999" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


async def test_a_correction_on_request_changes_one_detail_and_logs_which_not_what(
    bot_url, connector, sessions, database_url, tmp_path
):
    await a_case_seen_by_a_member(bot_url, connector, sessions)
    correct = ("correct", "--case", "TE-2026-0001", "--by", "Ola IT", "--field", "residence")

    result = person(database_url, tmp_path, *correct, stdin="Sykehjemmet i Moss, rom 12\n")

    assert result.returncode == 0, result.stderr
    assert "Sykehjemmet" not in result.stdout + result.stderr
    out = tmp_path / "after.md"
    export = ("export", "--case", "TE-2026-0001", "--by", "Ola IT", "--out", str(out))
    person(database_url, tmp_path, *export)
    document = out.read_text(encoding="utf-8")
    assert "Bosted: Sykehjemmet i Moss, rom 12" in document and "Storgata" not in document
    assert "Personopplysning rettet: Bosted" in document
    [entry] = await logged(sessions, "case.correct_personal")
    assert entry.detail == {"by": "Ola IT", "field": "residence"}


async def test_a_birth_date_that_is_no_date_is_refused_without_repeating_it(
    bot_url, connector, sessions, database_url, tmp_path
):
    await a_case_seen_by_a_member(bot_url, connector, sessions)
    correct = ("correct", "--case", "TE-2026-0001", "--by", "Ola IT", "--field", "birth")

    result = person(database_url, tmp_path, *correct, stdin="Kari sin bursdag\n")

    assert result.returncode == 2
    assert "Not a birth date" in result.stderr and "Kari" not in result.stderr
    assert await logged(sessions, "case.correct_personal") == []


async def test_a_corrected_name_is_the_one_the_channel_guard_knows(
    bot_url, connector, sessions, database_url, tmp_path
):
    await a_case_seen_by_a_member(bot_url, connector, sessions)
    correct = ("correct", "--case", "TE-2026-0001", "--by", "Ola IT", "--field", "name")

    result = person(database_url, tmp_path, *correct, stdin="Berit Hansen\n")

    assert result.returncode == 0, result.stderr
    async with sessions() as session:
        case = (await session.execute(select(Case))).scalar_one()
    guard = NameDigests(sessions, FieldCipher(parse_keys(DATA_KEY)))
    named = await guard.matching_cases([case.team_id], message_words("Har noen sett Berit Hansen?"))
    old = await guard.matching_cases([case.team_id], message_words(f"Har noen sett {NAME}?"))
    assert (named, old) == ({case.id}, set())
