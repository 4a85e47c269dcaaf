"""A gathering as an iCalendar file (RFC 5545, iTIP methods of RFC 5546), for members in other
tenants who cannot be sent an Outlook invitation: they download it from the card's link.

The UID stays the same for the gathering's whole life and SEQUENCE is its version, so a calendar
that already holds it replaces the old event when the file is opened again; a cancelled one
comes as METHOD:CANCEL with STATUS:CANCELLED. The file names no one but the organiser (by
display name): no attendees, no e-mail addresses of people.
"""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event, vCalAddress, vText

from cards.report_cards import OSLO
from cards.texts import Language, text
from domain.gathering import RVTS_REGION
from domain.views import GatheringView

PRODID = "-//TryggEst//Nettverkssamlinger//NO"
# iTIP wants an ORGANIZER on a REQUEST. Answers are given on the card in Teams, never by e-mail,
# so the address is one that can never reach anyone (RFC 2606's reserved .invalid).
NO_REPLY = "mailto:noreply@tryggest.invalid"
CONTENT_TYPE = "text/calendar"


def uid_of(gathering_id: str) -> str:
    return f"{gathering_id}@tryggest"


def gathering_ics(view: GatheringView, lang: Language = "nb") -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if view.cancelled else "REQUEST")

    event = Event()
    event.add("uid", uid_of(view.id))
    event.add("sequence", view.sequence)
    # When this version was made: the same file for every download of one version.
    event.add("dtstamp", view.updated_at)
    event.add("dtstart", _oslo(view.starts_at))
    event.add("dtend", _oslo(view.ends_at))
    event.add("summary", view.title)
    if view.place or view.online_url:
        event.add("location", view.place or view.online_url)
    if view.online_url:
        event.add("url", view.online_url)
    event.add("description", _description(view, lang))
    event.add("status", "CANCELLED" if view.cancelled else "CONFIRMED")
    organiser = vCalAddress(NO_REPLY)
    if view.organiser_name:
        organiser.params["CN"] = vText(view.organiser_name)
    event.add("organizer", organiser)
    calendar.add_component(event)
    # The VTIMEZONE for Europe/Oslo, so every client reads 09.00 as Oslo time.
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _oslo(moment: datetime) -> datetime:
    return moment.astimezone(OSLO)


def _description(view: GatheringView, lang: Language) -> str:
    parts = []
    if view.agenda:
        parts.append(view.agenda)
    if view.online_url:
        parts.append(text(lang, "gathering.ics.join", url=view.online_url))
    about = text(lang, "gathering.kind")
    if view.rvts_region:
        about += f", {RVTS_REGION.label(view.rvts_region, lang)}"
    parts.append(about)
    if not view.cancelled:
        parts.append(text(lang, "gathering.ics.answer", network=view.network_name))
    return "\n\n".join(parts)
