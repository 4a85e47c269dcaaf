"""The month a review covers: the calendar month before now, in Oslo, as stored UTC instants."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from scheduler.access_review import previous_month


@pytest.mark.parametrize(
    ("now", "label", "since", "until"),
    [
        # 1 December 00.30 in Oslo is still 30 November in UTC: already December's run.
        (
            datetime(2026, 11, 30, 23, 30, tzinfo=UTC),
            "2026-11",
            datetime(2026, 10, 31, 23, 0, tzinfo=UTC),
            datetime(2026, 11, 30, 23, 0, tzinfo=UTC),
        ),
        # 30 November 23.30 in Oslo: still November's run, which reviews October (summer time
        # at its start, winter time at its end).
        (
            datetime(2026, 11, 30, 22, 30, tzinfo=UTC),
            "2026-10",
            datetime(2026, 9, 30, 22, 0, tzinfo=UTC),
            datetime(2026, 10, 31, 23, 0, tzinfo=UTC),
        ),
        # January reviews December of the year before.
        (
            datetime(2027, 1, 1, 5, 0, tzinfo=UTC),
            "2026-12",
            datetime(2026, 11, 30, 23, 0, tzinfo=UTC),
            datetime(2026, 12, 31, 23, 0, tzinfo=UTC),
        ),
    ],
)
def test_the_review_covers_the_calendar_month_before_in_oslo(now, label, since, until):
    period = previous_month(now)
    assert (period.label, period.since, period.until) == (label, since, until)


def test_the_period_names_its_first_day():
    assert previous_month(datetime(2026, 3, 15, 12, tzinfo=UTC)).month == date(2026, 2, 1)
