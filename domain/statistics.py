"""The half-year statistics to Bufdir, as plain Python: what the report holds, and the rules
that keep anyone from being recognised in it.

Storage counts in the database (GROUP BY per municipality) and hands over a `Tally`; this module
adds the totals, hides small counts and whatever would let a reader work them out (from this
report and the previous period's beside it), and gives a `StatisticsReport` that the card, the
Excel file and the CSV are drawn from, and that is frozen as it was sent.

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
from domain.contact import CONTACT_CHANNEL

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
    within: tuple[str, str] | None = None
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
        "contact_channel",
        CONTACT_CHANNEL,
        _codes(CONTACT_CHANNEL),
        RECEIVED,
        optional_rows=(UNKNOWN,),
    ),
    SectionSpec(
        "classification",
        CLASSIFICATION,
        _codes(CLASSIFICATION),
        RECEIVED,
        optional_rows=(NONE, UNKNOWN),
    ),
    SectionSpec(
        "violence", VIOLENCE_TYPE, _codes(VIOLENCE_TYPE), within=RECEIVED, optional_rows=(UNKNOWN,)
    ),
    SectionSpec(
        "vulnerability",
        VULNERABILITY,
        _codes(VULNERABILITY),
        within=RECEIVED,
        optional_rows=(UNKNOWN,),
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
        "measures",
        MEASURE_SERVICE,
        _codes(MEASURE_SERVICE),
        within=CLOSED,
        optional_rows=(UNKNOWN,),
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
# The previous period's cells, while both reports are weighed together, have this before
# their section.
PREVIOUS = "previous:"


@dataclass(frozen=True)
class Previous:
    """The period before, as a reader may hold it beside this report: the report as it was
    published (the frozen copy once it was sent) and the counts behind it."""

    report: StatisticsReport
    tally: Tally


def build_report(
    team_name: str,
    period: ReportingPeriod,
    municipalities: Sequence[tuple[str, Municipality]],
    tally: Tally,
    threshold: int,
    made_at: datetime,
    previous: Previous | None = None,
) -> StatisticsReport:
    """The report from the database's counts: totals, then suppression. `municipalities` are
    (the key the tally uses, the column), in the order the columns are shown. With `previous`,
    nothing in this report may give away a count that the previous one hid."""
    if threshold < 1:
        raise ValueError("the threshold must be at least 1")
    keys = [key for key, _ in municipalities]
    columns = [*keys, TOTAL] if len(keys) > 1 else [TOTAL]
    values, rows_of = _cells(tally, keys, columns)
    earlier = _earlier(previous, municipalities, columns)
    if earlier is None:
        relations = relations_for(rows_of, columns)
        marks = suppress(values, relations, threshold)
    else:
        earlier_values, earlier_rows, published, earlier_threshold = earlier
        relations = [
            *relations_for(rows_of, columns, carried_from=PREVIOUS),
            *relations_for(earlier_rows, columns, prefix=PREVIOUS),
        ]
        marks = suppress(
            {**values, **earlier_values},
            relations,
            threshold,
            published=published,
            banded=_banded(columns, PREVIOUS),
            previous_threshold=earlier_threshold,
        )
    sections = []
    for spec in SECTIONS:
        if spec.median:
            sections.append(_median_section(spec, tally, keys, columns, threshold, marks))
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


def _cells(
    tally: Tally,
    keys: Sequence[str],
    columns: Sequence[str],
    shown_rows: Mapping[str, Sequence[str]] | None = None,
    prefix: str = "",
) -> tuple[dict[CellKey, int], dict[str, list[str]]]:
    """Every count cell of the report, and the rows of each section: those given, or the
    section's rows and the optional ones that count something."""
    values: dict[CellKey, int] = {}
    rows_of: dict[str, list[str]] = {}
    for spec in COUNT_SECTIONS:
        counted = _counts_of(spec, tally, keys)
        if shown_rows is not None:
            rows = list(shown_rows[spec.key])
        else:
            rows = list(spec.rows) + [
                r
                for r in spec.optional_rows
                if r not in spec.rows and any(counted.get((r, k), 0) for k in keys)
            ]
        rows_of[spec.key] = rows
        for row in rows:
            by_key = {key: counted.get((row, key), 0) for key in keys}
            for column in columns:
                n = sum(by_key.values()) if column == TOTAL else by_key[column]
                values[(prefix + spec.key, row, column)] = n
    return values, rows_of


