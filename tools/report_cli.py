"""`tryggest report` and `tryggest demo-data --cases`: the half-year report from the command
line, and synthetic cases to make one from."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from cards.statistics_export import report_file
from domain.access import Action, Decision, Person
from domain.clock import utcnow
from domain.statistics import StatisticsReport, parse_period
from storage.gate import AccessGate, Where
from storage.models import ReportSubmission, Team
from storage.statistics import compute_report, team_scope

# Who the access log says exported a report from the command line (no Entra id has this form).
CLI_ACTOR = "cli:tryggest-report"


class ReportError(Exception):
    """Something the operator must put right: said in plain words, exit status 2."""


async def operator_report(
    sessions: async_sessionmaker[Any],
    team: str,
    period_text: str,
    threshold: int,
    now: datetime | None = None,
) -> StatisticsReport:
    """The report for a team given by id or name, as sent if it was marked sent. The operator
    has the database itself, so no role is asked for; the export is written to the access log
    all the same."""
    period = parse_period(period_text)
    if period is None:
        raise ReportError(f"Not a period: {period_text!r} (write e.g. 2026H1).")
    async with sessions() as session:
        found = (
            (await session.execute(select(Team.id).where(or_(Team.id == team, Team.name == team))))
            .scalars()
            .all()
        )
        if not found:
            raise ReportError(f"No team with the id or name {team!r}.")
        if len(found) > 1:
            raise ReportError(f"{len(found)} teams are named {team!r}: give the team's id.")
        scope = await team_scope(session, found[0])
        assert scope is not None
        if not scope.municipalities:
            raise ReportError(f"The team {scope.name!r} serves no municipality.")
        sent = await session.get(ReportSubmission, (scope.id, period.label))
        if sent is not None:
            report = StatisticsReport.from_json(sent.report, sent.submitted_at)
        else:
            report = await compute_report(session, scope, period, threshold, now or utcnow())
    await AccessGate(sessions).record(
        Person(scope.tenant_id, CLI_ACTOR),
        Action.EXPORT_STATISTICS,
        scope.target,
        Decision(True, "command line"),
        Where(),
        {"team": scope.id, "period": period.label, "via": "tryggest report"},
    )
    return report


async def write_report(
    sessions: async_sessionmaker[Any],
    team: str,
    period_text: str,
    out: Path,
    file_format: str | None,
    lang: str,
    threshold: int,
) -> str:
    fmt = file_format or ("csv" if out.suffix.lower() == ".csv" else "xlsx")
    report = await operator_report(sessions, team, period_text, threshold)
    made = report_file(report, lang, fmt)
    out.write_bytes(made.content)
    sent = " (as marked sent)" if report.sent_at else ""
    return f"Wrote {out}: {report.team_name}, {report.period.label}{sent}, {fmt}."


def progress(total: int) -> Any:
    def show(done: int) -> None:
        print(f"\r{done}/{total} cases", end="", file=sys.stderr, flush=True)
        if done == total:
            print(file=sys.stderr)

    return show
