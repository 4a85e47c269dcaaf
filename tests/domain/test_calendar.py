"""Working days, Oslo mornings across daylight saving, and the half-year periods."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.calendar import (
    ReportingDeadlines,
    ReportingPeriod,
    at_oslo,
    is_working_day,
    working_days_after,
)


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (date(2026, 11, 23), 3, date(2026, 11, 26)),  # Monday → Thursday
        (date(2026, 11, 26), 3, date(2026, 12, 1)),  # Thursday → over the weekend to Tuesday
        (date(2026, 11, 28), 1, date(2026, 11, 30)),  # a Saturday report counts from Monday
        # Easter 2027: Skjærtorsdag 25 March, Langfredag 26 March, 2. påskedag 29 March.
        (date(2027, 3, 24), 3, date(2027, 4, 1)),
        (date(2027, 3, 24), 6, date(2027, 4, 6)),
        # 17 May (Wednesday in 2028) is a holiday.
        (date(2028, 5, 16), 1, date(2028, 5, 18)),
        # Christmas Eve is a working day; 25 December 2026 (a Friday) is not.
        (date(2026, 12, 23), 3, date(2026, 12, 29)),
    ],
)
def test_working_days_skip_weekends_and_norwegian_holidays(start, count, expected):
    assert working_days_after(start, count) == expected


def test_constitution_day_is_not_a_working_day():
    assert not is_working_day(date(2027, 5, 17))
    assert is_working_day(date(2027, 5, 18))


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        (date(2027, 3, 27), 7),  # the day before summer time: 08.00 is UTC+1
        (date(2027, 3, 28), 6),  # the day it starts (02.00 → 03.00): 08.00 is UTC+2
        (date(2027, 10, 30), 6),
        (date(2027, 10, 31), 7),  # the day it ends (03.00 → 02.00): back to UTC+1
    ],
)
def test_eight_in_the_morning_in_oslo_is_the_right_instant_either_side_of_dst(day, utc_hour):
    assert at_oslo(day) == datetime(day.year, day.month, day.day, utc_hour, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "period"),
    [
        (datetime(2026, 6, 30, 21, 30, tzinfo=UTC), "2026H1"),  # 23.30 in Oslo, 30 June
        (datetime(2026, 6, 30, 22, 30, tzinfo=UTC), "2026H2"),  # 00.30 in Oslo, 1 July
        (datetime(2026, 12, 31, 22, 59, tzinfo=UTC), "2026H2"),
        (datetime(2026, 12, 31, 23, 0, tzinfo=UTC), "2027H1"),
    ],
)
def test_a_moment_belongs_to_the_period_of_its_oslo_date(moment, period):
    assert ReportingPeriod.containing(moment).label == period


def test_a_period_is_parsed_and_spans_its_half_year_in_oslo_time():
    period = ReportingPeriod.parse("2026h2")
    assert (period.first_day, period.last_day) == (date(2026, 7, 1), date(2026, 12, 31))
    assert period.ends == datetime(2026, 12, 31, 23, 0, tzinfo=UTC)
    with pytest.raises(ValueError):
        ReportingPeriod.parse("2026H3")


def test_deadlines_come_from_configuration_and_remind_at_nine():
    deadlines = ReportingDeadlines.parse("H1=09-01,H2=03-01", "14,0")

    assert deadlines.deadline(ReportingPeriod(2026, 2)) == date(2027, 3, 1)
    assert deadlines.reminder_times(ReportingPeriod(2026, 2)) == [
        (14, datetime(2027, 2, 15, 8, 0, tzinfo=UTC)),
        (0, datetime(2027, 3, 1, 8, 0, tzinfo=UTC)),
    ]


def test_a_deadline_that_is_not_a_day_is_refused():
    with pytest.raises(ValueError):
        ReportingDeadlines.parse("H1=02-30", "0")


def test_only_periods_whose_deadline_is_ahead_are_reminded_of():
    deadlines = ReportingDeadlines()
    assert [p.label for p in deadlines.periods_to_remind(datetime(2027, 2, 1, tzinfo=UTC))] == [
        "2026H2",
        "2027H1",
    ]
    assert [p.label for p in deadlines.periods_to_remind(datetime(2027, 3, 1, tzinfo=UTC))] == [
        "2027H1"
    ]
