"""Time as TryggEst counts it: working days (Norwegian public holidays from `holidays`), local
mornings in Europe/Oslo, and the half-year reporting periods with Bufdir's deadlines.

Everything is stored in UTC and decided in Oslo time; zoneinfo makes 08.00 the right instant on
either side of a daylight-saving change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

OSLO = ZoneInfo("Europe/Oslo")
MORNING = time(8, 0)


@lru_cache(maxsize=16)
def _norwegian_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("NO", years=year)


def is_working_day(day: date) -> bool:
    # Sundays are public holidays in the package's Norwegian calendar; Saturdays are not.
    return day.weekday() < 5 and day not in _norwegian_holidays(day.year)


def working_days_after(start: date, count: int) -> date:
    """The `count`th working day after `start` (the day itself not counted)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    day = start
    while count:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def local_day(moment: datetime) -> date:
    return moment.astimezone(OSLO).date()


def at_oslo(day: date, clock: time = MORNING) -> datetime:
    """That wall-clock time in Oslo on that day, as a UTC instant."""
    return datetime.combine(day, clock, OSLO).astimezone(UTC)


# --- half-year reporting ------------------------------------------------------------------

_PERIOD = re.compile(r"^(?P<year>\d{4})\s*[Hh](?P<half>[12])$")


@dataclass(frozen=True, order=True)
class ReportingPeriod:
    """1 January–30 June (H1) or 1 July–31 December (H2), in Oslo time."""

    year: int
    half: int

    @classmethod
    def parse(cls, text: str) -> ReportingPeriod:
        match = _PERIOD.match(text.strip())
        if not match:
            raise ValueError(f"not a period: {text!r} (expected e.g. 2026H1)")
        return cls(int(match["year"]), int(match["half"]))

    @classmethod
    def containing(cls, moment: datetime) -> ReportingPeriod:
        day = local_day(moment)
        return cls(day.year, 1 if day.month <= 6 else 2)

    @property
    def label(self) -> str:
        return f"{self.year}H{self.half}"

    @property
    def first_day(self) -> date:
        return date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, 6, 30) if self.half == 1 else date(self.year, 12, 31)

    @property
    def starts(self) -> datetime:
        return at_oslo(self.first_day, time())

    @property
    def ends(self) -> datetime:
        """The first instant after the period."""
        return at_oslo(self.last_day + timedelta(days=1), time())

    def next(self) -> ReportingPeriod:
        return (
            ReportingPeriod(self.year, 2) if self.half == 1 else ReportingPeriod(self.year + 1, 1)
        )


@dataclass(frozen=True)
class ReportingDeadlines:
    """When Bufdir wants each half-year's report, as (month, day) after the period's end, and
    how many days before the deadline the coordinators are reminded (0: on the day).

    The deadlines are Bufdir's to set and change: configuration, with defaults of ours."""

    h1: tuple[int, int] = (8, 15)  # 15 August for January–June
    h2: tuple[int, int] = (2, 15)  # 15 February the next year for July–December
    days_before: tuple[int, ...] = (30, 14, 3, 0)
    clock: time = time(9, 0)

    @classmethod
    def parse(cls, deadlines: str, days_before: str) -> ReportingDeadlines:
        """'H1=08-15,H2=02-15' and '30,14,3,0'."""
        found: dict[str, tuple[int, int]] = {}
        for part in filter(None, (p.strip() for p in deadlines.split(","))):
            half, _, month_day = part.partition("=")
            month, _, day = month_day.partition("-")
            found[half.strip().upper()] = (int(month), int(day))
            date(2000, *found[half.strip().upper()])  # a real day of the year, or ValueError
        offsets = tuple(sorted({int(d) for d in days_before.split(",") if d.strip()}, reverse=True))
        if any(d < 0 for d in offsets):
            raise ValueError("days before a deadline cannot be negative")
        return cls(found.get("H1", cls.h1), found.get("H2", cls.h2), offsets)

    def deadline(self, period: ReportingPeriod) -> date:
        if period.half == 1:
            return date(period.year, *self.h1)
        return date(period.year + 1, *self.h2)

    def reminder_times(self, period: ReportingPeriod) -> list[tuple[int, datetime]]:
        deadline = self.deadline(period)
        return [(d, at_oslo(deadline - timedelta(days=d), self.clock)) for d in self.days_before]

    def periods_to_remind(self, now: datetime) -> list[ReportingPeriod]:
        """The periods whose deadline is still ahead (today included): the one just ended and,
        late in a period, the current one."""
        current = ReportingPeriod.containing(now)
        previous = (
            ReportingPeriod(current.year - 1, 2)
            if current.half == 1
            else ReportingPeriod(current.year, 1)
        )
        today = local_day(now)
        return [p for p in (previous, current) if self.deadline(p) >= today]