def _earlier(
    previous: Previous | None,
    municipalities: Sequence[tuple[str, Municipality]],
    columns: Sequence[str],
) -> tuple[dict[CellKey, int], dict[str, list[str]], dict[CellKey, str], int] | None:
    """The previous report's cells (its counts as published, and as counted now where it hid
    them; its rows; its hidden cells; its threshold), keyed like this report's with PREVIOUS
    before the section. None when there is none, or when its columns are other municipalities
    than this report's (the team has changed)."""
    if previous is None or previous.report.municipalities != tuple(m for _, m in municipalities):
        return None
    sections = {s.key: s for s in previous.report.sections if s.key in SECTION}
    if any(spec.key not in sections for spec in COUNT_SECTIONS):
        return None
    shown_rows = {spec.key: [r.key for r in sections[spec.key].rows] for spec in COUNT_SECTIONS}
    keys = [key for key, _ in municipalities]
    values, rows_of = _cells(previous.tally, keys, columns, shown_rows, PREVIOUS)
    published: dict[CellKey, str] = {}
    for spec in COUNT_SECTIONS:
        for row in sections[spec.key].rows:
            if len(row.cells) != len(columns):
                return None
            for column, cell in zip(columns, row.cells, strict=True):
                key = (PREVIOUS + spec.key, row.key, column)
                if cell.mark is not None:
                    published[key] = cell.mark
                elif isinstance(cell.value, int):
                    # What readers have, should a count have changed since it was sent.
                    values[key] = cell.value
    return values, rows_of, published, previous.report.threshold


def _banded(columns: Sequence[str], prefix: str = "") -> frozenset[CellKey]:
    """Cells whose side of the threshold a reader learns elsewhere: the median days to closing
    is shown exactly when the cases closed number at least the threshold."""
    return frozenset((prefix + CLOSED[0], CLOSED[1], c) for c in columns)


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


@dataclass(frozen=True)
class Relation:
    """Published numbers a reader can add up. Exact: sum(plus) - sum(minus) is a number the
    reader knows (zero for a total and its parts). at_most: sum(plus) <= sum(minus).
    usually_zero: sum(plus) - sum(minus) is at least 0 and mostly 0, which a reader would
    guess; so exact where it is 0, and only at least 0 where it is not (the guess is wrong)."""

    plus: tuple[CellKey, ...]
    minus: tuple[CellKey, ...] = ()
    at_most: bool = False
    usually_zero: bool = False


def sums(total: CellKey, parts: Iterable[CellKey]) -> Relation:
    """`total` is the sum of `parts`."""
    return Relation(tuple(parts), (total,))


def relations_for(
    rows_of: Mapping[str, Sequence[str]],
    columns: Sequence[str],
    prefix: str = "",
    carried_from: str | None = None,
) -> list[Relation]:
    """What a reader can add up in one report: each row across the municipalities to its
    total; the rows of a section whose cases fall in one row each to the row they partition;
    each row of a list section (violence, vulnerability, measures) at most the cases it is
    about; and the cases at the period's end.

    Those are the cases received in the period, the cases open when it began and the few
    closed before it and reopened in it: closed + open = received + open at the previous
    period's end + reopened. The open at the previous end is a cell of the previous report
    (`carried_from`); without it, they and the reopened are what a reader would guess is 0, and
    is in a team's first period: open + closed = received."""
    relations = []
    municipality_columns = [c for c in columns if c != TOTAL]
    for section, rows in rows_of.items():
        key = prefix + section
        if municipality_columns:
            for row in rows:
                relations.append(
                    sums((key, row, TOTAL), ((key, row, c) for c in municipality_columns))
                )
        spec = SECTION[section]
        if spec.partition_of is not None:
            base_section, base_row = spec.partition_of
            parts = [r for r in rows if (section, r) != spec.partition_of]
            for column in columns:
                relations.append(
                    sums(
                        (prefix + base_section, base_row, column), ((key, r, column) for r in parts)
                    )
                )
        if spec.within is not None:
            within_section, within_row = spec.within
            for row in rows:
                for column in columns:
                    relations.append(
                        Relation(
                            ((key, row, column),),
                            ((prefix + within_section, within_row, column),),
                            at_most=True,
                        )
                    )
    for column in columns:
        carried = () if carried_from is None else ((carried_from + "status", OPEN_AT_END, column),)
        relations.append(
            Relation(
                (
                    (prefix + "status", CLOSED_IN_PERIOD, column),
                    (prefix + "status", OPEN_AT_END, column),
                ),
                ((prefix + "received", ALL, column), *carried),
                usually_zero=True,
            )
        )
    return relations


