"""A reader who works on published half-year reports with pencil and solver.

They see each report as it is published (its numbers, "<3", "x" and "–") and know what adds up
to what from the report's own words, not from how the bot decides. A hidden cell is given away
when it has the same value in every whole-number solution of all that; scipy's MILP solver
(HiGHS) looks for a solution in which it differs.

Written apart from domain/statistics.py on purpose: the relations here are read off the
report's layout (see the notes sheet of the Excel file), so a relation the bot forgets to weigh
shows up as a cell given away.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

from domain.statistics import HIDDEN, SMALL, TOO_FEW, StatisticsReport

# Each case in exactly one row: the rows add up to this row of the same column.
ADDS_UP_TO = {
    "received": ("received", "all"),
    "reporter": ("received", "all"),
    "classification": ("received", "all"),
    "perpetrator": ("received", "all"),
    "gender": ("received", "all"),
    "age_band": ("received", "all"),
    "outcome": ("status", "closed_in_period"),
}
# A case may be in several rows: each row is at most this row of the same column.
AT_MOST = {
    "violence": ("received", "all"),
    "vulnerability": ("received", "all"),
    "measures": ("status", "closed_in_period"),
}

# (which report, section, row, column index); report 0 is the one checked, 1 the one before.
Key = tuple[int, str, str, int]


def hidden_cells(which: int, report: StatisticsReport) -> list[Key]:
    """The report's hidden counts ("<3" and "x"), keyed as the reader keys them."""
    return [
        (which, s.key, row.key, column)
        for s in report.sections
        if s.key != "durations"
        for row in s.rows
        for column, cell in enumerate(row.cells)
        if cell.mark
    ]


@dataclass
class Reader:
    """What the reader knows: every published cell, its true value (for the equations'
    constants), and the relations."""

    shown: dict[Key, int] = field(default_factory=dict)
    hidden: dict[Key, tuple[int, float]] = field(default_factory=dict)  # (lowest, highest)
    truth: dict[Key, int] = field(default_factory=dict)
    equal: list[list[tuple[Key, int]]] = field(default_factory=list)
    at_most: list[list[tuple[Key, int]]] = field(default_factory=list)
    # Exact when its sum is 0 (as a reader would guess), else only known to be at least 0.
    usually_zero: list[list[tuple[Key, int]]] = field(default_factory=list)

    def read(
        self,
        which: int,
        report: StatisticsReport,
        truth: Mapping[tuple[str, str, int], int],
        carried_from: int | None = None,
    ) -> None:
        """Take in one report; `carried_from` is the report before it, read already: the cases
        open at its end are carried into this one."""
        t = report.threshold
        columns = range(len(report.sections[0].rows[0].cells))
        counts = [s for s in report.sections if s.key != "durations"]
        closing = report.section("durations").row("to_closing")
        for section in counts:
            for row in section.rows:
                for column, cell in zip(columns, row.cells, strict=True):
                    key = (which, section.key, row.key, column)
                    true = truth.get((section.key, row.key, column), 0)
                    self.truth[key] = true
                    if cell.mark is None:
                        assert cell.value == true, (key, cell.value, true)
                        self.shown[key] = int(cell.value or 0)
                        continue
                    low, high = (1, t - 1) if cell.mark == SMALL else (0, np.inf)
                    if cell.mark == HIDDEN and true >= t:
                        low = t  # nearly every "x" is at least the threshold: granted
                    if (section.key, row.key) == ("status", "closed_in_period"):
                        # The median days to closing is shown from `t` cases closed.
                        assert closing is not None
                        if closing.cells[column].mark != TOO_FEW:
                            low = max(low, t)
                    assert cell.mark in (SMALL, HIDDEN)
                    self.hidden[key] = (low, high)
        per_municipality = len(columns) > 1
        for section in counts:
            row_keys = [r.key for r in section.rows]
            if per_municipality:
                for row_key in row_keys:
                    *parts, total = [(which, section.key, row_key, c) for c in columns]
                    self.equal.append([*((p, 1) for p in parts), (total, -1)])
            if section.key in ADDS_UP_TO:
                base = ADDS_UP_TO[section.key]
                for column in columns:
                    parts = [
                        (which, section.key, k, column)
                        for k in row_keys
                        if (section.key, k) != base
                    ]
                    self.equal.append([*((p, 1) for p in parts), ((which, *base, column), -1)])
            if section.key in AT_MOST:
                base = AT_MOST[section.key]
                for row_key in row_keys:
                    for column in columns:
                        self.at_most.append(
                            [
                                ((which, section.key, row_key, column), 1),
                                ((which, *base, column), -1),
                            ]
                        )
        for column in columns:
            flow = [
                ((which, "status", "closed_in_period", column), 1),
                ((which, "status", "open_at_end", column), 1),
                ((which, "received", "all", column), -1),
            ]
            if carried_from is not None:
                flow.append(((carried_from, "status", "open_at_end", column), -1))
            # Closed + open = received + open at the previous end + reopened: a reader without
            # the report before guesses nothing carried over, with it none reopened.
            self.usually_zero.append(flow)

    def given_away(self, among: Iterable[Key]) -> list[Key]:
        """The hidden cells among `among` that have one possible value."""
        for terms in self.usually_zero:
            off = sum(sign * self.truth[k] for k, sign in terms)
            if off == 0:
                self.equal.append(terms)
            else:
                self.at_most.append([(k, -sign) for k, sign in terms])
        self.usually_zero = []
        keys = sorted({*self.shown, *self.hidden})
        index = {k: i for i, k in enumerate(keys)}
        truth = np.array([self.truth[k] for k in keys], dtype=float)
        # A bound the true counts break (toy counts) is no help to anyone.
        bounds = [b for b in self.at_most if sum(s * self.truth[k] for k, s in b) <= 0]
        rows: list[list[tuple[Key, int]]] = [*self.equal, *bounds]
        matrix = lil_matrix((len(rows), len(keys)))
        for r, terms in enumerate(rows):
            for key, sign in terms:
                matrix[r, index[key]] += sign
        sparse = matrix.tocsr()
        constants = sparse @ truth
        low_side = np.concatenate([constants[: len(self.equal)], np.full(len(bounds), -np.inf)])
        high_side = np.concatenate([constants[: len(self.equal)], np.zeros(len(bounds))])
        constraint = LinearConstraint(sparse, low_side, high_side)
        lowest = np.array(
            [self.hidden[k][0] if k in self.hidden else self.shown[k] for k in keys], float
        )
        highest = np.array(
            [self.hidden[k][1] if k in self.hidden else self.shown[k] for k in keys], float
        )
        assert (lowest <= truth).all() and (truth <= highest).all(), "the truth must fit"
        open_to_doubt: set[Key] = set()
        found = []
        for key in sorted(among):
            if key in open_to_doubt:
                continue
            i = index[key]
            for step in (1, -1):
                low, high = lowest.copy(), highest.copy()
                if step > 0:
                    low[i] = truth[i] + 1
                else:
                    high[i] = truth[i] - 1
                if low[i] > high[i]:
                    continue
                result = milp(
                    np.zeros(len(keys)),
                    constraints=constraint,
                    integrality=np.ones(len(keys)),
                    bounds=Bounds(low, high),
                )
                if result.status == 0:
                    other = np.round(result.x)
                    open_to_doubt.update(k for k, j in index.items() if other[j] != truth[j])
                    break
            else:
                found.append(key)
        return found
