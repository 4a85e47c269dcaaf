"""How a case reached the team. Most enquiries come from outside Teams, by phone, letter or in
person, from the person themself, a relative, a neighbour, the police; a team member registers
them ("ny henvendelse") and answers the report's questions on the caller's behalf.

The half-year report counts cases by channel of contact (henvendelser per kanal). Who made
contact is counted where the report counts who reported (REPORTER_SERVICE), so a caller who is
not an employee answers that question by being who they are.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from rapidfuzz.distance import OSA

from domain.choices import fold, normalise
from domain.codes import REPORTER_SERVICE, Code, CodeList

# A report an employee writes in Teams is "teams"; the rest are registered enquiries.
CONTACT_CHANNEL = CodeList(
    "contact_channel",
    (
        Code("teams", "Melding i Teams", "Melding i Teams", "Report in Teams"),
        Code(
            "phone",
            "Telefon",
            "Telefon",
            "Phone",
            (
                "telefon",
                "tlf",
                "ringte",
                "ringde",
                "ringt",
                "ring",
                "oppringt",
                "samtale",
                "sms",
                # a text or a voice message is on the phone too
                "mobil",
                "mobiltelefon",
                "tekstmelding",
                "talemelding",
                "svareren",
                "called",
            ),
        ),
        Code(
            "letter",
            "Brev",
            "Brev",
            "Letter",
            ("brev", "post", "skreiv brev", "skrev brev", "lapp", "konvolutt", "letter"),
        ),
        Code(
            "in_person",
            "Oppmøte",
            "Oppmøte",
            "In person",
            (
                "oppmote",
                "mott opp",
                "mott fram",
                # "var innom", "stakk innom": whoever came by came in person
                "innom",
                "besok",
                "besokte",
                "oppsokte",
                "oppsokt",
                "fysisk",
                # where a caller stands in the town hall, and the door they knock on or ring at
                "pa kontoret",
                "resepsjonen",
                "servicetorget",
                "pa dora",
                "pa doren",
                "ringte pa dora",
                "ringde pa dora",
                "kom hit",
                "kom til oss",
                "personlig",
                "ansikt til ansikt",
                "i skranken",
                "skranke",
                "in person",
            ),
        ),
        Code(
            "email",
            "E-post",
            "E-post",
            "E-mail",
            ("e-post", "epost", "e post", "mail", "mailet", "email", "e-mail"),
        ),
    ),
)

# What the enquiry's first question offers: every channel but a report in Teams.
ENQUIRY_CHANNEL = CodeList(
    "contact_channel",
    tuple(c for c in CONTACT_CHANNEL.codes if c.code != "teams"),
)

# Who reported, as the half-year report counts it, for each caller who is not an employee (an
# employee is asked where they work, as in a report).
SERVICE_OF_CALLER = {
    "self": "victim",
    "relative": "relative",
    "police": "police",
    "other": "citizen",
}


# A word one caller is known by is nobody else's: "kollega" is an employee's, though a reporter
# may be a colleague of the person's too.
_CALLER_WORDS = {
    "self": (
        "selv",
        "sjolv",
        "seg selv",
        "henne selv",
        "han selv",
        "ho sjolv",
        "den det gjelder",
        "den det gjeld",
        "hun det gjelder",
        "han det gjelder",
        "ho det gjeld",
        "han det gjeld",
        "personen det gjelder",
        "personen det gjeld",
        "den utsatte",
        "offeret",
        "fornærmede",
        "themself",
    ),
    "relative": (
        "parorende",
        "parorande",
        "familie",
        "datter",
        "dotter",
        "sonn",
        "son",
        "barn",
        "ektefelle",
        "kona",
        "ektemann",
        "ektemannen",
        "bror",
        "soster",
        "syster",
        "barnebarn",
        "relative",
        "daughter",
        "wife",
        "husband",
        "family",
    ),
    "employee": (
        "ansatt",
        "tilsett",
        "kollega",
        "hjemmetjenesten",
        "heimetenesta",
        "sykepleier",
        "sjukepleiar",
        "fastlege",
        "lege",
        "nav",
        "employee",
    ),
    "police": ("politi", "politiet", "police"),
    "other": (
        "nabo",
        "naboen",
        "bank",
        "banken",
        "venn",
        "ven",
        "venninne",
        "bekjent",
        "neighbour",
        "neighbor",
        "friend",
        "other",
    ),
}
_CALLER_WORDS_ELSEWHERE = {
    caller: {fold(w) for other, words in _CALLER_WORDS.items() if other != caller for w in words}
    for caller in _CALLER_WORDS
}


def _known_as_reporters(caller: str, own: tuple[str, ...]) -> tuple[str, ...]:
    """A caller's own words, and the words the report's last question knows for the same people
    as reporters: a relative, a neighbour or the police phone as they would report, and an
    employee of any service ("hjemmesykepleien", "saksbehandler i NAV") is an employee."""
    if caller == "employee":
        services = [c for c in REPORTER_SERVICE.codes if c.code not in SERVICE_OF_CALLER.values()]
    elif caller == "self":
        # The victim's own words are the reporter's first person ("meg selv"): not a caller's.
        services = []
    else:
        services = [c for c in REPORTER_SERVICE.codes if c.code == SERVICE_OF_CALLER[caller]]
    known = [w for c in services for w in (c.nb, c.nn, *c.synonyms)]
    return (*own, *(w for w in known if fold(w.lower()) not in _CALLER_WORDS_ELSEWHERE[caller]))


CALLER = CodeList(
    "caller",
    (
        Code(
            "self",
            "Personen selv",
            "Personen sjølv",
            "The person themself",
            _known_as_reporters("self", _CALLER_WORDS["self"]),
        ),
        Code(
            "relative",
            "Pårørende",
            "Pårørande",
            "A relative",
            _known_as_reporters("relative", _CALLER_WORDS["relative"]),
        ),
        Code(
            "employee",
            "En ansatt",
            "Ein tilsett",
            "An employee",
            _known_as_reporters("employee", _CALLER_WORDS["employee"]),
        ),
        Code(
            "police",
            "Politiet",
            "Politiet",
            "The police",
            _known_as_reporters("police", _CALLER_WORDS["police"]),
        ),
        Code(
            "other",
            "Andre (nabo, bank, venn)",
            "Andre (nabo, bank, ven)",
            "Someone else (neighbour, bank, friend)",
            _known_as_reporters("other", _CALLER_WORDS["other"]),
        ),
    ),
    # "sønnen til naboen": someone's relative is family to the person only if the someone is.
    kin=tuple(("relative", whose, "other") for whose in ("employee", "police", "other")),
)


# Further back than this is most likely a wrong year.
OLDEST_ENQUIRY = timedelta(days=366)

# Words for "now" and days back, read anywhere in what is typed ("naboen ringte i går kveld").
_DAYS_BACK = (
    (re.compile(r"\b(?:i ?dag|i ?morges|i ?formiddag|i ?ettermiddag|i ?kveld|today)\b"), 0),
    (re.compile(r"\b(?:nettopp|nett opp|akkurat (?:na|no))\b|^na$"), 0),
    (re.compile(r"\b(?:i ?ga+r|yesterday)\b"), 1),
    (re.compile(r"\bi ?forr?ga+rs\b"), 2),
)
# "i morgen", "neste fredag": the enquiry has already come, so a day ahead is a slip.
_AHEAD = re.compile(
    r"\b(?:i ?morgen|i ?morgon|imorra|i ?overmorgon|i ?overmorgen|neste|tomorrow)\b"
)
_AGO = re.compile(
    r"\bfor (?P<n>\d{1,2}|\w+) (?P<unit>minutt|time|timar|dag|dogn|uke|uka|veke|veka)\w*"
    r" si(?:den|dan)\b"
)
_UNIT_DAYS = {"minutt": 0, "time": 0, "timar": 0, "dag": 1, "dogn": 1}
_NUMBER_WORDS = {
    **dict.fromkeys(("en", "ei", "ein", "ett", "eit", "et"), 1),
    **{w: n for n, w in enumerate(("to", "tre", "fire", "fem", "seks", "sju"), start=2)},
    "syv": 7,
}
_WEEKDAYS = {
    **dict.fromkeys(("mandag", "mondag", "monday"), 0),
    **dict.fromkeys(("tirsdag", "tysdag", "tuesday"), 1),
    **dict.fromkeys(("onsdag", "wednesday"), 2),
    **dict.fromkeys(("torsdag", "thursday"), 3),
    **dict.fromkeys(("fredag", "friday"), 4),
    **dict.fromkeys(("lordag", "laurdag", "saturday"), 5),
    **dict.fromkeys(("sondag", "sundag", "sunday"), 6),
}
# "forrige fredag": the last one before today, a week back when today is a Friday.
_BEFORE_TODAY = {"forrige", "forre", "sist", "siste", "last"}
# "torsdag forrige uke": that day of last week.
_LAST_WEEK = re.compile(r"\b(?:forrige|forre|sist|siste) (?:uke|uka|veke|veka)\b|\blast week\b")
# A month by its first three letters, as people shorten it ("3. des", "15. okt").
_MONTHS = {
    **{m: n for n, m in enumerate(("jan", "feb", "mar", "apr", "mai", "jun"), start=1)},
    **{m: n for n, m in enumerate(("jul", "aug", "sep", "okt", "nov", "des"), start=7)},
    **{"may": 5, "oct": 10, "dec": 12},
}
# A time of day would read as a date ("kl 14.30"), so it goes first.
_CLOCK = re.compile(r"\bkl(?:okka|okken)?\.?\s*\d{1,2}(?:[.:]\d{2})?")
# Dates as typed: "2026-12-03" (a date picker), "3. desember", "3.12", "03.12.2026", "4/12-26",
# and "den 1." (this month's).
_DATES = (
    re.compile(r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)"),
    re.compile(
        r"(?<![\d.])(?P<d>\d{1,2})\.?\s*(?P<month>"
        + "|".join(_MONTHS)
        + r")[a-z]*\.?(?:\s+(?P<y>\d{4}))?"
    ),
    re.compile(
        r"(?<![\d.,/-])(?P<d>\d{1,2})[./](?P<m>\d{1,2})(?:[./-](?P<y>\d{4}|\d{2}))?(?![\d/])"
    ),
    re.compile(r"\bden (?P<d>\d{1,2})\b\.?(?!\s*\d)"),
)
# A date with no year in the future is last year's ("28.12" typed in January), unless "i år".
_THIS_YEAR = re.compile(r"\bi (?:a|aa)r\b")
_LAST_YEAR = re.compile(r"\bi fjor\b")


class _NoDay(Exception):
    """What was typed names a day that does not exist, or one ahead."""


def parse_contact_day(raw: str, today: date) -> date | None:
    """The day the enquiry came, as a team member types it, alone or in a sentence: "i dag",
    "i går kveld", "mandag" (the last one), "forrige fredag", "for tre dager siden", "3.12",
    "3. desember", "03.12.2026" or what a date picker sends. None when it names no day, two
    different days, a day that does not exist, one in the future or more than a year back."""
    try:
        days = _days_named(raw, today)
    except _NoDay:
        return None
    if len(days) != 1:
        return None
    (day,) = days
    if day > today or today - day > OLDEST_ENQUIRY:
        return None
    return day


def _days_named(raw: str, today: date) -> set[date]:
    text = _CLOCK.sub(" ", fold(raw.lower()))
    if _AHEAD.search(normalise(text)):
        raise _NoDay
    dates: set[date] = set()
    for pattern in _DATES:
        for match in pattern.finditer(text):
            dates.add(_date_of(match, text, today))
        text = pattern.sub(" ", text)
    words = normalise(text)
    weekdays = _weekdays_named(words.split(), today, bool(_LAST_WEEK.search(words)))
    named = {today - timedelta(days=back) for pattern, back in _DAYS_BACK if pattern.search(words)}
    for match in _AGO.finditer(words):
        count = match["n"]
        number = int(count) if count.isdigit() else _NUMBER_WORDS.get(count)
        if number is not None:
            named.add(today - timedelta(days=number * _UNIT_DAYS.get(match["unit"], 7)))
    if dates:
        # "fredag 4.12": a weekday beside a date only says which day it is, and must agree.
        if weekdays and any(d.weekday() not in {w.weekday() for w in weekdays} for d in dates):
            raise _NoDay
        return dates | named
    return named | set(weekdays)


def _date_of(match: re.Match[str], text: str, today: date) -> date:
    groups = match.groupdict()
    month = _MONTHS[groups["month"][:3]] if groups.get("month") else groups.get("m")
    year = groups.get("y")
    try:
        if year is not None:
            full = int(year) + (2000 if len(year) == 2 else 0)
            return date(full, int(month or today.month), int(groups["d"]))
        if month is None:  # "den 1.": this month's, or last month's if that is still ahead
            day = date(today.year, today.month, int(groups["d"]))
            if day > today:
                day = (day.replace(day=1) - timedelta(days=1)).replace(day=day.day)
            return day
        day = date(today.year, int(month), int(groups["d"]))
    except ValueError as error:
        raise _NoDay from error
    if _LAST_YEAR.search(text):
        return day.replace(year=today.year - 1)
    if day > today and not _THIS_YEAR.search(text):
        day = day.replace(year=today.year - 1)  # "28.12" typed in January is last year's
    return day


def _weekdays_named(words: list[str], today: date, last_week: bool) -> list[date]:
    found = []
    for i, word in enumerate(words):
        weekday = _weekday(word)
        if weekday is None:
            continue
        if last_week:
            monday = today - timedelta(days=today.weekday())
            found.append(monday - timedelta(days=7 - weekday))
            continue
        back = (today.weekday() - weekday) % 7
        if back == 0 and i > 0 and words[i - 1] in _BEFORE_TODAY:
            back = 7
        found.append(today - timedelta(days=back))
    return found


def _weekday(word: str) -> int | None:
    """The weekday a word names: "fredag", "fredagen", "fredagskveld", or with a slip of one
    letter ("fredga", "tordag") where that is no other weekday's."""
    for name, weekday in _WEEKDAYS.items():
        if word == name or (word.startswith(name) and word[len(name) :][:1] in ("e", "s")):
            return weekday
    if len(word) < 5:
        return None
    close = {wd for name, wd in _WEEKDAYS.items() if OSA.distance(word, name) <= 1}
    return close.pop() if len(close) == 1 else None
