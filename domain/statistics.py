"""The half-year statistics to Bufdir, as plain Python: what the report holds, and the rules
that keep anyone from being recognised in it.

Storage counts in the database (GROUP BY per municipality) and hands over a `Tally`; this module
adds the totals, hides small counts and what would reveal them, and gives a `StatisticsReport`
that the card, the Excel file and the CSV are drawn from, and that is frozen as it was sent.

What counts where (definitions ours, written so that a period's numbers stop moving once the
period is over, except for the state of each received case):
- received: cases reported in the period (its start inclusive, its end exclusive, Oslo time).
  Who reported, category, violence, vulnerability, perpetrator, gender and age count these.
  Anonymous consultations are among them and also have their own row.
- closed in the period: cases closed during the period and still closed at its end; their
  outcome and the services in their measures.
- open at the period's end: cases reported before the end and not closed at that moment
  (a case closed and reopened counts as it stood at the end).
- median days: from report to assessment for the assessments made in the period, and from
  report to closing for the cases closed in the period.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.access import Decision, Principal, Role, TeamKind
from domain.calendar import ReportingPeriod
from domain.casework import CLASSIFICATION, MEASURE_SERVICE, OUTCOME
from domain.codes import (
    AGE_BAND,
    CONSENT_BASIS,
    GENDER,
    PERPETRATOR_RELATION,
    REPORTER_SERVICE,
    VIOLENCE_TYPE,
    VULNERABILITY,
    CodeList,
)

DEFAULT_THRESHOLD = 3
FORMAT_VERSION = 1

# How a hidden or empty cell reads.
SMALL = "small"  # below the threshold: "<3"
HIDDEN = "hidden"  # would let a small count be worked out from a total: "x"
TOO_FEW = "too_few"  # a median of fewer cases than the threshold, or of none: "–"

# Row keys that are not codes of a code list.
ALL = "all"
NONE = "none"  # no code yet (a case not yet classified)
UNKNOWN = "unlisted"  # a code no longer in the code list
CLOSED_IN_PERIOD = "closed_in_period"
OPEN_AT_END = "open_at_end"
TO_ASSESSMENT = "to_assessment"
TO_CLOSING = "to_closing"


@dataclass(frozen=True)
class SectionSpec:
    """One block of the report. `codes` gives the rows; `partition_of` names the row its rows
    add up to (each case in exactly one row), None when a case can be in several rows."""

    key: str
    codes: CodeList | None
    rows: tuple[str, ...]
    partition_of: tuple[str, str] | None = None
    median: bool = False
    # Rows shown only when they count something (NONE, UNKNOWN); `rows` are always shown.
    optional_rows: tuple[str, ...] = ()


def _codes(codes: CodeList) -> tuple[str, ...]:
    return tuple(c.code for c in codes.codes)


RECEIVED = ("received", ALL)
CLOSED = ("status", CLOSED_IN_PERIOD)

SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(
        "received", CONSENT_BASIS, (ALL, *_codes(CONSENT_BASIS)), RECEIVED, optional_rows=(UNKNOWN,)
    ),
    SectionSpec(
        "reporter", REPORTER_SERVICE, _codes(REPORTER_SERVICE), RECEIVED, optional_rows=(UNKNOWN,)
    ),
    SectionSpec(
        "classification",
        CLASSIFICATION,
        _codes(CLASSIFICATION),
        RECEIVED,
        optional_rows=(NONE, UNKNOWN),
    ),
    SectionSpec("violence", VIOLENCE_TYPE, _codes(VIOLENCE_TYPE), None, optional_rows=(UNKNOWN,)),
    SectionSpec(
        "vulnerability", VULNERABILITY, _codes(VULNERABILITY), None, optional_rows=(UNKNOWN,)
    ),
    SectionSpec(
        "perpetrator",
        PERPETRATOR_RELATION,
        _codes(PERPETRATOR_RELATION),
        RECEIVED,
        optional_rows=(UNKNOWN,),
    ),
    SectionSpec("gender", GENDER, _codes(GENDER), RECEIVED, optional_rows=(UNKNOWN,)),
    SectionSpec("age_band", AGE_BAND, _codes(AGE_BAND), RECEIVED, optional_rows=(UNKNOWN,)),
    SectionSpec("status", None, (CLOSED_IN_PERIOD, OPEN_AT_END)),
    SectionSpec("outcome", OUTCOME, _codes(OUTCOME), CLOSED, optional_rows=(NONE, UNKNOWN)),
    SectionSpec(
        "measures", MEASURE_SERVICE, _codes(MEASURE_SERVICE), None, optional_rows=(UNKNOWN,)
    ),
    SectionSpec("durations", None, (TO_ASSESSMENT, TO_CLOSING), median=True),
)
SECTION = {s.key: s for s in SECTIONS}
COUNT_SECTIONS = tuple(s for s in SECTIONS if not s.median)


# --- periods ------------------------------------------------------------------------------------

_PERIOD_WORDS = re.compile(
    r"^(?:(?P<y1>\d{4})\s*[-/ ]?\s*h\s*(?P<h1>[12])|h\s*(?P<h2>[12])\s*[-/ ]?\s*(?P<y2>\d{4})"
    r"|(?P<h3>[12])\s*\.?\s*halv(?:a|aa)r\s*(?P<y3>\d{4}))$"
)


def parse_period(typed: str) -> ReportingPeriod | None:
    """'2026H1', '2026 h1', 'H1 2026', '2026-H2', '1. halvår 2026' (normalised: 'halvar')."""
    cleaned = typed.strip().lower().replace("å", "a")
    match = _PERIOD_WORDS.match(cleaned)
    if not match:
        return None
    year = match["y1"] or match["y2"] or match["y3"]
    half = match["h1"] or match["h2"] or match["h3"]
    return ReportingPeriod(int(year), int(half))


def previous_period(period: ReportingPeriod) -> ReportingPeriod:
    return (
        ReportingPeriod(period.year - 1, 2) if period.half == 1 else ReportingPeriod(period.year, 1)
    )


def last_finished_period(now: datetime) -> ReportingPeriod:
    """The period a coordinator most likely means: the last one that has ended."""
    return previous_period(ReportingPeriod.containing(now))


def has_ended(period: ReportingPeriod, now: datetime) -> bool:
    return now >= period.ends


ONLY_OPERATIONAL = "only an operational team sends its report"
ONLY_COORDINATOR = "only the team's coordinator marks its report sent"


def may_mark_sent(principal: Principal, team_id: str, team_kind: str) -> Decision:
    """Only a coordinator of the operational team marks its report as sent to Bufdir; leaders
    see the same numbers but do not send them."""
    if team_kind != TeamKind.OPERATIONAL:
        return Decision(False, ONLY_OPERATIONAL)
    own = [
        g
        for g in principal.grants
        if g.role == Role.COORDINATOR
        and g.team_id == team_id
        and g.tenant_id == principal.person.tenant_id
    ]
    if principal.tenant_allowed and own:
        return Decision(True, "coordinator of the team", (Role.COORDINATOR,))
    return Decision(False, ONLY_COORDINATOR)


# --- what storage counts -----------------------------------------------------------------------


@dataclass(frozen=True)
class Municipality:
    """A column of the report: names and kommunenummer only, never an internal id."""

    name: str
    number: str | None = None


@dataclass
class Tally:
    """Counts per municipality as the database grouped them.

    counts[(section, code, municipality)] for the count sections; for "received" the codes are
    consent bases (the total row is added here). medians[(row, municipality or None for all)]
    = (median days or None, how many cases). `municipality` is the caller's own key.
    """

    counts: dict[tuple[str, str | None, str], int] = field(default_factory=dict)
    medians: dict[tuple[str, str | None], tuple[float | None, int]] = field(default_factory=dict)


# --- the report -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    value: int | float | None
    mark: str | None = None  # SMALL, HIDDEN, TOO_FEW; None: the value is shown

    @property
    def shown(self) -> bool:
        return self.mark is None and self.value is not None


@dataclass(frozen=True)
class Row:
    key: str
    cells: tuple[Cell, ...]

    @property
    def total(self) -> Cell:
        return self.cells[-1]


@dataclass(frozen=True)
class Section:
    key: str
    rows: tuple[Row, ...]

    @property
    def spec(self) -> SectionSpec:
        return SECTION[self.key]

    def row(self, key: str) -> Row | None:
        return next((r for r in self.rows if r.key == key), None)


@dataclass(frozen=True)
class StatisticsReport:
    """The report as it is shown and sent. Columns: each municipality, then the total; a team
    serving one municipality has the total only. It holds no identifiers of any kind."""

    team_name: str
    period: ReportingPeriod
    municipalities: tuple[Municipality, ...]
    sections: tuple[Section, ...]
    threshold: int
    made_at: datetime
    sent_at: datetime | None = None

    @property
    def per_municipality(self) -> bool:
        return len(self.municipalities) > 1

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def total(self, section: str, row: str) -> Cell:
        found = self.section(section).row(row)
        return found.total if found is not None else Cell(0)

    def with_sent_at(self, when: datetime) -> StatisticsReport:
        return StatisticsReport(
            self.team_name,
            self.period,
            self.municipalities,
            self.sections,
            self.threshold,
            self.made_at,
            when,
        )

    def to_json(self) -> dict[str, Any]:
        """What is frozen when the report is marked sent: the cells as shown (a hidden count
        is not kept), so the audit copy is exactly what Bufdir got."""
        return {
            "version": FORMAT_VERSION,
            "team": self.team_name,
            "period": self.period.label,
            "threshold": self.threshold,
            "made_at": self.made_at.isoformat(),
            "municipalities": [{"name": m.name, "number": m.number} for m in self.municipalities],
            "sections": [
                {
                    "key": s.key,
                    "rows": [
                        {
                            "key": r.key,
                            "cells": [[None if c.mark else c.value, c.mark] for c in r.cells],
                        }
                        for r in s.rows
                    ],
                }
                for s in self.sections
            ],
        }

    @classmethod
    def from_json(
        cls, data: Mapping[str, Any], sent_at: datetime | None = None
    ) -> StatisticsReport:
        return cls(
            team_name=str(data["team"]),
            period=ReportingPeriod.parse(str(data["period"])),
            municipalities=tuple(
                Municipality(str(m["name"]), m.get("number")) for m in data["municipalities"]
            ),
            sections=tuple(
                Section(
                    str(s["key"]),
                    tuple(
                        Row(str(r["key"]), tuple(Cell(v, mark) for v, mark in r["cells"]))
                        for r in s["rows"]
                    ),
                )
                for s in data["sections"]
                if s["key"] in SECTION
            ),
            threshold=int(data["threshold"]),
            made_at=datetime.fromisoformat(str(data["made_at"])),
            sent_at=sent_at,
        )


# --- building the report ----------------------------------------------------------------------

TOTAL = "\x00total"  # the total column's key while building (no municipality key can be it)
CellKey = tuple[str, str, str]  # (section, row, column)


@dataclass(frozen=True)
class Constraint:
    """`total` is the sum of `parts`: knowing all but one of them gives the last away."""

    total: CellKey
    parts: tuple[CellKey, ...]


def build_report(
    team_name: str,
    period: ReportingPeriod,
    municipalities: Sequence[tuple[str, Municipality]],
    tally: Tally,
    threshold: int,
    made_at: datetime,
) -> StatisticsReport:
    """The report from the database's counts: totals, then suppression. `municipalities` are
    (the key the tally uses, the column), in the order the columns are shown."""
    if threshold < 1:
        raise ValueError("the threshold must be at least 1")
    keys = [key for key, _ in municipalities]
    columns = [*keys, TOTAL] if len(keys) > 1 else [TOTAL]
    values: dict[CellKey, int] = {}
    rows_of: dict[str, list[str]] = {}
    for spec in COUNT_SECTIONS:
        counted = _counts_of(spec, tally, keys)
        rows = list(spec.rows) + [
            r
            for r in spec.optional_rows
            if r not in spec.rows and any(counted.get((r, k), 0) for k in keys)
        ]
        rows_of[spec.key] = rows
        for row in rows:
            for key in keys:
                values[(spec.key, row, key)] = counted.get((row, key), 0)
            values[(spec.key, row, TOTAL)] = sum(counted.get((row, k), 0) for k in keys)
    shown = {k: v for k, v in values.items() if k[2] in columns}
    marks = suppress(shown, constraints_for(rows_of, columns), threshold)
    sections = []
    for spec in SECTIONS:
        if spec.median:
            sections.append(_median_section(spec, tally, keys, columns, threshold))
            continue
        sections.append(
            Section(
                spec.key,
                tuple(
                    Row(
                        row,
                        tuple(
                            Cell(None, marks[(spec.key, row, c)])
                            if (spec.key, row, c) in marks
                            else Cell(values[(spec.key, row, c)])
                            for c in columns
                        ),
                    )
                    for row in rows_of[spec.key]
                ),
            )
        )
    return StatisticsReport(
        team_name,
        period,
        tuple(m for _, m in municipalities),
        tuple(sections),
        threshold,
        made_at,
    )


def _counts_of(spec: SectionSpec, tally: Tally, keys: Sequence[str]) -> dict[tuple[str, str], int]:
    """The tally's counts for a section, with codes outside the code list as UNKNOWN and, for
    "received" (counted by consent basis), the total row added."""
    known = set(spec.rows) - {ALL}
    counted: dict[tuple[str, str], int] = {}

    def add(row: str, municipality: str, n: int) -> None:
        counted[(row, municipality)] = counted.get((row, municipality), 0) + n

    for (section, code, municipality), n in tally.counts.items():
        if section != spec.key or municipality not in keys:
            continue
        if code is None:
            add(NONE if NONE in spec.optional_rows else UNKNOWN, municipality, n)
        else:
            add(code if code in known else UNKNOWN, municipality, n)
        if spec.key == "received":
            add(ALL, municipality, n)
    return counted


def constraints_for(
    rows_of: Mapping[str, Sequence[str]], columns: Sequence[str]
) -> list[Constraint]:
    """Which published numbers add up to which: each row across the municipalities to its total,
    and the rows of a section whose cases fall in one row each to the row they partition."""
    constraints = []
    municipality_columns = [c for c in columns if c != TOTAL]
    for section, rows in rows_of.items():
        if municipality_columns:
            for row in rows:
                constraints.append(
                    Constraint(
                        (section, row, TOTAL),
                        tuple((section, row, c) for c in municipality_columns),
                    )
                )
        base = SECTION[section].partition_of
        if base is None:
            continue
        parts = [r for r in rows if (section, r) != base]
        for column in columns:
            constraints.append(
                Constraint((*base, column), tuple((section, r, column) for r in parts))
            )
    return constraints


def _median_section(
    spec: SectionSpec,
    tally: Tally,
    keys: Sequence[str],
    columns: Sequence[str],
    threshold: int,
) -> Section:
    rows = []
    for row in spec.rows:
        cells = []
        for column in columns:
            median, n = tally.medians.get((row, None if column == TOTAL else column), (None, 0))
            if median is None or n < threshold:
                # A median of one or two cases is their own number of days.
                cells.append(Cell(None, TOO_FEW))
            else:
                cells.append(Cell(round(median, 1)))
        rows.append(Row(row, tuple(cells)))
    return Section(spec.key, tuple(rows))


# --- suppression ------------------------------------------------------------------------------


def suppress(
    values: Mapping[CellKey, int], constraints: Iterable[Constraint], threshold: int
) -> dict[CellKey, str]:
    """Which cells to hide, and why.

    First every count from 1 to threshold-1 (SMALL, shown as "<3"). Then, wherever a sum has
    exactly one hidden cell (the total minus the others would give it away), one more cell of
    that sum is hidden (HIDDEN, "x"): the smallest count above zero, a part before the total.
    A zero is never hidden: an "x" is read as 0 or at least the threshold, so it hides nothing
    beside a "<3". The same rule then looks a step further, as a reader who knows what "<3"
    and "x" mean would: where the hidden cells of a sum still leave a "<3" only one possible
    value, one more count above zero is hidden, as long as there is one.
    """
    hidden: dict[CellKey, str] = {k: SMALL for k, v in values.items() if 0 < v < threshold}
    constraints = list(constraints)
    changed = True
    while changed:
        changed = False
        for constraint in constraints:
            cells = (*constraint.parts, constraint.total)
            count = sum(1 for k in cells if k in hidden)
            if count == 0:
                continue
            if count == 1 or not _safe(constraint, values, hidden, threshold):
                candidate = _next_to_hide(constraint, values, hidden)
                if candidate is not None:
                    hidden[candidate] = HIDDEN
                    changed = True
    return hidden


def _next_to_hide(
    constraint: Constraint, values: Mapping[CellKey, int], hidden: Mapping[CellKey, str]
) -> CellKey | None:
    candidates = [p for p in constraint.parts if p not in hidden and values[p] > 0]
    if candidates:
        return min(candidates, key=lambda k: (values[k], k))
    if constraint.total not in hidden and values[constraint.total] > 0:
        return constraint.total
    return None


def _safe(
    constraint: Constraint,
    values: Mapping[CellKey, int],
    hidden: Mapping[CellKey, str],
    threshold: int,
) -> bool:
    """True when no hidden small count in this sum has only one possible value.

    The sum as an equation over the hidden cells: sum(hidden parts) - hidden total = known
    (the shown total minus the shown parts). A SMALL cell ranges over 1..threshold-1; a HIDDEN
    one over {0} and threshold and above. Unbounded HIDDEN cells on both sides make any value
    possible; otherwise the others' possible sums are an interval plus, per side with a HIDDEN
    cell, {0} or anything at least `threshold` away.
    """
    cells = [(p, 1) for p in constraint.parts] + [(constraint.total, -1)]
    unknown = [(k, sign) for k, sign in cells if k in hidden]
    if not unknown:
        return True
    small = [(k, sign) for k, sign in unknown if hidden[k] == SMALL]
    if not small:
        return True
    if len(unknown) == 1:
        return False
    known = -sum(sign * values[k] for k, sign in cells if k not in hidden)
    top = threshold - 1
    for key, sign in small:
        others = [(k, s) for k, s in unknown if k != key]
        small_others = [s for k, s in others if hidden[k] == SMALL]
        lo = sum(1 if s > 0 else -top for s in small_others)
        hi = sum(top if s > 0 else -1 for s in small_others)
        plus = any(s > 0 and hidden[k] == HIDDEN for k, s in others)
        minus = any(s < 0 and hidden[k] == HIDDEN for k, s in others)
        possible = 0
        for value in range(1, threshold):
            rest = known - sign * value
            if _reachable(rest, lo, hi, plus, minus, threshold):
                possible += 1
        if possible < 2:
            return False
    return True


def _reachable(rest: int, lo: int, hi: int, plus: bool, minus: bool, threshold: int) -> bool:
    """Can the other hidden cells add up to `rest`? Small ones give any sum in [lo, hi]; hidden
    ones on the plus side add 0 or at least `threshold`, on the minus side take 0 or at least
    `threshold` away."""
    if plus and minus:
        return True
    if lo <= rest <= hi:
        return True
    if plus and rest >= lo + threshold:
        return True
    return minus and rest <= hi - threshold
