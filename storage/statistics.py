"""The half-year statistics from the cases, counted in the database, and what comes with them:
the copy frozen when the report is marked sent, and the one-time download links.

Counting is GROUP BY per municipality in SQL (a handful of statements whatever the number of
cases); the list columns (violence, vulnerability, measures) are unnested in the database, with
json_each on SQLite and json_array_elements_text on PostgreSQL. domain/statistics.py adds the
totals and the suppression.

A case's state at the end of a period comes from the case itself, except for a case reopened
after that end: its closing then lives only in its events ("closed", "reopened"), which are
read for those few cases only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Float,
    Select,
    String,
    and_,
    case,
    delete,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy import (
    cast as sql_cast,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.access import (
    Action,
    Decision,
    MunicipalityTarget,
    Person,
    Principal,
    Role,
    TeamKind,
    decide,
)
from domain.calendar import ReportingPeriod
from domain.clock import utcnow
from domain.ids import new_id
from domain.refusal import Refused
from domain.statistics import (
    CLOSED_IN_PERIOD,
    DEFAULT_THRESHOLD,
    OPEN_AT_END,
    TO_ASSESSMENT,
    TO_CLOSING,
    Municipality,
    Previous,
    StatisticsReport,
    Tally,
    build_report,
    has_ended,
    may_mark_sent,
    previous_period,
)
from storage.crypto import FieldCipher
from storage.db import insert_if_absent
from storage.gate import AccessDenied, AccessGate, Where
from storage.models import Case, CaseEvent, DownloadToken, ReportSubmission, Team, TeamMunicipality
from storage.models import Municipality as MunicipalityRow
from storage.reminders import cancel_pending
from storage.sqlite_driver import off_the_loop

# How long a download link works: long enough to tap it, short enough to be worth little if
# it is copied somewhere.
LINK_LIFETIME = timedelta(minutes=10)
# How many unsent reports back a report is weighed against the one before it, each recounted;
# a report sent (frozen) or a period without cases ends the chain sooner. Teams mark their
# reports sent each half year, so it is nearly always one.
CHAIN = 4
FILE_FORMATS = ("xlsx", "csv")


def half_year_reminder_prefix(team_id: str, period: ReportingPeriod) -> str:
    """The keys of the period's reminders (storage/casework_reminders.py `half_year_key`)."""
    return f"half_year:{team_id}:{period.label}:"


# --- the team a report is for -----------------------------------------------------------------


@dataclass(frozen=True)
class TeamScope:
    id: str
    tenant_id: str
    name: str
    kind: str
    # (municipality id, the report's column), by name.
    municipalities: tuple[tuple[str, Municipality], ...]

    @property
    def municipality_ids(self) -> frozenset[str]:
        return frozenset(m for m, _ in self.municipalities)

    @property
    def target(self) -> MunicipalityTarget:
        return MunicipalityTarget(self.municipality_ids)


async def team_scope(session: AsyncSession, team_id: str) -> TeamScope | None:
    team = await session.get(Team, team_id)
    if team is None:
        return None
    rows = (
        await session.execute(
            select(MunicipalityRow.id, MunicipalityRow.name, MunicipalityRow.number)
            .join(TeamMunicipality, TeamMunicipality.municipality_id == MunicipalityRow.id)
            .where(TeamMunicipality.team_id == team_id)
            .order_by(MunicipalityRow.name, MunicipalityRow.id)
        )
    ).all()
    return TeamScope(
        team.id,
        team.tenant_id,
        team.name,
        team.kind,
        tuple((m, Municipality(name, number)) for m, name, number in rows),
    )


# --- counting ---------------------------------------------------------------------------------

_SINGLE = {
    "received": Case.consent_basis,
    "reporter": Case.reporter_service,
    "contact_channel": Case.contact_channel,
    "classification": Case.classification,
    "perpetrator": Case.perpetrator_relation,
    "gender": Case.gender,
    "age_band": Case.age_band,
}
_MULTIPLE = {"violence": Case.violence_types, "vulnerability": Case.vulnerabilities}
# The section whose rows are medians; in the other rows the median column is NULL.
MEDIAN = "durations"
_NO_MEDIAN = sql_cast(literal(None), Float)


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def _elements(dialect: str, column: Any) -> Any:
    """A JSON list column as rows of text, one per element."""
    if dialect == "postgresql":
        return func.json_array_elements_text(column).table_valued("value")
    return func.json_each(column).table_valued("value")


