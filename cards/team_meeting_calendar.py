"""The team's meeting as an iCalendar file (RFC 5545): one recurring event, so a member adds
every meeting to Outlook at once. Meetings called off are EXDATEs; an ended series gets an
UNTIL. The UID stays the series' own and SEQUENCE counts its changes, so opening the file again
replaces the event. It names no one: no organiser's address, no attendees.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vRecur

from cards.gathering_calendar import CONTENT_TYPE, NO_REPLY
from cards.report_cards import OSLO
from cards.texts import Language, text
from domain.team_meeting import MeetingView, calendar_rule

__all__ = ["CONTENT_TYPE", "meeting_ics"]

PRODID = "-//TryggEst//Teammøter//NO"


def meeting_ics(view: MeetingView, lang: Language = "nb") -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "REQUEST")

    event = Event()
    event.add("uid", f"{view.id}@tryggest")
    event.add("sequence", len(view.called_off) + (1 if view.ended else 0))
    changed = [view.created_at, *view.called_off]
    if view.ended_at is not None:
        changed.append(view.ended_at)
    event.add("dtstamp", max(changed))
    first = view.first_starts_at.astimezone(OSLO)
    event.add("dtstart", first)
    event.add("dtend", first + timedelta(minutes=view.minutes))
    rule = vRecur(calendar_rule(view.rhythm, view.first_starts_at))
    if view.ended_at is not None:
        rule["until"] = view.ended_at
    event.add("rrule", rule)
    for starts_at in view.called_off:
        event.add("exdate", _oslo(starts_at))
    event.add("summary", text(lang, "meeting.ics.title", team=view.team_name))
    if view.place or view.online_url:
        event.add("location", view.place or view.online_url)
    if view.online_url:
        event.add("url", view.online_url)
    event.add("description", text(lang, "meeting.ics.description"))
    event.add("organizer", vCalAddress(NO_REPLY))
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _oslo(moment: datetime) -> datetime:
    return moment.astimezone(OSLO)