def _median_section(
    spec: SectionSpec,
    tally: Tally,
    keys: Sequence[str],
    columns: Sequence[str],
    threshold: int,
    marks: Mapping[CellKey, str],
) -> Section:
    rows = []
    for row in spec.rows:
        cells = []
        for column in columns:
            median, n = tally.medians.get((row, None if column == TOTAL else column), (None, 0))
            if (
                median is None
                or n < threshold
                or (row == TO_CLOSING and (*CLOSED, column) in marks)
            ):
                # A median of one or two cases is their own number of days.
                cells.append(Cell(None, TOO_FEW))
            else:
                cells.append(Cell(round(median, 1)))
        rows.append(Row(row, tuple(cells)))
    return Section(spec.key, tuple(rows))


# --- suppression ------------------------------------------------------------------------------

# What a reader is taken to know of a hidden cell: "<3" is 1 or 2 (a zero is shown as 0). An
# "x" may be anything, but nearly every "x" is a count of at least the threshold (small counts
# read "<3"), and a reader who takes that for granted is right about those; so an "x" on such
# a count must keep another possible value of at least the threshold. The few "x" put on a
# small count or a zero, as a last resort below, may be anything from 0. Where the median
# days to closing tells whether the cases closed reach the threshold, a reader knows that too.
# Protection holds for a reader who knows all that, every relation above, and both reports.

# What hiding costs, in the search for the cheapest way to protect a cell: hiding one more
# count costs most, and a total or a row other sections add up to more than the rest;
# turning a "<3" into "x" (so that it may be 0 or more than 2) costs less; hiding a zero
# ("x" where nobody was) is the last resort.
HIDE_COST = 1000
TOTAL_COST = 400
BASE_COST = 300
REMARK_COST = 200
HIDE_ZERO_COST = 5000
# A search looks for a solution with no new mark, then one, two, ... up to MAX_NEW_MARKS,
# visiting at most SEARCH_BUDGET nodes each time; one that finds nothing hides more around
# the cell.
MAX_NEW_MARKS = 8
SEARCH_BUDGET = 2000
_BASES = frozenset({RECEIVED, CLOSED, ("status", OPEN_AT_END)})


def _is_earlier(key: CellKey) -> bool:
    return key[0].startswith(PREVIOUS)


def suppress(
    values: Mapping[CellKey, int],
    relations: Iterable[Relation],
    threshold: int,
    published: Mapping[CellKey, str] | None = None,
    banded: frozenset[CellKey] = frozenset(),
    previous_threshold: int | None = None,
) -> dict[CellKey, str]:
    """Which cells of this report to hide, and how they read.

    First every count from 1 to threshold-1 (SMALL, "<3"). Then each hidden cell must have
    another possible value: a second set of counts, whole numbers that fit every relation,
    every shown count and what each mark says, in which that cell differs. Where there is
    none, a search finds the fewest further cells to hide (HIDDEN, "x") that make one, the
    cheapest first. `published` are the previous report's hidden cells (PREVIOUS keys in `values`):
    they cannot change, and whatever that report protected on its own stays protected.
    `banded` cells are ones whose side of the threshold a reader learns elsewhere.
    """
    published = dict(published or {})
    previous_threshold = previous_threshold or threshold
    marks: dict[CellKey, str] = {
        k: SMALL for k, v in values.items() if not _is_earlier(k) and 0 < v < threshold
    }
    relations = list(relations)
    search = _Search(
        values, relations, threshold, previous_threshold, banded, {**published, **marks}
    )
    earlier = _protected_alone(values, relations, threshold, previous_threshold, banded, published)
    protected: set[CellKey] = set()
    given_up: set[CellKey] = set()
    while True:
        pending = [k for k in sorted(search.marks) if not _is_earlier(k)] + earlier
        todo = next((k for k in pending if k not in protected and k not in given_up), None)
        if todo is None:
            break
        found = search.witness(todo, allow_new=True)
        if found is not None:
            search.marks.update(found.marks)
            protected.update(found.steps)
        elif not search.widen(todo):
            # Nothing left to hide around it; the tests would show such a report.
            given_up.add(todo)
    return {k: m for k, m in search.marks.items() if not _is_earlier(k)}


