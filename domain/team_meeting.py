"""The operational team's own meeting (teammøtet), as plain Python: its rhythm, when each
meeting falls, and which cases the agenda holds.

A team meets every fourteen days or once a month to go through new and open cases. Meetings are
decided in Oslo's wall-clock time, so a meeting at 10.00 stays at 10.00 across a change of
daylight-saving time. A monthly meeting keeps its weekday: the second Tuesday stays the second
Tuesday (a fifth one becomes the month's last).

The agenda arrives in the team's channel the day before, at noon. It holds, anonymised as a case
card is, the cases that are new since the last meeting held, those past the deadline for their
assessment, and those whose follow-up date has come.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dateutil.rrule import MONTHLY, WEEKLY, rrule, weekday

from domain.access import Person
from domain.calendar import OSLO, local_day
from domain.codes import Code, CodeList
from domain.gathering import MAX_PLACE, MAX_URL, read_start_and_length

RHYTHM = CodeList(
    "meeting_rhythm",
    (
        Code("fortnightly", "Hver 14. dag", "Kvar 14. dag", "Every 14 days"),
        Code(
            "monthly",
            "Hver måned, samme ukedag",
            "Kvar månad, same vekedag",
            "Monthly, on the same weekday",
        ),
    ),
)

# The agenda comes the day before, when there is still time to read it.
AGENDA_CLOCK = time(12, 0)
# Further ahead than this the first meeting is most likely a wrong year.
FURTHEST_FIRST = timedelta(days=366)

# Why a case is on the agenda, in the order the card shows them. At the series' first meeting
# there is no last one: every open case is gone through.
OPEN = "open"
NEW = "new"
PAST_DEADLINE = "past_deadline"
FOLLOW_UP = "follow_up"
REASONS = (OPEN, NEW, PAST_DEADLINE, FOLLOW_UP)


@dataclass(frozen=True)
class MeetingPlan:
    """The team's meeting as the coordinator described it, checked."""

    team_id: str
    rhythm: str
    first_starts_at: datetime  # UTC
    minutes: int
    place: str | None
    online_url: str | None


def _text(values: Mapping[str, Any], name: str) -> str:
    value = values.get(name)
    return value.strip() if isinstance(value, str) else ""


def read_meeting_form(
    values: Mapping[str, Any], teams: Iterable[str], now: datetime
) -> MeetingPlan | list[str]:
    """The form's inputs as a plan, or what is wrong with them: keys of kind sentences
    (cards/texts.py "meeting.problem.…"), in the order of the form."""
    problems: list[str] = []
    team = _text(values, "team")
    teams = list(teams)
    if not team and len(teams) == 1:
        team = teams[0]
    if team not in teams:
        problems.append("team")
    rhythm = _text(values, "rhythm")
    if rhythm not in RHYTHM:
        problems.append("rhythm")
    starts_at, minutes = read_start_and_length(values, now, FURTHEST_FIRST, problems)
    place = _text(values, "place")
    online_url = _text(values, "online_url")
    if len(place) > MAX_PLACE:
        problems.append("place_long")
    if online_url and (
        not online_url.lower().startswith("https://")
        or " " in online_url
        or len(online_url) > MAX_URL
    ):
        problems.append("url")
    if problems or starts_at is None or minutes is None:
        return problems
    return MeetingPlan(team, rhythm, starts_at, minutes, place or None, online_url or None)


def _rule(rhythm: str, first: datetime) -> rrule:
    local = first.astimezone(OSLO).replace(tzinfo=None)
    if rhythm == "fortnightly":
        return rrule(WEEKLY, interval=2, dtstart=local)
    nth = (local.day - 1) // 7 + 1
    # A fifth weekday is not in every month: the meeting is then the month's last.
    return rrule(
        MONTHLY, dtstart=local, byweekday=weekday(local.weekday(), -1 if nth == 5 else nth)
    )


_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def calendar_rule(rhythm: str, first: datetime) -> dict[str, Any]:
    """The series as an iCalendar RRULE (RFC 5545), the same rule as `next_meeting`."""
    local = first.astimezone(OSLO)
    if rhythm == "fortnightly":
        return {"freq": "weekly", "interval": 2}
    nth = (local.day - 1) // 7 + 1
    return {"freq": "monthly", "byday": f"{-1 if nth == 5 else nth}{_WEEKDAYS[local.weekday()]}"}


_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NTH = ("first", "second", "third", "fourth", "last")


