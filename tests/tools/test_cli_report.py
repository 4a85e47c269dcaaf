"""`tryggest demo-data --cases N` and `tryggest report` as an administrator runs them, and the
synthetic cases' report checked against a count made without the database's help."""

from __future__ import annotations

import csv
import io
import sqlite3
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import func, select

from domain.access import Person
from domain.calendar import ReportingPeriod
from storage.crypto import FieldCipher, parse_keys
from storage.gate import AccessGate, Where
from storage.models import Case, CaseEvent, CaseNumberCounter, Membership
from storage.statistics import Statistics
from tests.conftest import DATA_KEY
from tests.tools.test_cli import cli_env, run_cli  # noqa: F401  (cli_env is a fixture)
from tools.demo import PLAYGROUND_TENANT_ID, load_demo_data
from tools.demo_cases import AREA, TEAMS, load_demo_cases

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
H1 = ReportingPeriod(2026, 1)


def test_report_writes_the_excel_file_and_the_csv(cli_env, tmp_path):  # noqa: F811
    assert run_cli("db", "upgrade", env=cli_env, cwd=tmp_path).returncode == 0
    made = run_cli("demo-data", "--cases", "3000", env=cli_env, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "3000 synthetic cases added" in made.stdout

    excel = run_cli(
        "report",
        "--team",
        "TryggEst Moss, Råde og Våler",
        "--period",
        "2026H1",
        "--out",
        "report.xlsx",
        env=cli_env,
        cwd=tmp_path,
    )
    text = run_cli(
        "report",
        "--team",
        TEAMS["demo"][0],
        "--period",
        "2026H1",
        "--out",
        "report.csv",
        env=cli_env,
        cwd=tmp_path,
    )

    assert excel.returncode == 0, excel.stderr
    assert text.returncode == 0, text.stderr
    rows = list(load_workbook(tmp_path / "report.xlsx").worksheets[0].iter_rows(values_only=True))
    assert ("Meldinger mottatt i perioden", "Moss", "Råde", "Våler", "I alt") in rows
    lines = list(csv.reader(io.StringIO((tmp_path / "report.csv").read_text("utf-8-sig"))))
    assert lines[0] == ["Del", "Kategori", "I alt"]
    with sqlite3.connect(tmp_path / "cli.db") as db:
        logged = db.execute(
            "SELECT action, actor_aad_object_id FROM access_log WHERE action LIKE 'statistics%'"
        ).fetchall()
    assert logged == [("statistics.export", "cli:tryggest-report")] * 2


def test_report_says_plainly_what_is_wrong(cli_env, tmp_path):  # noqa: F811
    run_cli("db", "upgrade", env=cli_env, cwd=tmp_path)
    run_cli("demo-data", env=cli_env, cwd=tmp_path)

    no_team = run_cli(
        "report",
        "--team",
        "Narnia",
        "--period",
        "2026H1",
        "--out",
        "x.xlsx",
        env=cli_env,
        cwd=tmp_path,
    )
    no_period = run_cli(
        "report",
        "--team",
        TEAMS["demo"][0],
        "--period",
        "i fjor",
        "--out",
        "x.xlsx",
        env=cli_env,
        cwd=tmp_path,
    )

    assert no_team.returncode == 2 and "No team" in no_team.stderr
    assert no_period.returncode == 2 and "Not a period" in no_period.stderr
    assert not (tmp_path / "x.xlsx").exists()


async def test_demo_cases_are_inserted_in_bulk_and_numbered_on(sessions):
    cipher = FieldCipher(parse_keys(DATA_KEY))
    await load_demo_data(sessions, PLAYGROUND_TENANT_ID)

    added = await load_demo_cases(sessions, PLAYGROUND_TENANT_ID, cipher, 1500, now=NOW, batch=400)
    await load_demo_cases(sessions, PLAYGROUND_TENANT_ID, cipher, 100, seed=7, now=NOW)

    async with sessions() as session:
        count = (await session.execute(select(func.count()).select_from(Case))).scalar_one()
        numbers = (await session.execute(select(Case.municipality_id, Case.number))).all()
        kinds = Counter((await session.execute(select(CaseEvent.kind))).scalars())
        counters = await session.execute(select(func.count()).select_from(CaseNumberCounter))
        leader = (
            (
                await session.execute(
                    select(Membership.role).where(Membership.aad_object_id.like("%000000000005"))
                )
            )
            .scalars()
            .all()
        )
    assert added == 1500 and count == 1600
    assert len(set(numbers)) == 1600  # no number twice in a municipality
    assert {m for m, _ in numbers} == {m for m, *_ in AREA}
    assert kinds["reported"] == 1600 and kinds["closed"] > 500 and kinds["reopened"] > 0
    assert counters.scalar_one() > 0
    assert leader == ["leader"]


async def test_the_report_on_synthetic_cases_matches_an_independent_count(sessions):
    """The database's GROUP BY against a plain count of the rows in Python."""
    cipher = FieldCipher(parse_keys(DATA_KEY))
    await load_demo_data(sessions, PLAYGROUND_TENANT_ID)
    await load_demo_cases(sessions, PLAYGROUND_TENANT_ID, cipher, 4000, now=NOW)
    gate = AccessGate(sessions)
    team_id = TEAMS["mrv"][0]
    async with sessions() as session, session.begin():
        session.add(
            Membership(
                team_id=team_id,
                tenant_id=PLAYGROUND_TENANT_ID,
                aad_object_id="counter",
                role="coordinator",
            )
        )
    statistics = Statistics(sessions, gate, cipher, lambda: NOW, threshold=1)
    principal = await gate.principal(Person(PLAYGROUND_TENANT_ID, "counter"))

    report = await statistics.report(principal, team_id, H1, Where())

    ids = [m for m, *_, team in AREA if team == "mrv"]
    async with sessions() as session:
        cases = (await session.execute(select(Case).where(Case.municipality_id.in_(ids)))).scalars()
        rows = list(cases)
    received = [c for c in rows if H1.starts <= c.created_at < H1.ends]
    expected = independent_counts(received, ids)
    for section, counted in expected.items():
        got = {r.key: tuple(c.value for c in r.cells) for r in report.section(section).rows}
        for code, numbers in counted.items():
            assert got[code] == numbers, (section, code)
    assert sum(expected["received"]["all"]) > 0


def independent_counts(cases: list[Any], ids: list[str]) -> dict[str, dict[str, tuple[int, ...]]]:
    names = sorted(ids, key=lambda m: next(n for i, n, *_ in AREA if i == m))
    per: dict[str, dict[str, Counter[str]]] = {}

    def add(section: str, code: str, municipality: str) -> None:
        per.setdefault(section, {}).setdefault(code, Counter())[municipality] += 1

    for case in cases:
        m = case.municipality_id
        add("received", "all", m)
        add("received", case.consent_basis, m)
        add("gender", case.gender, m)
        add("classification", case.classification or "none", m)
        for code in case.violence_types:
            add("violence", code, m)
    return {
        section: {
            code: (*(counted[m] for m in names), sum(counted.values()))
            for code, counted in codes.items()
        }
        for section, codes in per.items()
    }
