"""When the team's meetings fall and what their agendas hold (domain/team_meeting.py): pure, no
database, no Teams. Times are Oslo wall-clock times, stored in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.access import Person
from domain.team_meeting import (
    FOLLOW_UP,
    NEW,
    OPEN,
    PAST_DEADLINE,
    MeetingPlan,
    OpenCase,
    agenda_due,
    agenda_of,
    graph_recurrence,
    meeting_on,
    meetings_before,
    next_meeting,
    read_meeting_form,
)

# Tuesday 1 December 2026, 10.00 in Oslo (CET).
FIRST = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def test_a_fortnightly_meeting_keeps_its_wall_clock_time_across_summer_time() -> None:
    # 23 March 2027 is CET (09.00 UTC); 6 April is CEST (08.00 UTC): 10.00 in Oslo both times.
    assert next_meeting("fortnightly", FIRST, datetime(2027, 3, 20, tzinfo=UTC)) == datetime(
        2027, 3, 23, 9, 0, tzinfo=UTC
    )
    assert next_meeting("fortnightly", FIRST, datetime(2027, 3, 24, tzinfo=UTC)) == datetime(
        2027, 4, 6, 8, 0, tzinfo=UTC
    )


def test_a_monthly_meeting_keeps_its_weekday_of_the_month() -> None:
    # The first Tuesday: 5 January, 2 February.
    assert next_meeting("monthly", FIRST, FIRST) == datetime(2027, 1, 5, 9, 0, tzinfo=UTC)
    assert next_meeting("monthly", FIRST, datetime(2027, 1, 6, tzinfo=UTC)) == datetime(
        2027, 2, 2, 9, 0, tzinfo=UTC
    )


def test_a_monthly_meeting_on_a_fifth_weekday_is_the_months_last() -> None:
    fifth_tuesday = datetime(2026, 12, 29, 9, 0, tzinfo=UTC)
    # January 2027's last Tuesday is the 26th; February has only four.
    assert next_meeting("monthly", fifth_tuesday, fifth_tuesday) == datetime(
        2027, 1, 26, 9, 0, tzinfo=UTC
    )
    assert next_meeting("monthly", fifth_tuesday, datetime(2027, 1, 27, tzinfo=UTC)) == datetime(
        2027, 2, 23, 9, 0, tzinfo=UTC
    )


def test_the_meetings_before_a_day_come_newest_first_and_never_before_the_first() -> None:
    assert meetings_before("fortnightly", FIRST, datetime(2026, 12, 30, tzinfo=UTC)) == [
        datetime(2026, 12, 29, 9, 0, tzinfo=UTC),
        datetime(2026, 12, 15, 9, 0, tzinfo=UTC),
        FIRST,
    ]
    assert meetings_before("fortnightly", FIRST, FIRST) == []


def test_the_agenda_is_due_at_noon_in_oslo_the_day_before() -> None:
    assert agenda_due(FIRST) == datetime(2026, 11, 30, 11, 0, tzinfo=UTC)
    # A Monday meeting after the clocks go forward: Sunday noon in summer time.
    assert agenda_due(datetime(2027, 3, 29, 7, 0, tzinfo=UTC)) == datetime(
        2027, 3, 28, 10, 0, tzinfo=UTC
    )


def case(
    number: str,
    created: datetime,
    deadline: date | None = None,
    follow_up: date | None = None,
) -> OpenCase:
    return OpenCase(
        number, number, "assessing", created, deadline, follow_up, Person("t", "marte"), 0
    )


def test_the_agenda_holds_new_overdue_and_due_for_follow_up_cases_oldest_first() -> None:
    since = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
    cases = [
        case("new", datetime(2026, 11, 30, 8, 0, tzinfo=UTC), deadline=date(2026, 12, 3)),
        case("overdue", datetime(2026, 11, 10, tzinfo=UTC), deadline=date(2026, 11, 13)),
        case("follow", datetime(2026, 11, 2, tzinfo=UTC), follow_up=date(2026, 12, 1)),
        case("later", datetime(2026, 11, 2, tzinfo=UTC), follow_up=date(2026, 12, 2)),
        case("quiet", datetime(2026, 11, 3, tzinfo=UTC)),
    ]

    agenda = agenda_of(cases, FIRST, since)

    assert [(i.case.number, i.reasons, i.age_days) for i in agenda] == [
        ("follow", (FOLLOW_UP,), 29),
        ("overdue", (PAST_DEADLINE,), 21),
        ("new", (NEW,), 1),
    ]


FORM = {"rhythm": "fortnightly", "date": "2026-12-01", "time": "10:00", "duration": "90"}


def test_a_filled_form_is_the_teams_plan() -> None:
    plan = read_meeting_form({**FORM, "place": " Rådhuset "}, ["team1"], NOW)

    assert plan == MeetingPlan("team1", "fortnightly", FIRST, 90, "Rådhuset", None)


@pytest.mark.parametrize(
    ("changes", "problems"),
    [
        ({"rhythm": "weekly"}, ["rhythm"]),
        ({"date": "2026-11-01"}, ["past"]),
        ({"date": "2028-01-04"}, ["too_far"]),
        ({"date": "i morgen", "time": "25:00"}, ["date", "time"]),
        ({"duration": "7"}, ["duration"]),
        ({"online_url": "http://example.no/møte"}, ["url"]),
        ({"team": "someone-elses"}, ["team"]),
    ],
)
def test_what_is_wrong_with_a_form_is_said_in_its_order(
    changes: dict[str, str], problems: list[str]
) -> None:
    assert read_meeting_form({**FORM, **changes}, ["team1"], NOW) == problems


def test_with_several_teams_the_form_must_say_which() -> None:
    assert read_meeting_form(FORM, ["team1", "team2"], NOW) == ["team"]


def test_at_the_series_first_meeting_every_open_case_is_gone_through() -> None:
    cases = [
        case("quiet", datetime(2026, 11, 3, tzinfo=UTC)),
        case("overdue", datetime(2026, 11, 10, tzinfo=UTC), deadline=date(2026, 11, 13)),
    ]

    agenda = agenda_of(cases, FIRST, None)

    assert [(i.case.number, i.reasons) for i in agenda] == [
        ("quiet", (OPEN,)),
        ("overdue", (OPEN, PAST_DEADLINE)),
    ]


@pytest.mark.parametrize(
    ("typed", "meeting"),
    [
        ("avlys teammøtet 15.12", datetime(2026, 12, 15, 9, 0, tzinfo=UTC)),
        ("avlys teammøtet 29.12.2026", datetime(2026, 12, 29, 9, 0, tzinfo=UTC)),
        ("avlys møtet 12.1", datetime(2027, 1, 12, 9, 0, tzinfo=UTC)),  # next January's
        ("avlys teammøtet 16.12", None),  # no meeting that day
        ("avlys teammøtet 1.12", None),  # already begun
        ("avlys teammøtet 31.02", None),
    ],
)
def test_a_meeting_is_found_by_the_day_typed(typed: str, meeting: datetime | None) -> None:
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

    assert meeting_on("fortnightly", FIRST, typed, now) == meeting


def test_the_series_for_outlook_follows_the_same_rule() -> None:
    assert graph_recurrence("fortnightly", FIRST) == {
        "pattern": {
            "type": "weekly",
            "interval": 2,
            "daysOfWeek": ["tuesday"],
            "firstDayOfWeek": "monday",
        },
        "range": {"type": "noEnd", "startDate": "2026-12-01"},
    }
    fifth_tuesday = datetime(2026, 12, 29, 9, 0, tzinfo=UTC)
    assert graph_recurrence("monthly", fifth_tuesday)["pattern"] == {
        "type": "relativeMonthly",
        "interval": 1,
        "daysOfWeek": ["tuesday"],
        "index": "last",
    }