def _is_list(dialect: str, column: Any) -> ColumnElement[bool]:
    # A list column may hold JSON null (SQLAlchemy writes Python None so): never unnest that.
    if dialect == "postgresql":
        return func.json_typeof(column) == "array"
    return func.json_type(column) == "array"


def _days(dialect: str, later: Any, earlier: Any) -> Any:
    if dialect == "postgresql":
        return func.date_part("epoch", later - earlier) / 86400.0
    return func.julianday(later) - func.julianday(earlier)


def _grouped(section: str, source: Any, code: Any) -> Select[Any]:
    return select(
        literal(section, String).label("section"),
        source.c.m,
        sql_cast(code, String).label("code"),
        func.count().label("n"),
        _NO_MEDIAN.label("median"),
    ).group_by(source.c.m, code)


def _unnested(dialect: str, section: str, source: Any, column: Any) -> Select[Any]:
    elements = _elements(dialect, column).alias(f"{section}_element")
    return (
        _grouped(section, source, elements.c.value)
        .select_from(source)
        .join(elements, true())
        .where(_is_list(dialect, column))
    )


async def tally(
    session: AsyncSession, municipality_ids: Sequence[str], period: ReportingPeriod
) -> Tally:
    """The period's counts and medians per municipality (see domain/statistics.py for what
    counts where), in one statement: each row is (section, municipality, code, count, median
    days), the median only in the rows of "durations"."""
    result = Tally()
    if not municipality_ids:
        return result
    dialect = _dialect(session)
    start, end = period.starts, period.ends
    scope = Case.municipality_id.in_(list(municipality_ids))

    received = (
        select(
            Case.municipality_id.label("m"),
            *(column.label(key) for key, column in _SINGLE.items()),
            *(column.label(key) for key, column in _MULTIPLE.items()),
        )
        .where(scope, Case.created_at >= start, Case.created_at < end)
        .cte("received")
    )
    at_end = _state_at_end(scope, end)
    closed = (
        select(at_end.c.m, at_end.c.outcome, at_end.c.measures)
        .where(at_end.c.closed_at >= start)
        .cte("closed")
    )
    state = case((at_end.c.closed_at.is_(None), OPEN_AT_END), else_=CLOSED_IN_PERIOD)
    to_assessment = select(
        at_end.c.m, _days(dialect, at_end.c.assessed_at, at_end.c.created_at).label("days")
    ).where(at_end.c.assessed_at >= start, at_end.c.assessed_at < end)
    to_closing = select(
        at_end.c.m, _days(dialect, at_end.c.closed_at, at_end.c.created_at).label("days")
    ).where(at_end.c.closed_at >= start)
    rows = union_all(
        *(_grouped(key, received, received.c[key]) for key in _SINGLE),
        *(_unnested(dialect, key, received, received.c[key]) for key in _MULTIPLE),
        _grouped("outcome", closed, closed.c.outcome),
        _unnested(dialect, "measures", closed, closed.c.measures),
        select(literal("status", String), at_end.c.m, state, func.count(), _NO_MEDIAN)
        .where(or_(at_end.c.closed_at.is_(None), at_end.c.closed_at >= start))
        .group_by(at_end.c.m, state),
        *_medians(dialect, TO_ASSESSMENT, to_assessment.cte("to_assessment")),
        *_medians(dialect, TO_CLOSING, to_closing.cte("to_closing")),
    )
    for section, municipality, code, n, median in (await session.execute(rows)).all():
        if section == MEDIAN:
            result.medians[(code, municipality)] = (
                float(median) if median is not None else None,
                int(n or 0),  # no cases at all: one row of NULLs for the total
            )
        else:
            result.counts[(section, code, municipality)] = int(n)
    return result