def graph_recurrence(rhythm: str, first: datetime) -> dict[str, Any]:
    """The series as Microsoft Graph's patternedRecurrence, the same rule as `next_meeting`."""
    local = first.astimezone(OSLO)
    day = _DAY_NAMES[local.weekday()]
    pattern: dict[str, Any]
    if rhythm == "fortnightly":
        pattern = {"type": "weekly", "interval": 2, "daysOfWeek": [day], "firstDayOfWeek": "monday"}
    else:
        nth = (local.day - 1) // 7
        pattern = {
            "type": "relativeMonthly",
            "interval": 1,
            "daysOfWeek": [day],
            "index": _NTH[nth],
        }
    return {"pattern": pattern, "range": {"type": "noEnd", "startDate": local.date().isoformat()}}


def _utc(local: datetime) -> datetime:
    return local.replace(tzinfo=OSLO).astimezone(UTC)


def next_meeting(rhythm: str, first: datetime, after: datetime) -> datetime:
    """The first meeting that starts after `after` (UTC)."""
    local_after = after.astimezone(OSLO).replace(tzinfo=None)
    found = _rule(rhythm, first).after(local_after, inc=False)
    assert found is not None  # the rules never end
    return _utc(found)


def meetings_before(rhythm: str, first: datetime, before: datetime) -> list[datetime]:
    """Every meeting that started before `before`, newest first."""
    local_before = before.astimezone(OSLO).replace(tzinfo=None)
    local_first = first.astimezone(OSLO).replace(tzinfo=None)
    found = _rule(rhythm, first).between(local_first, local_before, inc=True)
    return [_utc(m) for m in reversed(found) if _utc(m) < before]


_DAY_MONTH = re.compile(r"(?P<d>\d{1,2})\.\s*(?P<m>\d{1,2})\.?(?:\s*(?P<y>\d{4}))?")


def meeting_on(rhythm: str, first: datetime, typed: str, now: datetime) -> datetime | None:
    """The meeting of the series on the day typed ("22.12", "22.12.2026"), if one is then and
    still ahead."""
    match = _DAY_MONTH.search(typed)
    if match is None:
        return None
    today = local_day(now)
    try:
        day = date(int(match["y"] or today.year), int(match["m"]), int(match["d"]))
    except ValueError:
        return None
    if match["y"] is None and day < today:
        day = day.replace(year=today.year + 1)  # "05.01" typed in December is next January's
    start = next_meeting(rhythm, first, datetime.combine(day, time(0), OSLO) - timedelta(seconds=1))
    return start if local_day(start) == day and start > now else None


def agenda_due(starts_at: datetime) -> datetime:
    """Noon in Oslo the day before the meeting."""
    day = local_day(starts_at) - timedelta(days=1)
    return datetime.combine(day, AGENDA_CLOCK, OSLO).astimezone(UTC)


@dataclass(frozen=True)
class OpenCase:
    """What the agenda is drawn from: a case's coded fields, nothing personal."""

    id: str
    number: str
    status: str
    created_at: datetime
    assessment_deadline: date | None  # None once assessed
    follow_up_on: date | None
    assignee: Person | None
    revision: int


@dataclass(frozen=True)
class AgendaItem:
    case: OpenCase
    reasons: tuple[str, ...]
    age_days: int


def agenda_of(
    cases: Iterable[OpenCase], meeting: datetime, since: datetime | None
) -> list[AgendaItem]:
    """The open cases to go through at the meeting starting `meeting`: new since `since` (the
    last meeting held; None at the first, where every open case is), past their assessment
    deadline, or with a follow-up due by the meeting's day. Oldest first: what has waited
    longest is talked about first."""
    day = local_day(meeting)
    items = []
    for case in cases:
        reasons = []
        if since is None:
            reasons.append(OPEN)
        elif case.created_at >= since:
            reasons.append(NEW)
        if case.assessment_deadline is not None and case.assessment_deadline < day:
            reasons.append(PAST_DEADLINE)
        if case.follow_up_on is not None and case.follow_up_on <= day:
            reasons.append(FOLLOW_UP)
        if reasons:
            items.append(AgendaItem(case, tuple(reasons), (day - local_day(case.created_at)).days))
    return sorted(items, key=lambda i: (i.case.created_at, i.case.number))


@dataclass(frozen=True)
class MeetingView:
    id: str
    tenant_id: str
    team_id: str
    team_name: str
    rhythm: str
    first_starts_at: datetime
    minutes: int
    place: str | None
    online_url: str | None
    ended_at: datetime | None
    created_at: datetime
    # The meetings of the series called off.
    called_off: tuple[datetime, ...] = ()
    # Its Outlook series and Teams meeting, when Microsoft Graph is configured.
    graph_event_id: str | None = None
    join_url: str | None = None

    @property
    def ended(self) -> bool:
        return self.ended_at is not None


@dataclass(frozen=True)
class Agenda:
    meeting: MeetingView
    starts_at: datetime
    # The last meeting held before this one; None at the series' first.
    since: datetime | None
    items: list[AgendaItem]
    cancelled: bool
    # The cases a decision was recorded for at this meeting.
    decided: frozenset[str]