def _protected_alone(
    values: Mapping[CellKey, int],
    relations: Sequence[Relation],
    threshold: int,
    previous_threshold: int,
    banded: frozenset[CellKey],
    published: Mapping[CellKey, str],
) -> list[CellKey]:
    """The previous report's hidden cells that it protects by itself. One hidden by an older
    rule and open to working out anyway is no longer this report's to protect."""
    if not published:
        return []
    own = [r for r in relations if all(_is_earlier(k) for k in (*r.plus, *r.minus))]
    alone = _Search(values, own, threshold, previous_threshold, banded, published)
    covered: set[CellKey] = set()
    for key in sorted(published):
        if key not in covered:
            found = alone.witness(key, allow_new=False)
            if found is not None:
                covered.update(found.steps)
    return [k for k in sorted(published) if k in covered]


@dataclass
class _Witness:
    """Another possible set of counts: the cells that differ (by one, up or down) and the
    marks it needs that are not there yet."""

    steps: dict[CellKey, int]
    marks: dict[CellKey, str]


class _Search:
    """Depth-first search for a second solution of the relations, one step of ±1 per cell:
    start by moving the cell to protect, then, while some relation is off balance (or an
    upper bound is broken), move another of its cells to put it right, trying the most
    constrained relation first and the cheapest moves first."""

    def __init__(
        self,
        values: Mapping[CellKey, int],
        relations: Iterable[Relation],
        threshold: int,
        previous_threshold: int,
        banded: frozenset[CellKey],
        marks: Mapping[CellKey, str],
    ) -> None:
        self.values = values
        self.marks = dict(marks)
        self.threshold = threshold
        self.previous_threshold = previous_threshold
        self.banded = banded
        self.terms: list[tuple[tuple[CellKey, int], ...]] = []
        self.slack: list[int | None] = []  # None: exact; else how far below its bound
        self.of: dict[CellKey, list[tuple[int, int]]] = {}
        for relation in relations:
            signed: tuple[tuple[tuple[CellKey, ...], int], ...] = (
                (relation.plus, 1),
                (relation.minus, -1),
            )
            terms = tuple((k, sign) for keys, sign in signed for k in keys if k in values)
            slack = None
            at_most = relation.at_most
            off = sum(sign * values[k] for k, sign in terms)
            if relation.usually_zero and off != 0:
                # Not 0 here: a reader knows only that it is more.
                terms = tuple((k, -sign) for k, sign in terms)
                at_most = True
            if at_most:
                slack = -sum(sign * values[k] for k, sign in terms)
                if slack < 0:
                    continue  # not true of these counts, so nobody can lean on it
            index = len(self.terms)
            self.terms.append(terms)
            self.slack.append(slack)
            for key, sign in terms:
                self.of.setdefault(key, []).append((index, sign))

    # --- what a cell may be -----------------------------------------------------------------

    def _threshold(self, key: CellKey) -> int:
        return self.previous_threshold if _is_earlier(key) else self.threshold

    def _fits(self, key: CellKey, mark: str | None, value: int) -> bool:
        """Whether a reader who sees `mark` could take `value` for the cell."""
        if mark is None:
            return value == self.values[key]
        true, t = self.values[key], self._threshold(key)
        if mark == SMALL:
            return 1 <= value < t
        if true >= t:
            return value >= t
        return value >= 0 and (value < t or key not in self.banded)

    def _move(self, key: CellKey, step: int) -> tuple[int, str | None] | None:
        """What moving the cell by `step` costs, and the mark it then needs; None: it can't."""
        mark = self.marks.get(key)
        value = self.values[key] + step
        if self._fits(key, mark, value):
            return 0, None
        if not self._allow_new or _is_earlier(key) or mark == HIDDEN:
            return None
        if not self._fits(key, HIDDEN, value) or (self.values[key] == 0 and not self._zeros):
            return None
        if mark == SMALL:
            return REMARK_COST, HIDDEN
        return self._hide_cost(key), HIDDEN

    def _hide_cost(self, key: CellKey) -> int:
        section, row, column = key
        cost = HIDE_COST + self.values[key] if self.values[key] else HIDE_ZERO_COST
        if column == TOTAL:
            cost += TOTAL_COST
        if (section, row) in _BASES:
            cost += BASE_COST
        return cost

    def _badness(self, index: int, moved: int) -> int:
        slack = self.slack[index]
        return abs(moved) if slack is None else max(0, moved - slack)

    # --- the search ---------------------------------------------------------------------------

    def witness(self, target: CellKey, allow_new: bool) -> _Witness | None:
        """Another solution in which `target` differs: first one within what is hidden
        already, then one that needs one more mark, two, and so on (`allow_new`), the
        cheapest moves tried first."""
        self._allow_new = allow_new
        # Zeros are hidden only where nothing else will do.
        for zeros in (False, True) if allow_new else (False,):
            self._zeros = zeros
            self._moves: dict[tuple[CellKey, int], tuple[int, str | None] | None] = {}
            for limit in range(MAX_NEW_MARKS + 1 if allow_new else 1):
                self._limit = limit
                self._nodes = 0
                self._found: _Witness | None = None
                for step in (1, -1):
                    first = self._move(target, step)
                    if first is None or (first[1] is not None and limit == 0):
                        continue
                    moved: dict[int, int] = {}
                    self._shift(moved, target, step)
                    marks = {target: first[1]} if first[1] else {}
                    if self._dfs({target: step}, marks, moved):
                        break
                if self._found is not None:
                    return self._found
        return None

    def _dfs(
        self, steps: dict[CellKey, int], marks: dict[CellKey, str], moved: dict[int, int]
    ) -> bool:
        """True: stop (a witness found, or this round's budget spent)."""
        self._nodes += 1
        if self._nodes > SEARCH_BUDGET:
            return True
        chosen: tuple[int, list[tuple[int, CellKey, int, str | None]]] | None = None
        room = len(marks) < self._limit
        for index, m in moved.items():
            if self._badness(index, m) == 0:
                continue
            options = self._options(index, m, steps, room)
            if not options:
                return False
            if chosen is None or len(options) < len(chosen[1]):
                chosen = (index, options)
        if chosen is None:
            self._found = _Witness(dict(steps), dict(marks))
            return True
        index, options = chosen
        ranked = sorted(options, key=lambda o: (o[0], self._upset(index, o[1], o[2], moved), o[1]))
        for _, key, step, mark in ranked:
            steps[key] = step
            if mark:
                marks[key] = mark
            self._shift(moved, key, step)
            stop = self._dfs(steps, marks, moved)
            self._shift(moved, key, -step)
            del steps[key]
            marks.pop(key, None)
            if stop:
                return True
        return False

    def _options(
        self, index: int, moved: int, steps: Mapping[CellKey, int], room: bool
    ) -> list[tuple[int, CellKey, int, str | None]]:
        """The moves that bring relation `index` back towards its true sums: (cost, cell,
        step, mark needed); ones needing a new mark only while there is room for one."""
        direction = -1 if moved > 0 else 1
        options = []
        for key, sign in self.terms[index]:
            if key in steps:
                continue
            step = direction * sign
            if (key, step) not in self._moves:
                self._moves[(key, step)] = self._move(key, step)
            move = self._moves[(key, step)]
            if move is not None and (room or move[1] is None):
                options.append((move[0], key, step, move[1]))
        return options

    def _upset(self, index: int, key: CellKey, step: int, moved: Mapping[int, int]) -> int:
        """How far moving the cell puts its other relations off their sums."""
        upset = 0
        for other, sign in self.of.get(key, []):
            if other != index:
                now = moved.get(other, 0)
                upset += self._badness(other, now + sign * step) - self._badness(other, now)
        return upset

    def _shift(self, moved: dict[int, int], key: CellKey, step: int) -> None:
        """How far each relation is moved off its true sums; a relation back on them is
        left out."""
        for index, sign in self.of.get(key, []):
            now = moved.get(index, 0) + sign * step
            if now:
                moved[index] = now
            else:
                del moved[index]

    def widen(self, key: CellKey) -> bool:
        """For when no search found a way: hide every shown count that shares a relation with
        the cell and make the cell an "x" if it reads "<3"; failing that, hide the zeros
        beside it too. False: nothing left to hide."""
        neighbours = [
            other
            for index, _ in self.of.get(key, [])
            for other, _ in self.terms[index]
            if not _is_earlier(other) and other not in self.marks
        ]
        chosen = [k for k in neighbours if self.values[k] > 0] or neighbours
        if self.marks.get(key) == SMALL and not _is_earlier(key):
            chosen.append(key)
        for other in chosen:
            self.marks[other] = HIDDEN
        return bool(chosen)