def _state_at_end(scope: ColumnElement[bool], end: datetime) -> Any:
    """Every case reported before `end`: when it was closed if it was closed at `end`, and,
    for a case whose closing then shows only in its events, that closing's outcome.

    A case closed now with closed_at before `end` has been closed since then (reopening clears
    closed_at). Only a case reopened at or after `end` can have been closed at `end` without
    showing it now: for those, the last "closed" and "reopened" events before `end` decide.
    The columns read from the case are few, so that an index on (municipality_id, created_at)
    that includes them answers this without reading the cases themselves (see bench/report.py).
    """
    event = CaseEvent
    reopened_later = select(event.case_id).where(event.kind == "reopened", event.at >= end)
    late = (
        select(
            event.case_id,
            func.max(case((and_(event.kind == "closed", event.at < end), event.at))).label(
                "closed_at"
            ),
            func.max(case((and_(event.kind == "reopened", event.at < end), event.at))).label(
                "reopened_at"
            ),
        )
        .where(event.kind.in_(("closed", "reopened")), event.case_id.in_(reopened_later))
        .group_by(event.case_id)
        .cte("late")
    )
    closing = event.__table__.alias("closing")
    was_closed = and_(
        late.c.closed_at.is_not(None),
        or_(late.c.reopened_at.is_(None), late.c.closed_at > late.c.reopened_at),
    )
    closed_before_end = and_(Case.closed_at.is_not(None), Case.closed_at < end)
    # Nearly every case: as it is now. (NOT IN a hashed list of the few reopened later.)
    as_now = select(
        Case.id,
        Case.municipality_id.label("m"),
        Case.created_at,
        Case.assessed_at,
        case((closed_before_end, Case.closed_at)).label("closed_at"),
        case((closed_before_end, Case.outcome)).label("outcome"),
        Case.measures,
    ).where(scope, Case.created_at < end, Case.id.not_in(reopened_later))
    # The few reopened since `end`: as their events say they stood then.
    as_then = (
        select(
            Case.id,
            Case.municipality_id.label("m"),
            Case.created_at,
            Case.assessed_at,
            case((was_closed, late.c.closed_at)).label("closed_at"),
            case((was_closed, closing.c.data["outcome"].as_string())).label("outcome"),
            Case.measures,
        )
        .select_from(late)
        .join(Case, Case.id == late.c.case_id)
        .outerjoin(
            closing,
            and_(
                closing.c.case_id == late.c.case_id,
                closing.c.kind == "closed",
                closing.c.at == late.c.closed_at,
            ),
        )
        .where(scope, Case.created_at < end)
    )
    return union_all(as_now, as_then).cte("at_end")


