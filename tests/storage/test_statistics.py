"""The counting in the database, on SQLite and PostgreSQL: every number of the hand-made set's
2026H1 report (tests/storage/statistics_cases.py says why each is what it is), the period's
edges at midnight Oslo time, and a case closed in one period and reopened in the next."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import delete, select

from domain.access import Person
from domain.calendar import ReportingPeriod
from domain.statistics import HIDDEN, SMALL, TOTAL
from storage.crypto import FieldCipher, parse_keys
from storage.gate import AccessDenied, AccessGate, Where
from storage.models import AccessLogEntry, TeamMunicipality
from storage.statistics import LinkRefused, Statistics, tally
from tests.conftest import DATA_KEY, sqlite_only
from tests.domain.statistics_history import truth_of
from tests.domain.statistics_reader import Reader, hidden_cells
from tests.storage.sqlite_support import statements_by_thread
from tests.storage.statistics_cases import (
    EXPECTED_H1,
    EXPECTED_MEDIANS_H1,
    Spec,
    add_cases,
    oslo,
    utc,
)
from tests.support import TENANT

H1 = ReportingPeriod(2026, 1)
H2 = ReportingPeriod(2026, 2)
H2_2025 = ReportingPeriod(2025, 2)
NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


def by_row(counted: Any, moss: str, rade: str, section: str) -> dict[str, tuple[int, int, int]]:
    rows: dict[str, tuple[int, int, int]] = {}
    for (s, code, municipality), n in counted.counts.items():
        if s != section:
            continue
        key = "none" if code is None else code
        m, r, _ = rows.get(key, (0, 0, 0))
        m, r = (m + n, r) if municipality == moss else (m, r + n)
        rows[key] = (m, r, m + r)
    if section == "received":
        m = sum(v[0] for v in rows.values())
        r = sum(v[1] for v in rows.values())
        rows["all"] = (m, r, m + r)
    return rows


async def test_every_number_of_the_half_year_is_counted_in_the_database(sessions):
    world = await add_cases(sessions)

    async with sessions() as session:
        counted = await tally(session, [world.moss, world.rade], H1)

    for section, expected in EXPECTED_H1.items():
        assert by_row(counted, world.moss, world.rade, section) == expected, section
    counted_sections = {s for s, _, _ in counted.counts}
    assert counted_sections == set(EXPECTED_H1)


async def test_the_medians_are_computed_in_the_database(sessions):
    world = await add_cases(sessions)

    async with sessions() as session:
        counted = await tally(session, [world.moss, world.rade], H1)

    for row, expected in EXPECTED_MEDIANS_H1.items():
        got = tuple(counted.medians[(row, m)] for m in (world.moss, world.rade, None))
        rounded = tuple((round(median, 1), n) for median, n in got)
        assert rounded == expected, row


async def test_the_report_has_the_total_and_a_column_per_municipality(sessions):
    world = await add_cases(sessions)
    gate = AccessGate(sessions)
    statistics = Statistics(sessions, gate, cipher(), lambda: NOW, threshold=1)
    coordinator = await gate.principal(Person(TENANT, "coord-1"))

    report = await statistics.report(coordinator, world.team, H1, Where())

    assert [m.name for m in report.municipalities] == ["Moss", "Råde"]
    for section, expected in EXPECTED_H1.items():
        rows = {r.key: tuple(c.value for c in r.cells) for r in report.section(section).rows}
        for code, numbers in expected.items():
            assert rows[code] == numbers, (section, code)
        others = {k: v for k, v in rows.items() if k not in expected}
        assert all(v == (0, 0, 0) for v in others.values()), (section, others)
    medians = {r.key: tuple(c.value for c in r.cells) for r in report.section("durations").rows}
    assert medians == {"to_assessment": (3.0, 3.0, 3.0), "to_closing": (112.0, 180.9, 151.0)}


# SQLite only: PostgreSQL works in a server process of its own anyway.
@sqlite_only
async def test_on_sqlite_the_counting_runs_in_the_connections_thread_not_the_event_loops(
    sessions, engine
):
    world = await add_cases(sessions)
    gate = AccessGate(sessions)
    statistics = Statistics(sessions, gate, cipher(), lambda: NOW, threshold=1)
    coordinator = await gate.principal(Person(TENANT, "coord-1"))
    await engine.dispose()  # so that the report's connection is a new one, traced

    with statements_by_thread(engine) as seen:
        report = await statistics.report(coordinator, world.team, H1, Where())

    assert report.section("received").rows
    counting = [thread for thread, sql in seen if "percentile" in sql or "median" in sql]
    assert counting, "the counting statement was not seen"
    # People's turns go on meanwhile: the event loop does not wait for the counting.
    assert threading.get_ident() not in counting


async def test_a_team_of_one_municipality_gets_the_total_column_only(sessions):
    world = await add_cases(sessions)
    async with sessions() as session, session.begin():
        await session.execute(
            delete(TeamMunicipality).where(TeamMunicipality.municipality_id == world.rade)
        )
    gate = AccessGate(sessions)
    statistics = Statistics(sessions, gate, cipher(), lambda: NOW, threshold=1)

    report = await statistics.report(
        await gate.principal(Person(TENANT, "coord-1")), world.team, H1, Where()
    )

    assert [m.name for m in report.municipalities] == ["Moss"]
    rows = {r.key: tuple(c.value for c in r.cells) for r in report.section("received").rows}
    assert rows["all"] == (4,)


@pytest.mark.parametrize(
    ("created", "period"),
    [
        (oslo(2026, 6, 30, 23, 59), H1),
        (oslo(2026, 7, 1, 0, 0), H2),
        (oslo(2026, 1, 1, 0, 0), H1),
        (oslo(2025, 12, 31, 23, 59), ReportingPeriod(2025, 2)),
        # Summer time: 00.30 on 1 July in Oslo is 22.30 UTC on 30 June.
        (utc(2026, 6, 30, 22, 30), H2),
        (utc(2026, 6, 30, 21, 59), H1),
    ],
)
async def test_a_case_counts_in_the_half_year_of_its_day_in_oslo(sessions, created, period):
    world = await add_cases(sessions, [Spec("X", "moss", created)])

    async with sessions() as session:
        counted = {
            p: await tally(session, [world.moss], p) for p in (ReportingPeriod(2025, 2), H1, H2)
        }

    for p, found in counted.items():
        received = found.counts.get(("received", "consent", world.moss), 0)
        assert received == (1 if p == period else 0), (p, created)


async def test_a_case_closed_and_reopened_counts_as_it_stood_at_each_periods_end(sessions):
    world = await add_cases(sessions)

    async with sessions() as session:
        h1 = await tally(session, [world.moss, world.rade], H1)
        h2 = await tally(session, [world.moss, world.rade], H2)

    # M6 (closed in H1, reopened in H2) and M9 (closed in H1, reopened and closed again in H2).
    assert by_row(h1, world.moss, world.rade, "outcome")["declined"] == (1, 0, 1)
    assert by_row(h1, world.moss, world.rade, "outcome")["stopped"] == (2, 0, 2)  # M1, M9
    # In H2: closed M9 ("other") and R3; open at the end: M2 M3 M4 M6 M7 M8 | R2.
    assert by_row(h2, world.moss, world.rade, "status") == {
        "closed_in_period": (1, 1, 2),
        "open_at_end": (6, 1, 7),
    }
    assert by_row(h2, world.moss, world.rade, "outcome") == {
        "other": (1, 0, 1),
        "stopped": (0, 1, 1),
    }
    assert by_row(h2, world.moss, world.rade, "received")["all"] == (1, 0, 1)  # M4


async def test_a_list_column_holding_json_null_is_not_unnested(sessions):
    world = await add_cases(
        sessions, [Spec("X", "moss", utc(2026, 2, 1), closed=utc(2026, 3, 1), outcome="other")]
    )
    async with sessions() as session:
        counted = await tally(session, [world.moss], H1)
    assert counted.counts[("status", "closed_in_period", world.moss)] == 1
    assert not [k for k in counted.counts if k[0] == "measures"]


async def test_a_period_without_cases_has_zeros_and_no_medians(sessions):
    world = await add_cases(sessions)
    async with sessions() as session:
        counted = await tally(session, [world.moss, world.rade], ReportingPeriod(2024, 1))
    assert counted.counts == {}
    assert counted.medians[("to_closing", None)] == (None, 0)


async def test_suppression_in_the_report_hides_small_numbers_and_what_reveals_them(sessions):
    world = await add_cases(sessions)
    gate = AccessGate(sessions)
    statistics = Statistics(sessions, gate, cipher(), lambda: NOW, threshold=3)
    report = await statistics.report(
        await gate.principal(Person(TENANT, "coord-1")), world.team, H1, Where()
    )

    received = {
        r.key: tuple(c.mark or c.value for c in r.cells) for r in report.section("received").rows
    }
    # Råde's 2 reports, one with consent and one under the duty to avert, are "<3" each; a
    # "<3" made of two of them could only be 2, so it reads "x". Moss's 4 and the total 6
    # would give it away: hidden too.
    assert received["all"] == (HIDDEN, HIDDEN, HIDDEN)
    assert received["duty_to_avert"] == (0, SMALL, SMALL)
    for section in report.sections:
        for row in section.rows:
            for cell in row.cells:
                assert cell.mark or not (0 < (cell.value or 0) < 3) or section.key == "durations"
    assert TOTAL not in str(report.to_json())


async def test_a_member_gets_no_statistics_and_the_refusal_is_logged(sessions):
    world = await add_cases(sessions)
    gate = AccessGate(sessions)
    from tests.storage.case_support import add_member

    member = await add_member(sessions, world.team, "member-1", "member")
    statistics = Statistics(sessions, gate, cipher(), lambda: NOW)

    with pytest.raises(AccessDenied):
        await statistics.report(await gate.principal(member), world.team, H1, Where())
    assert await statistics.teams_for(await gate.principal(member)) == []
    async with sessions() as session:
        logged = (
            await session.execute(
                select(
                    AccessLogEntry.actor_tenant_id, AccessLogEntry.action, AccessLogEntry.allowed
                ).where(AccessLogEntry.actor_aad_object_id == "member-1")
            )
        ).all()
    assert logged == [(TENANT, "statistics.view", False)]


async def test_a_link_works_once(sessions):
    world = await add_cases(sessions)
    gate = AccessGate(sessions)
    statistics = Statistics(sessions, gate, cipher(), lambda: NOW)
    coordinator = await gate.principal(Person(TENANT, "coord-1"))
    token = await statistics.issue_link(coordinator, world.team, H1, "csv")

    grant = await statistics.redeem_link(token)

    assert (grant.person, grant.team_id, grant.period, grant.file_format) == (
        Person(TENANT, "coord-1"),
        world.team,
        H1,
        "csv",
    )
    with pytest.raises(LinkRefused, match="used"):
        await statistics.redeem_link(token)


def cipher() -> FieldCipher:
    return FieldCipher(parse_keys(DATA_KEY))


async def truth(sessions: Any, world: Any, period: ReportingPeriod) -> dict[Any, int]:
    keys = [world.moss, world.rade]
    async with sessions() as session:
        return truth_of((await tally(session, keys, period)).counts, keys)


def read_both(
    before: Any, report: Any, truth_before: dict[Any, int], truth_now: dict[Any, int]
) -> list[Any]:
    """What a reader holding both reports works out (tests/domain/statistics_reader.py)."""
    reader = Reader()
    reader.read(1, before, truth_before)
    reader.read(0, report, truth_now, carried_from=1)
    hidden = [*hidden_cells(1, before), *hidden_cells(0, report)]
    assert hidden
    return reader.given_away(hidden)


async def test_no_count_can_be_worked_out_with_the_previous_periods_report_beside_it(sessions):
    world = await add_cases(sessions)
    gate = AccessGate(sessions)
    statistics = Statistics(sessions, gate, cipher(), lambda: NOW, threshold=3)
    coordinator = await gate.principal(Person(TENANT, "coord-1"))

    before = await statistics.report(coordinator, world.team, H2_2025, Where())
    report = await statistics.report(coordinator, world.team, H1, Where())

    truths = [await truth(sessions, world, p) for p in (H2_2025, H1)]
    assert read_both(before, report, *truths) == []


async def test_the_previous_report_weighed_is_the_copy_that_was_sent(sessions):
    # Moss: 3 reports in 2025H2, all open at its end; 1 more in 2026H1, none closed: 4 open.
    cases = [Spec(f"M{n}", "moss", utc(2025, 8 + n, 1, 10)) for n in range(3)]
    world = await add_cases(sessions, [*cases, Spec("M3", "moss", utc(2026, 2, 1, 10))])
    gate = AccessGate(sessions)
    coordinator = await gate.principal(Person(TENANT, "coord-1"))
    sent = (
        await Statistics(sessions, gate, cipher(), lambda: NOW, threshold=3).mark_sent(
            coordinator, world.team, H2_2025, Where()
        )
    ).report
    assert sent.total("status", "open_at_end").value == 3
    # The threshold raised to 4 since: a 2025H2 report made now would hide its 3 open, the
    # copy readers have shows it; and 4 open - 3 carried over - 0 closed = 1 received.
    statistics = Statistics(sessions, gate, cipher(), lambda: NOW, threshold=4)

    report = await statistics.report(coordinator, world.team, H1, Where())

    assert await statistics.report(coordinator, world.team, H2_2025, Where()) == sent
    truths = [await truth(sessions, world, p) for p in (H2_2025, H1)]
    assert read_both(sent, report, *truths) == []
