"""The calendar file of a gathering parses back (icalendar) to the same event, names no one but
the organiser, and tells a calendar to replace or cancel what it holds."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from icalendar import Calendar

from cards.gathering_calendar import gathering_ics
from tools.samples.gatherings import sample_gathering


def parsed(ics: bytes) -> tuple[Calendar, Any]:
    calendar = Calendar.from_ical(ics)
    [event] = calendar.events
    return calendar, event


def test_the_file_parses_back_to_the_same_event() -> None:
    view = sample_gathering()

    calendar, event = parsed(gathering_ics(view))

    assert calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]) == f"{view.id}@tryggest"
    assert event["SEQUENCE"] == 0
    assert event.start == view.starts_at
    assert event.end == view.ends_at
    assert str(event["SUMMARY"]) == view.title
    assert str(event["LOCATION"]) == view.place
    assert str(event["URL"]) == view.online_url
    assert view.agenda and view.agenda in str(event["DESCRIPTION"])
    assert event["STATUS"] == "CONFIRMED"


def test_times_are_given_in_oslo_time_with_the_zone_described() -> None:
    calendar, event = parsed(gathering_ics(sample_gathering()))

    assert str(event.start.tzinfo) == "Europe/Oslo"
    assert event.start.hour == 9
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Oslo"]


def test_only_the_organiser_is_named() -> None:
    ics = gathering_ics(sample_gathering())
    _, event = parsed(ics)

    assert event["ORGANIZER"].params["CN"] == "Lars Haugen"
    assert "ATTENDEE" not in event
    assert b"@" not in ics.replace(b"@tryggest", b"").replace(b"noreply@tryggest.invalid", b"")


def test_a_change_keeps_the_uid_and_raises_the_sequence() -> None:
    view = sample_gathering()
    moved = replace(
        view,
        sequence=1,
        starts_at=datetime(2027, 4, 12, 8, 0, tzinfo=UTC),
        ends_at=datetime(2027, 4, 12, 11, 0, tzinfo=UTC),
    )

    _, before = parsed(gathering_ics(view))
    _, after = parsed(gathering_ics(moved))

    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] == 1
    assert after.start == datetime(2027, 4, 12, 8, 0, tzinfo=UTC)


def test_a_cancelled_gathering_is_a_cancel_for_the_same_event() -> None:
    cancelled = sample_gathering(state="cancelled", sequence=2)

    calendar, event = parsed(gathering_ics(cancelled))

    assert calendar["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 2


def test_the_same_version_gives_the_same_file() -> None:
    view = sample_gathering()
    assert gathering_ics(view) == gathering_ics(view)