def _medians(dialect: str, row: str, days: Any) -> list[Select[Any]]:
    """The median of `days` per municipality and over all, with how many cases it is of, as
    rows (durations, municipality or NULL, row, count, median). PostgreSQL has
    percentile_cont; SQLite has not, so there window functions find the middle row, or the two
    middle rows to average."""
    selects = []
    for per_municipality in (True, False):
        if dialect == "postgresql":
            median = func.percentile_cont(0.5).within_group(days.c.days)
            query = select(
                literal(MEDIAN, String),
                days.c.m if per_municipality else literal(None, String),
                literal(row, String),
                func.count(),
                sql_cast(median, Float),
            )
            selects.append(query.group_by(days.c.m) if per_municipality else query)
            continue
        partition = [days.c.m] if per_municipality else []
        ranked = select(
            days.c.m,
            days.c.days,
            func.row_number().over(partition_by=partition, order_by=days.c.days).label("rn"),
            func.count().over(partition_by=partition).label("n"),
        ).subquery()
        middle = ranked.c.rn.in_([(ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2])
        query = select(
            literal(MEDIAN, String),
            ranked.c.m if per_municipality else literal(None, String),
            literal(row, String),
            func.max(ranked.c.n),
            sql_cast(func.avg(ranked.c.days), Float),
        ).where(middle)
        selects.append(query.group_by(ranked.c.m) if per_municipality else query)
    return selects


async def compute_report(
    session: AsyncSession,
    scope: TeamScope,
    period: ReportingPeriod,
    threshold: int,
    now: datetime,
) -> StatisticsReport:
    counted = await tally(session, [m for m, _ in scope.municipalities], period)
    return await _weighed(session, scope, period, counted, threshold, now, CHAIN)


async def _weighed(
    session: AsyncSession,
    scope: TeamScope,
    period: ReportingPeriod,
    counted: Tally,
    threshold: int,
    now: datetime,
    depth: int,
) -> StatisticsReport:
    """The report weighed against the previous period's as a reader has it: the copy sent, or
    else that report as it is shown now (weighed in turn against the one before it, `depth`
    periods back at most). A period without cases hides nothing and needs no weighing."""
    previous = None
    if depth > 0 and counted.counts:
        before = previous_period(period)
        earlier = await tally(session, [m for m, _ in scope.municipalities], before)
        sent = await session.get(ReportSubmission, (scope.id, before.label))
        if sent is not None:
            report = StatisticsReport.from_json(sent.report, sent.submitted_at)
        else:
            report = await _weighed(session, scope, before, earlier, threshold, now, depth - 1)
        previous = Previous(report, earlier)
    return build_report(scope.name, period, scope.municipalities, counted, threshold, now, previous)


# --- the repository: reports through the gate, submissions, links ----------------------------


class LinkRefused(Refused):
    """A download link that does not work: `reason` is unknown, altered, used or expired."""


class PeriodNotOver(Exception):
    pass


@dataclass(frozen=True)
class LinkGrant:
    person: Person
    team_id: str
    period: ReportingPeriod
    file_format: str


@dataclass(frozen=True)
class Submitted:
    report: StatisticsReport
    newly: bool  # False: it had been marked sent already (by this person or another)


class Statistics:
    def __init__(
        self,
        sessions: async_sessionmaker[Any],
        gate: AccessGate,
        cipher: FieldCipher,
        now: Callable[[], datetime] = utcnow,
        threshold: int = DEFAULT_THRESHOLD,
    ) -> None:
        self._sessions = sessions
        self._gate = gate
        self._link_keys = cipher.derived_keys("statistics-download-link")
        self._now = now
        self.threshold = threshold

    async def teams_for(self, principal: Principal) -> list[TeamScope]:
        """The teams whose statistics the person may see: a coordinator's operational team, a
        leader's leadership team."""
        wanted = []
        for grant in principal.grants:
            if grant.team_id is None or grant.role not in (Role.COORDINATOR, Role.LEADER):
                continue
            if decide(
                principal, Action.VIEW_STATISTICS, MunicipalityTarget(grant.municipality_ids)
            ):
                wanted.append(grant.team_id)
        scopes = []
        async with self._sessions() as session:
            for team_id in dict.fromkeys(wanted):
                scope = await team_scope(session, team_id)
                if scope is not None and scope.municipalities:
                    scopes.append(scope)
        return sorted(scopes, key=lambda s: (s.kind != TeamKind.OPERATIONAL, s.name))

    async def scope(self, team_id: str) -> TeamScope | None:
        async with self._sessions() as session:
            return await team_scope(session, team_id)

    async def report(
        self,
        principal: Principal,
        team_id: str,
        period: ReportingPeriod,
        where: Where,
        export: bool = False,
    ) -> StatisticsReport:
        """The team's report for the period, as it was sent when it has been marked sent.
        AccessDenied unless the person may see the team's municipalities' aggregates."""
        async with self._sessions() as session:
            scope = await team_scope(session, team_id)
            await self._require(principal, scope, period, where, export)
            assert scope is not None
            sent = await session.get(ReportSubmission, (team_id, period.label))
            if sent is not None:
                return StatisticsReport.from_json(sent.report, sent.submitted_at)
            # Aggregates over every case of the period: on SQLite in the connection's thread,
            # so that people's turns go on meanwhile (storage/sqlite_driver.py).
            with off_the_loop():
                return await compute_report(session, scope, period, self.threshold, self._now())

    async def mark_sent(
        self, principal: Principal, team_id: str, period: ReportingPeriod, where: Where
    ) -> Submitted:
        """Freeze the report as it is now and stop the period's reminders, in one transaction.
        Marking it again changes nothing and returns the copy first frozen."""
        now = self._now()
        async with self._sessions() as session:
            scope = await team_scope(session, team_id)
        await self._require(principal, scope, period, where, True, {"mark_sent": True})
        assert scope is not None
        decision = may_mark_sent(principal, team_id, scope.kind)
        if not decision:
            await self._gate.record(
                principal.person, "statistics.mark_sent", scope.target, decision, where
            )
            raise AccessDenied(decision)
        if not has_ended(period, now):
            raise PeriodNotOver(period.label)
        async with self._sessions() as session, session.begin():
            sent = await session.get(ReportSubmission, (team_id, period.label))
            if sent is None:
                report = await compute_report(session, scope, period, self.threshold, now)
                inserted = await insert_if_absent(
                    session,
                    ReportSubmission,
                    {
                        "team_id": team_id,
                        "period": period.label,
                        "tenant_id": scope.tenant_id,
                        "submitted_by_tenant_id": principal.person.tenant_id,
                        "submitted_by_aad_object_id": principal.person.aad_object_id,
                        "report": report.to_json(),
                        "submitted_at": now,
                    },
                )
                if inserted:
                    await cancel_pending(
                        session, key_prefix=half_year_reminder_prefix(team_id, period)
                    )
                    return Submitted(report.with_sent_at(now), True)
                sent = await session.get(ReportSubmission, (team_id, period.label))
                assert sent is not None
            return Submitted(StatisticsReport.from_json(sent.report, sent.submitted_at), False)

    async def _require(
        self,
        principal: Principal,
        scope: TeamScope | None,
        period: ReportingPeriod,
        where: Where,
        export: bool,
        detail: dict[str, Any] | None = None,
    ) -> None:
        action = Action.EXPORT_STATISTICS if export else Action.VIEW_STATISTICS
        # An unknown team is refused like a team of others: nobody learns which teams exist.
        target = scope.target if scope is not None else MunicipalityTarget(frozenset())
        await self._gate.require(
            principal,
            action,
            target,
            where,
            {"team": scope.id if scope else None, "period": period.label, **(detail or {})},
        )

    # --- download links ---------------------------------------------------------------------

    async def issue_link(
        self, principal: Principal, team_id: str, period: ReportingPeriod, file_format: str
    ) -> str:
        """A token for one download of the team's report by this person, valid for minutes.
        The caller has just shown the report (and the gate logged it); the download itself is
        logged again when the link is used."""
        if file_format not in FILE_FORMATS:
            raise ValueError(file_format)
        async with self._sessions() as session:
            scope = await team_scope(session, team_id)
        if scope is None or not decide(principal, Action.EXPORT_STATISTICS, scope.target):
            raise AccessDenied(Decision(False, "no access to the team's statistics"))
        now = self._now()
        row = DownloadToken(
            id=new_id(),
            tenant_id=principal.person.tenant_id,
            aad_object_id=principal.person.aad_object_id,
            team_id=team_id,
            period=period.label,
            file_format=file_format,
            expires_at=now + LINK_LIFETIME,
            created_at=now,
        )
        async with self._sessions() as session, session.begin():
            # Links long dead are of no use to anyone, not even for audit (downloads are logged).
            await session.execute(
                delete(DownloadToken).where(DownloadToken.expires_at < now - timedelta(days=1))
            )
            session.add(row)
        return f"{row.id}.{self._signature(self._link_keys[0], row)}"

    async def redeem_link(self, token: str) -> LinkGrant:
        """The link's grant, used up; LinkRefused when it is unknown, altered, used or expired.
        The caller still checks the person's access as it is now."""
        token_id, _, signature = token.partition(".")
        if len(token_id) != 32 or not signature:
            raise LinkRefused("unknown")
        now = self._now()
        async with self._sessions() as session, session.begin():
            row = await session.get(DownloadToken, token_id)
            if row is None:
                raise LinkRefused("unknown")
            if not any(
                hmac.compare_digest(signature, self._signature(key, row)) for key in self._link_keys
            ):
                raise LinkRefused("altered")
            if row.used_at is not None:
                raise LinkRefused("used")
            if row.expires_at <= now:
                raise LinkRefused("expired")
            # Two fetches at once: only one of them finds it unused.
            taken = await session.execute(
                update(DownloadToken)
                .where(DownloadToken.id == token_id, DownloadToken.used_at.is_(None))
                .values(used_at=now)
            )
            if cast(CursorResult[Any], taken).rowcount != 1:
                raise LinkRefused("used")
            return LinkGrant(
                Person(row.tenant_id, row.aad_object_id),
                row.team_id,
                ReportingPeriod.parse(row.period),
                row.file_format,
            )

    @staticmethod
    def _signature(key: bytes, row: DownloadToken) -> str:
        """HMAC over everything the link grants: who, which report, which file, until when."""
        message = "\n".join(
            [
                "v1",
                row.id,
                row.tenant_id,
                row.aad_object_id,
                row.team_id,
                row.period,
                row.file_format,
                str(int(row.expires_at.timestamp())),
            ]
        ).encode()
        digest = hmac.new(key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")
