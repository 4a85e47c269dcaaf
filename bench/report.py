"""Benchmark for the half-year report on PostgreSQL (not a test): the time from asking to the
finished report (counting in the database, suppression, the Excel file) over 1,000,000 cases.
The target is under 2 seconds.

.venv/bin/python bench/report.py                       # a fresh database, 1,000,000 cases
.venv/bin/python bench/report.py --cases 200000        # fewer, for a quick look
.venv/bin/python bench/report.py --keep                # keep the database (tryggest_bench)
.venv/bin/python bench/report.py --reuse               # time again on the kept database
.venv/bin/python bench/report.py --explain             # also show the plans

The cases are `tryggest demo-data --cases N`'s: seven municipalities in five operational teams
over four years. Timed: every operational team's report for the last finished half year, each
a few times; the figure is the slowest team's median.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg
from sqlalchemy import func, select, text

from cards.statistics_export import workbook_bytes
from domain.statistics import last_finished_period
from storage.crypto import FieldCipher, new_key_spec, parse_keys
from storage.db import make_engine, make_sessionmaker
from storage.migrate import upgrade
from storage.models import Case, CaseEvent
from storage.statistics import compute_report, team_scope
from tools.demo import PLAYGROUND_TENANT_ID, load_demo_data
from tools.demo_cases import TEAMS, load_demo_cases

ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
# The indexes the report needs, made by migration 0007; on a database without them (an older one,
# or --without-indexes before) the benchmark makes them and says so. Without them the report
# reads every case: about 4 s on 1,000,000.
INDEXES = {
    "ix_cases_statistics": (
        "CREATE INDEX IF NOT EXISTS ix_cases_statistics ON cases (municipality_id, created_at) "
        "INCLUDE (id, assessed_at, closed_at, outcome, measures)"
    ),
    "ix_case_events_reopened": (
        "CREATE INDEX IF NOT EXISTS ix_case_events_reopened ON case_events (at, case_id) "
        "WHERE kind = 'reopened'"
    ),
}
DATABASE = "tryggest_bench"
TARGET_SECONDS = 2.0


async def fresh_database() -> None:
    conn = await asyncpg.connect(ADMIN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await conn.close()


async def drop_database() -> None:
    conn = await asyncpg.connect(ADMIN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    finally:
        await conn.close()


async def _indexes(engine: Any) -> None:
    async with engine.connect() as conn:
        present = set(
            (await conn.execute(text("SELECT indexname FROM pg_indexes"))).scalars().all()
        )
    missing = [name for name in INDEXES if name not in present]
    if not missing:
        return
    print(f"making {', '.join(missing)} (missing from this database), then VACUUM ANALYZE")
    autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
    async with autocommit.connect() as conn:
        for name in missing:
            await conn.execute(text(INDEXES[name]))
        await conn.execute(text("VACUUM ANALYZE cases"))
        await conn.execute(text("VACUUM ANALYZE case_events"))


async def run(
    cases: int, reuse: bool, keep: bool, repeat: int, explain: bool, without_indexes: bool
) -> float:
    url = ADMIN.replace("postgres://", "postgresql://").rsplit("/", 1)[0] + "/" + DATABASE
    if not reuse:
        await fresh_database()
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    now = datetime.now(UTC)
    try:
        if not reuse:
            await upgrade(engine)
            await load_demo_data(sessions, PLAYGROUND_TENANT_ID)
            cipher = FieldCipher(parse_keys(new_key_spec()))
            started = time.perf_counter()
            await load_demo_cases(
                sessions,
                PLAYGROUND_TENANT_ID,
                cipher,
                cases,
                now=now,
                batch=50_000,
                progress=_progress(cases),
            )
            print(f"loaded {cases:,} cases in {time.perf_counter() - started:.0f} s")
        if not without_indexes:
            await _indexes(engine)
        async with sessions() as session:
            total = (await session.execute(select(func.count()).select_from(Case))).scalar_one()
            events = (
                await session.execute(select(func.count()).select_from(CaseEvent))
            ).scalar_one()
        print(f"{total:,} cases, {events:,} events")
        period = last_finished_period(now)
        slowest = 0.0
        for team_id, name in TEAMS.values():
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                async with sessions() as session:
                    scope = await team_scope(session, team_id)
                    assert scope is not None
                    report = await compute_report(session, scope, period, 3, now)
                workbook_bytes(report, "nb")
                times.append(time.perf_counter() - started)
            received = report.total("received", "all").value
            median = statistics.median(times)
            slowest = max(slowest, median)
            print(
                f"{name:<32} {period.label}: {received!s:>7} received, "
                f"median {median * 1000:7.0f} ms (best {min(times) * 1000:.0f} ms)"
            )
        if explain:
            await _explain(sessions, period)
        verdict = "meets" if slowest < TARGET_SECONDS else "MISSES"
        print(
            f"slowest team: {slowest:.3f} s for a report over {total:,} cases "
            f"({verdict} the {TARGET_SECONDS:.0f} s target)"
        )
        return slowest
    finally:
        await engine.dispose()
        if not keep:
            await drop_database()


async def _explain(sessions: Any, period: Any) -> None:
    """The plans of the counting statements, for the biggest team."""
    from storage import statistics as stats

    captured: list[Any] = []
    async with sessions() as session:
        original = session.execute

        async def capture(statement: Any, *args: Any, **kwargs: Any) -> Any:
            captured.append(statement)
            return await original(statement, *args, **kwargs)

        session.execute = capture  # type: ignore[method-assign]
        scope = await team_scope(session, TEAMS["fredrikstad"][0])
        assert scope is not None
        await stats.tally(session, [m for m, _ in scope.municipalities], period)
        session.execute = original  # type: ignore[method-assign]
        for statement in captured[1:]:
            compiled = statement.compile(
                dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}
            )
            plan = await session.execute(text(f"EXPLAIN ANALYZE {compiled}"))
            print("\n".join(row[0] for row in plan.all()))


def _progress(total: int) -> Any:
    def show(done: int) -> None:
        print(f"\r{done:,}/{total:,} cases", end="", flush=True)
        if done == total:
            print()

    return show


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="time the kept database again")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    parser.add_argument(
        "--without-indexes", action="store_true", help="do not make the indexes it needs"
    )
    args = parser.parse_args()
    slowest = asyncio.run(
        run(
            args.cases,
            args.reuse,
            args.keep or args.reuse,
            args.repeat,
            args.explain,
            args.without_indexes,
        )
    )
    sys.exit(0 if slowest < TARGET_SECONDS else 1)


if __name__ == "__main__":
    main()
