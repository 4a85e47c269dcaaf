"""The gathering form and its reminder times, as plain Python."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.gathering import GatheringPlan, parse_clock, read_form, reminder_times

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
NETWORK = "network-east"
FORM = {
    "title": "Nettverkssamling våren 2027",
    "date": "2027-03-29",
    "time": "09:00",
    "duration": "180",
    "place": "Rådhuset i Moss",
    "online_url": "",
    "agenda": "",
    "region": "east",
}


def plan(**changes: str) -> GatheringPlan:
    read = read_form({**FORM, **changes}, [NETWORK], NOW)
    assert isinstance(read, GatheringPlan), read
    return read


def problems(teams_meeting_possible: bool = False, **changes: str) -> list[str]:
    read = read_form({**FORM, **changes}, [NETWORK], NOW, teams_meeting_possible)
    assert isinstance(read, list)
    return read


def test_the_time_is_read_as_oslo_time_and_stored_in_utc() -> None:
    read = plan()
    assert read.starts_at == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)  # summer time, UTC+2
    assert read.ends_at == datetime(2027, 3, 29, 10, 0, tzinfo=UTC)
    assert read.network_team_id == NETWORK  # the only one: not asked


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"title": " "}, ["title"]),
        ({"title": "x" * 201}, ["title_long"]),
        ({"date": "29/3"}, ["date"]),
        ({"time": "25:00"}, ["time"]),
        ({"date": "2026-11-28", "time": "12:00"}, ["past"]),
        ({"date": "2029-03-29"}, ["too_far"]),
        ({"duration": "17"}, ["duration"]),
        ({"place": ""}, ["where"]),
        ({"online_url": "http://teams.example/møte"}, ["url"]),
        ({"online_url": "https://teams.example/a b"}, ["url"]),
        ({"agenda": "x" * 4001}, ["agenda_long"]),
        ({"region": "oslo"}, ["region"]),
        ({"network": "someone-elses-network"}, ["network"]),
    ],
)
def test_each_mistake_is_named(changes: dict[str, str], expected: list[str]) -> None:
    assert problems(**changes) == expected


def test_every_mistake_is_named_at_once_in_the_order_of_the_form() -> None:
    assert problems(title="", date="", time="", place="", region="") == [
        "title",
        "date",
        "time",
        "where",
        "region",
    ]


def test_a_teams_meeting_is_a_place_only_when_the_bot_can_make_one() -> None:
    assert problems(place="", teams_meeting="true") == ["where"]
    read = read_form({**FORM, "place": "", "teams_meeting": "true"}, [NETWORK], NOW, True)
    assert isinstance(read, GatheringPlan) and read.teams_meeting


@pytest.mark.parametrize("typed", ["09:00", "9:00", "09.00", "09:00:00"])
def test_a_clock_is_read_as_typed_or_as_input_time_sends_it(typed: str) -> None:
    assert parse_clock(typed) is not None and parse_clock(typed).hour == 9


def test_reminders_are_at_nine_oslo_time_on_either_side_of_the_march_change() -> None:
    starts = plan().starts_at  # Monday 29 March 2027; the clocks go forward on the 28th
    assert list(reminder_times(starts, NOW)) == [
        (7, datetime(2027, 3, 22, 8, 0, tzinfo=UTC)),  # 09.00 CET
        (1, datetime(2027, 3, 28, 7, 0, tzinfo=UTC)),  # 09.00 CEST
    ]


def test_reminders_are_at_nine_oslo_time_on_either_side_of_the_october_change() -> None:
    # Monday 1 November 2027; the clocks go back on Sunday 31 October.
    starts = plan(date="2027-11-01", time="10:00").starts_at
    assert list(reminder_times(starts, NOW)) == [
        (7, datetime(2027, 10, 25, 7, 0, tzinfo=UTC)),  # 09.00 CEST
        (1, datetime(2027, 10, 31, 8, 0, tzinfo=UTC)),  # 09.00 CET, hours after the change
    ]


def test_a_reminder_whose_time_has_passed_is_left_out() -> None:
    starts = plan(date="2026-12-02").starts_at  # four days ahead
    assert [days for days, _ in reminder_times(starts, NOW)] == [1]
