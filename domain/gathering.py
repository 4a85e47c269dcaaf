"""Network gatherings (nettverkssamlinger), as plain Python: what the scheduling form may hold,
the answers a member can give, and when the reminders fall due.

Times are decided in Europe/Oslo and stored in UTC. A reminder "7 days before" is at 09.00 Oslo
time on that day, whatever the offset is then: zoneinfo puts it at the right instant on either
side of a daylight-saving change.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from domain.access import Person
from domain.codes import Code, CodeList

OSLO = ZoneInfo("Europe/Oslo")

# The columns' sizes (storage/models.py Gathering).
MAX_TITLE = 200
MAX_PLACE = 300
MAX_URL = 1000
MAX_AGENDA = 4000

# How long a gathering lasts, in minutes: a choice, so a phone needs one tap.
DURATIONS = (60, 90, 120, 180, 240, 300, 360, 420)
DEFAULT_DURATION = 120
# Further ahead than this is most likely a wrong year.
FURTHEST_AHEAD = timedelta(days=2 * 366)

# Reminders: this many days before, at this time of day in Oslo (the start of a working day).
REMINDER_DAYS = (7, 1)
REMINDER_CLOCK = time(9, 0)

# The five regional resource centres (RVTS) that run the networks, and gatherings for everyone.
RVTS_REGION = CodeList(
    "rvts_region",
    (
        Code("east", "RVTS Øst", "RVTS Øst", "RVTS East"),
        Code("south", "RVTS Sør", "RVTS Sør", "RVTS South"),
        Code("west", "RVTS Vest", "RVTS Vest", "RVTS West"),
        Code("central", "RVTS Midt", "RVTS Midt", "RVTS Central"),
        Code("north", "RVTS Nord", "RVTS Nord", "RVTS North"),
        Code("national", "Hele landet", "Heile landet", "The whole country"),
    ),
)

RSVP = CodeList(
    "rsvp",
    (
        Code("yes", "Kommer", "Kjem", "Coming"),
        Code("no", "Kommer ikke", "Kjem ikkje", "Not coming"),
        Code("maybe", "Kanskje", "Kanskje", "Maybe"),
    ),
)
# Who is reminded: everyone in the network but those who said no.
REMINDED_ANSWERS = frozenset({"yes", "maybe"})


@dataclass(frozen=True)
class GatheringPlan:
    """A gathering as the organiser described it, checked."""

    title: str
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC
    place: str | None
    online_url: str | None
    # The organiser wants a Teams meeting made for it (when Microsoft Graph is configured).
    teams_meeting: bool
    agenda: str | None
    rvts_region: str
    network_team_id: str


@dataclass(frozen=True)
class Counts:
    yes: int = 0
    no: int = 0
    maybe: int = 0


def _text(values: Mapping[str, Any], name: str) -> str:
    value = values.get(name)
    return value.strip() if isinstance(value, str) else ""


_TIME = re.compile(r"^(?P<h>\d{1,2})[:.](?P<m>\d{2})(?::\d{2})?$")
_NORWEGIAN_DATE = re.compile(r"^(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})$")


def parse_day(raw: str) -> date | None:
    """What Input.Date sends (2027-03-29), or a date as Norwegians type it (29.03.2027)."""
    try:
        return date.fromisoformat(raw)
    except ValueError:
        pass
    match = _NORWEGIAN_DATE.match(raw)
    if match:
        try:
            return date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            return None
    return None


def parse_clock(raw: str) -> time | None:
    """What Input.Time sends (09:00), or 9.00 as typed."""
    match = _TIME.match(raw)
    if not match:
        return None
    hour, minute = int(match["h"]), int(match["m"])
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def local_start(day: date, clock: time) -> datetime:
    """That wall-clock time in Oslo as a UTC instant. A time in the hour skipped when the clocks
    go forward is read as summer time (02.30 becomes 03.30)."""
    moment = datetime.combine(day, clock, OSLO).astimezone(UTC)
    return moment


def read_start_and_length(
    values: Mapping[str, Any], now: datetime, furthest: timedelta, problems: list[str]
) -> tuple[datetime | None, int | None]:
    """A form's "date", "time" and "duration" as a start (UTC, ahead of `now`, not further than
    `furthest`) and minutes; what is wrong is added to `problems` in the form's order."""
    day = parse_day(_text(values, "date"))
    clock = parse_clock(_text(values, "time"))
    starts_at = None
    if day is None:
        problems.append("date")
    if clock is None:
        problems.append("time")
    if day is not None and clock is not None:
        starts_at = local_start(day, clock)
        if starts_at <= now:
            problems.append("past")
        elif starts_at - now > furthest:
            problems.append("too_far")
    duration = _text(values, "duration")
    minutes = int(duration) if duration.isdigit() else None
    if minutes not in DURATIONS:
        problems.append("duration")
        minutes = None
    return starts_at, minutes


