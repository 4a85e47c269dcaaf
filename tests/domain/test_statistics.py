"""The report's rules without a database: periods, totals, and the suppression that keeps a
count of one from pointing at a person, checked by a reader who solves the published numbers
(tests/domain/statistics_reader.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings

from domain.access import Grant, Person, Principal, Role, TeamKind
from domain.calendar import ReportingPeriod
from domain.statistics import (
    HIDDEN,
    SMALL,
    TOO_FEW,
    Cell,
    Municipality,
    Previous,
    StatisticsReport,
    Tally,
    build_report,
    last_finished_period,
    may_mark_sent,
    parse_period,
    sums,
    suppress,
)
from tests.domain.statistics_history import (
    BEFORE,
    COLUMNS,
    FIRST_FIVE,
    PREVIOUS,
    THIS,
    History,
    Made,
    histories,
    truth_of,
)
from tests.domain.statistics_reader import Reader, hidden_cells

MADE = datetime(2026, 8, 1, 10, tzinfo=UTC)
H1 = ReportingPeriod(2026, 1)
KEYS = [key for key, _ in COLUMNS]


def report(
    counts: dict[tuple[str, str | None, str], int],
    threshold: int = 3,
    columns=COLUMNS,
    medians=None,
) -> StatisticsReport:
    return build_report(
        "Team", H1, columns, Tally(dict(counts), dict(medians or {})), threshold, MADE
    )


def shown(r: StatisticsReport, section: str, row: str) -> tuple[object, ...]:
    found = r.section(section).row(row)
    assert found is not None
    return tuple(c.mark or c.value for c in found.cells)


# --- periods --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "period"),
    [
        ("2026H1", ReportingPeriod(2026, 1)),
        ("2026 h2", ReportingPeriod(2026, 2)),
        ("2026-H1", ReportingPeriod(2026, 1)),
        ("H2 2025", ReportingPeriod(2025, 2)),
        ("h1-2026", ReportingPeriod(2026, 1)),
        ("1. halvår 2026", ReportingPeriod(2026, 1)),
        ("2 halvar 2026", ReportingPeriod(2026, 2)),
    ],
)
def test_a_period_can_be_written_as_people_write_it(typed, period):
    assert parse_period(typed) == period


@pytest.mark.parametrize("typed", ["2026H3", "i fjor", "2026", "H1", "26H1"])
def test_what_is_not_a_period_is_not_taken_for_one(typed):
    assert parse_period(typed) is None


@pytest.mark.parametrize(
    ("now", "period"),
    [
        (datetime(2026, 11, 28, tzinfo=UTC), ReportingPeriod(2026, 1)),
        (datetime(2026, 3, 1, tzinfo=UTC), ReportingPeriod(2025, 2)),
        # 1 July 00.30 in Oslo is still 30 June in UTC: H1 has just ended.
        (datetime(2026, 6, 30, 22, 30, tzinfo=UTC), ReportingPeriod(2026, 1)),
        (datetime(2026, 6, 30, 21, 30, tzinfo=UTC), ReportingPeriod(2025, 2)),
    ],
)
def test_rapport_alone_means_the_last_period_that_has_ended(now, period):
    assert last_finished_period(now) == period


def test_the_periods_end_at_midnight_in_oslo():
    assert H1.starts == datetime(2025, 12, 31, 23, tzinfo=UTC)
    assert H1.ends == datetime(2026, 6, 30, 22, tzinfo=UTC)


# --- suppression ----------------------------------------------------------------------------


def worked_out(r: StatisticsReport, truth) -> list[tuple[int, str, str, int]]:
    reader = Reader()
    reader.read(0, r, truth)
    return reader.given_away(hidden_cells(0, r))


def test_counts_below_the_threshold_read_small_and_the_threshold_itself_is_shown():
    values = {
        ("s", "three", "T"): 3,
        ("s", "two", "T"): 2,
        ("s", "one", "T"): 1,
        ("s", "zero", "T"): 0,
    }
    # Zero is no one: shown.
    assert suppress(values, [], 3) == {("s", "two", "T"): SMALL, ("s", "one", "T"): SMALL}


def test_a_count_hidden_to_protect_another_is_protected_in_turn():
    # Moss: 5 received, 3 women, 2 men ("<3"): 5 - 3 would give the 2, so the 3 is hidden;
    # then the women's row (3 + 3 = 6) would give that 3 back, so the women's total is hidden,
    # and the men's total with it (6 + 6 = 12 received in all).
    counts = {
        ("gender", "female", "a"): 3,
        ("gender", "female", "b"): 3,
        ("gender", "male", "a"): 2,
        ("gender", "male", "b"): 4,
        ("received", "consent", "a"): 5,
        ("received", "consent", "b"): 7,
    }
    r = report(counts)
    assert shown(r, "gender", "male") == (SMALL, 4, 0, HIDDEN)
    assert shown(r, "gender", "female") == (HIDDEN, 3, 0, HIDDEN)
    assert worked_out(r, truth_of(counts, KEYS)) == []


def test_a_total_that_would_reveal_a_hidden_count_makes_another_cell_hidden():
    # Violence by municipality: 1 in Moss, 4 in Råde, 0 in Våler, 5 in all. Shown 4 and 5,
    # the 1 is 5 - 4: so the 4 is hidden too (the smallest count above zero beside it).
    r = report({("violence", "physical", "a"): 1, ("violence", "physical", "b"): 4})
    assert shown(r, "violence", "physical") == (SMALL, HIDDEN, 0, 5)


def test_the_second_cell_is_the_smallest_count_above_zero():
    r = report(
        {
            ("violence", "physical", "a"): 2,
            ("violence", "physical", "b"): 9,
            ("violence", "physical", "c"): 4,
        }
    )
    assert shown(r, "violence", "physical") == (SMALL, 9, HIDDEN, 15)


def test_rows_that_add_up_to_the_reports_received_are_protected_down_the_column():
    # Received in Moss: 10 (9 with consent, 1 anonymous). Gender: 8 women, 2 men.
    counts = {
        ("received", "consent", "a"): 9,
        ("received", "anonymous", "a"): 1,
        ("gender", "female", "a"): 8,
        ("gender", "male", "a"): 2,
    }
    r = report(counts, columns=COLUMNS[:1])
    # One municipality: the total column only. 10 - 9 = 1 and 10 - 8 = 2 are hidden again.
    assert shown(r, "received", "all") == (10,)
    assert shown(r, "received", "anonymous") == (SMALL,)
    assert shown(r, "received", "consent") == (HIDDEN,)
    assert shown(r, "gender", "male") == (SMALL,)
    assert shown(r, "gender", "female") == (HIDDEN,)


def test_two_small_counts_that_could_only_be_ones_are_told_apart_by_an_x():
    # 1 + 1 + 5 = 7: with 5 and 7 shown, two "<3" would both have to be 1. One of them reads
    # "x" instead, which may be 0: then 1 + 1 and 2 + 0 both fit.
    values = {("s", "p1", "T"): 1, ("s", "p2", "T"): 1, ("s", "p3", "T"): 5, ("s", "all", "T"): 7}
    relation = sums(("s", "all", "T"), (("s", "p1", "T"), ("s", "p2", "T"), ("s", "p3", "T")))
    hidden = suppress(values, [relation], 3)
    assert hidden == {("s", "p1", "T"): SMALL, ("s", "p2", "T"): HIDDEN}


def test_a_one_and_a_two_beside_a_shown_total_are_left_as_they_are():
    # 1 + 2 + 5 = 8: the two "<3" add up to 3, which is 1 + 2 or 2 + 1.
    values = {("s", "p1", "T"): 1, ("s", "p2", "T"): 2, ("s", "p3", "T"): 5, ("s", "all", "T"): 8}
    relation = sums(("s", "all", "T"), (("s", "p1", "T"), ("s", "p2", "T"), ("s", "p3", "T")))
    assert suppress(values, [relation], 3) == {("s", "p1", "T"): SMALL, ("s", "p2", "T"): SMALL}


def test_zeros_stay_shown_where_the_small_counts_cover_each_other():
    r = report({("violence", "physical", "a"): 1})
    # 1 in Moss, so 1 in all: both "<3" (1 and 1, or 2 and 2); the zeros beside them stay.
    assert shown(r, "violence", "physical") == (SMALL, 0, 0, SMALL)


def test_the_threshold_is_configurable():
    r = report({("violence", "physical", "a"): 4, ("violence", "physical", "b"): 30}, threshold=5)
    assert shown(r, "violence", "physical") == (SMALL, HIDDEN, 0, 34)


def test_reports_received_cannot_be_worked_out_from_the_open_and_the_closed():
    r = report(FIRST_FIVE, columns=COLUMNS[:1])

    received, closed, opened = (
        r.total("received", "all"),
        r.total("status", "closed_in_period"),
        r.total("status", "open_at_end"),
    )
    # Open + closed = received in a first period: never two of them shown and one hidden.
    assert [received.shown, closed.shown, opened.shown].count(False) != 1
    assert worked_out(r, truth_of(FIRST_FIVE, KEYS[:1])) == []


def test_the_reader_works_out_a_received_count_hidden_beside_the_open_and_the_closed():
    # The reader is not blind: "x" for the 5 received beside 5 open and 0 closed is 5.
    r = report(FIRST_FIVE, columns=COLUMNS[:1])
    received = r.section("received")
    x_received = replace(
        received, rows=(replace(received.rows[0], cells=(Cell(None, HIDDEN),)), *received.rows[1:])
    )
    leaky = replace(r, sections=tuple(x_received if s.key == "received" else s for s in r.sections))

    assert shown(leaky, "status", "open_at_end") == (5,)
    assert (0, "received", "all", 0) in worked_out(leaky, truth_of(FIRST_FIVE, KEYS[:1]))


# Moss, 2026H1: 10 received, 8 closed, 2 ("<3") open at the end. 2026H2: 6 received, 3
# closed, 5 open; none reopened. 3 + 5 - 6 = 2 open carried over.
CARRIED_BEFORE: dict[tuple[str, str | None, str], int] = {
    ("received", "consent", "a"): 10,
    ("status", "closed_in_period", "a"): 8,
    ("status", "open_at_end", "a"): 2,
    ("gender", "female", "a"): 10,
}
CARRIED_NOW: dict[tuple[str, str | None, str], int] = {
    ("received", "consent", "a"): 6,
    ("status", "closed_in_period", "a"): 3,
    ("status", "open_at_end", "a"): 5,
    ("gender", "female", "a"): 6,
}


def test_a_count_the_previous_report_hid_is_not_given_away_by_this_one():
    # 3 closed + 5 open - 6 received gives the 2 carried over: this report must not show all
    # three beside the first.
    before, now = CARRIED_BEFORE, CARRIED_NOW
    # The median days to closing, shown beside 8 and 3 closed cases.
    closing = {("to_closing", None): (30.0, 8)}, {("to_closing", None): (40.0, 3)}
    first = report(before, columns=COLUMNS[:1], medians=closing[0])
    assert shown(first, "status", "open_at_end") == (SMALL,)
    second = build_report(
        "Team",
        ReportingPeriod(2026, 2),
        COLUMNS[:1],
        Tally(dict(now), closing[1]),
        3,
        MADE,
        Previous(first, Tally(dict(before), closing[0])),
    )

    reader = Reader()
    reader.read(1, first, truth_of(before, KEYS[:1]))
    reader.read(0, second, truth_of(now, KEYS[:1]), carried_from=1)
    assert reader.given_away([*hidden_cells(1, first), *hidden_cells(0, second)]) == []
    # Weighed alone, the second report would show all three.
    alone = report(now, columns=COLUMNS[:1], medians=closing[1])
    assert [shown(alone, "status", r) for r in ("closed_in_period", "open_at_end")] == [(3,), (5,)]


def test_a_previous_report_for_other_municipalities_is_not_weighed():
    # The counts that, weighed against Moss's own previous report, hide more than alone.
    first = report(CARRIED_BEFORE, columns=[("a", Municipality("Sarpsborg", "3105"))])
    alone = report(CARRIED_NOW, columns=COLUMNS[:1])
    weighed = build_report(
        "Team",
        ReportingPeriod(2026, 2),
        COLUMNS[:1],
        Tally(dict(CARRIED_NOW)),
        3,
        MADE,
        Previous(first, Tally(dict(CARRIED_BEFORE))),
    )
    assert weighed.sections == alone.sections


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_no_hidden_count_can_be_worked_out_from_a_report_and_the_one_before(history):
    before_tally, before_truth = history.counted(PREVIOUS)
    tally, truth = history.counted(THIS)
    before = build_report(
        "Team", ReportingPeriod(2026, 1), history.columns, before_tally, history.threshold, MADE
    )
    now = build_report(
        "Team",
        ReportingPeriod(2026, 2),
        history.columns,
        tally,
        history.threshold,
        MADE,
        Previous(before, before_tally),
    )

    alone = Reader()
    alone.read(1, before, before_truth)
    assert alone.given_away(hidden_cells(1, before)) == []
    both = Reader()
    both.read(1, before, before_truth)
    both.read(0, now, truth, carried_from=1)
    assert both.given_away([*hidden_cells(1, before), *hidden_cells(0, now)]) == []
    for r in (before, now):
        for section in r.sections:
            for row in section.rows:
                for cell in row.cells:
                    # What is shown of a count is 0 or at least the threshold.
                    value = cell.value if cell.shown else 0
                    assert section.key == "durations" or not 0 < (value or 0) < history.threshold


def _case(municipality: int, fate: tuple[int, str | None, str | None], **kind: object) -> Made:
    made = {
        "consent": "consent",
        "reporter": "home_care",
        "classification": None,
        "violence": (),
        "vulnerability": (),
        "perpetrator": "partner",
        "gender": "female",
        "age_band": "80+",
        "outcome": "stopped",
        "measures": (),
    }
    return Made(municipality, fate, **{**made, **kind})  # type: ignore[arg-type]


# Found by hypothesis: 2 cases closed in each of Moss, Råde and Våler (one "stopped", one
# "ordinary services" each), so 3 and 3 in all. "–" for the median days to closing in each
# municipality says fewer than 3 closed there, 6 at most in all; the two outcome totals, each
# at least the threshold whether shown or "x", say 6 at least. So every municipality closed
# exactly 2 and every other outcome is 0, however much the report hides (even with every count
# an "x"): the layout gives them away, not the choice of cells to hide.
CLOSED_TWO_EACH = History(
    3,
    3,
    (
        _case(1, (THIS, None, "closed"), outcome="ordinary_services"),
        _case(2, (BEFORE, "open", "closed")),
        _case(2, (PREVIOUS, "closed", "closed"), outcome="ordinary_services"),
        _case(1, (PREVIOUS, "closed", "closed")),
        _case(0, (THIS, None, "closed")),
        _case(0, (PREVIOUS, "open", "closed"), outcome="ordinary_services"),
        *(_case(0, (BEFORE, "open", "open")) for _ in range(6)),
        _case(0, (BEFORE, None, "open"), reporter="relative"),
        _case(0, (THIS, None, "open"), consent="duty_to_avert", reporter="gp"),
    ),
)


def test_the_median_days_to_closing_do_not_give_away_the_cases_closed():
    # Each municipality closed 2 cases, one stopped and one to ordinary services. When "–" for
    # the median meant "fewer than the threshold closed", the outcome totals (at least 3 each)
    # pinned every count of the section.
    before_tally, before_truth = CLOSED_TWO_EACH.counted(PREVIOUS)
    tally, truth = CLOSED_TWO_EACH.counted(THIS)
    before = build_report("Team", H1, CLOSED_TWO_EACH.columns, before_tally, 3, MADE)
    now = build_report(
        "Team",
        ReportingPeriod(2026, 2),
        CLOSED_TWO_EACH.columns,
        tally,
        3,
        MADE,
        Previous(before, before_tally),
    )

    reader = Reader()
    reader.read(1, before, before_truth)
    reader.read(0, now, truth, carried_from=1)
    assert reader.given_away([*hidden_cells(1, before), *hidden_cells(0, now)]) == []


def test_a_median_of_fewer_cases_than_the_threshold_is_not_shown():
    medians = {
        ("to_closing", "a"): (40.0, 2),
        ("to_closing", "b"): (12.25, 3),
        ("to_closing", None): (20.0, 5),
    }
    r = report({}, medians=medians)
    assert shown(r, "durations", "to_closing") == (TOO_FEW, 12.2, TOO_FEW, 20.0)


def test_a_code_no_longer_in_the_code_list_is_counted_as_other():
    r = report({("violence", "retired_code", "a"): 7, ("received", "consent", "a"): 7})
    assert shown(r, "violence", "unlisted") == (7, 0, 0, 7)


def test_not_yet_classified_cases_have_their_own_row():
    r = report({("classification", None, "a"): 4, ("received", "consent", "a"): 4})
    assert shown(r, "classification", "none") == (4, 0, 0, 4)


def test_the_frozen_report_keeps_what_was_shown_and_never_a_hidden_number():
    r = report({("violence", "physical", "a"): 1, ("violence", "physical", "b"): 4})
    frozen = r.to_json()

    again = StatisticsReport.from_json(frozen, MADE)

    assert again.sections == r.sections
    assert again.municipalities == r.municipalities
    physical = next(
        row
        for s in frozen["sections"]
        if s["key"] == "violence"
        for row in s["rows"]
        if row["key"] == "physical"
    )
    assert physical["cells"] == [[None, SMALL], [None, HIDDEN], [0, None], [5, None]]


# --- who marks it sent ----------------------------------------------------------------------


def principal(role: Role, team_id: str, kind: TeamKind) -> Principal:
    person = Person("t", "p")
    return Principal(person, True, (Grant(role, "t", team_id, kind, frozenset({"m"})),))


def test_only_the_teams_coordinator_marks_the_report_sent():
    assert may_mark_sent(
        principal(Role.COORDINATOR, "team", TeamKind.OPERATIONAL), "team", "operational"
    )
    assert not may_mark_sent(
        principal(Role.COORDINATOR, "other", TeamKind.OPERATIONAL), "team", "operational"
    )
    assert not may_mark_sent(
        principal(Role.LEADER, "team", TeamKind.LEADERSHIP), "team", "leadership"
    )