def read_form(
    values: Mapping[str, Any],
    networks: Collection[str],
    now: datetime,
    teams_meeting_possible: bool = False,
) -> GatheringPlan | list[str]:
    """The form's inputs as a plan, or what is wrong with them: the keys of kind sentences
    (cards/texts.py "gathering.problem.…"), in the order of the form."""
    problems: list[str] = []
    title = _text(values, "title")
    if not title:
        problems.append("title")
    elif len(title) > MAX_TITLE:
        problems.append("title_long")

    starts_at, minutes = read_start_and_length(values, now, FURTHEST_AHEAD, problems)

    place = _text(values, "place")
    online_url = _text(values, "online_url")
    teams_meeting = teams_meeting_possible and _text(values, "teams_meeting").lower() == "true"
    if len(place) > MAX_PLACE:
        problems.append("place_long")
    if (online_url and (not online_url.lower().startswith("https://") or " " in online_url)) or len(
        online_url
    ) > MAX_URL:
        problems.append("url")
    if not place and not online_url and not teams_meeting:
        problems.append("where")

    agenda = _text(values, "agenda")
    if len(agenda) > MAX_AGENDA:
        problems.append("agenda_long")

    region = _text(values, "region")
    if region not in RVTS_REGION:
        problems.append("region")
    network = _text(values, "network")
    if not network and len(networks) == 1:
        network = next(iter(networks))
    if network not in networks:
        problems.append("network")

    if problems or starts_at is None or minutes is None:
        return problems
    return GatheringPlan(
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        place=place or None,
        online_url=online_url or None,
        teams_meeting=teams_meeting,
        agenda=agenda or None,
        rvts_region=region,
        network_team_id=network,
    )


def reminder_times(starts_at: datetime, now: datetime) -> Iterator[tuple[int, datetime]]:
    """(days before, when) of each reminder still to come: REMINDER_CLOCK in Oslo on the day
    that many days before the gathering's own day. One already past is left out: a gathering
    planned five days ahead gets its 1-day reminder only."""
    day = starts_at.astimezone(OSLO).date()
    for days in REMINDER_DAYS:
        due = datetime.combine(day - timedelta(days=days), REMINDER_CLOCK, OSLO).astimezone(UTC)
        if now < due < starts_at:
            yield days, due


def days_until(starts_at: datetime, now: datetime) -> int:
    """How many days ahead the gathering is, by the calendar in Oslo (tomorrow is 1)."""
    return (starts_at.astimezone(OSLO).date() - now.astimezone(OSLO).date()).days


def superseded(days: int, starts_at: datetime, now: datetime) -> bool:
    """A reminder sent late (the bot was down) whose later sibling is due as well: only the
    later one goes, so nobody gets "in 7 days" and "tomorrow" at once."""
    later = [d for d in REMINDER_DAYS if d < days]
    return bool(later) and days_until(starts_at, now) <= max(later)


def reminder_key(gathering_id: str, sequence: int, days: int, person: Person) -> str:
    """One reminder per person, day and version of the gathering: a moved gathering (a new
    sequence) gets new reminders, and the old ones are cancelled."""
    return f"gathering:{gathering_id}:{sequence}:{days}d:{person.tenant_id}:{person.aad_object_id}"


def form_values(plan_like: Any) -> dict[str, str]:
    """A gathering as the form's inputs (Oslo time), to edit it."""
    local = plan_like.starts_at.astimezone(OSLO)
    minutes = int((plan_like.ends_at - plan_like.starts_at).total_seconds() // 60)
    return {
        "title": plan_like.title,
        "date": local.date().isoformat(),
        "time": f"{local:%H:%M}",
        "duration": str(minutes),
        "place": plan_like.place or "",
        "online_url": plan_like.online_url or "",
        "agenda": plan_like.agenda or "",
        "region": plan_like.rvts_region or "",
        "network": plan_like.network_team_id,
    }


@dataclass(frozen=True)
class EventDetails:
    """What an outside calendar (an Outlook event made through Microsoft Graph) is told."""

    gathering_id: str
    title: str
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC
    place: str | None
    online_url: str | None
    agenda: str | None

    @classmethod
    def of(cls, gathering_id: str, gathering: Any) -> EventDetails:
        """From a plan or a stored gathering (both have these fields)."""
        return cls(
            gathering_id,
            gathering.title,
            gathering.starts_at.astimezone(UTC),
            gathering.ends_at.astimezone(UTC),
            gathering.place,
            gathering.online_url,
            gathering.agenda,
        )


class GatheringCalendar(Protocol):
    """The organiser mailbox's calendar, when Microsoft Graph is configured (bot/ adapts
    bot/graph.py's GraphCalendar to it). Optional: without it a gathering has no Outlook event
    and lives on its card and its calendar file."""

    async def create_event(self, event: EventDetails) -> tuple[str, str | None]:
        """Make the event with a Teams meeting: (event id, the meeting's join URL or None).
        Creating the same gathering twice must make one event (Graph's transactionId)."""
        ...

    async def update_event(self, event_id: str, event: EventDetails) -> None: ...

    async def cancel_event(self, event_id: str, event: EventDetails) -> None: ...
