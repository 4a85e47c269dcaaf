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

from domain.choices import normalise
from domain.codes import Code, CodeList
from domain.gathering import parse_day

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
            ("telefon", "tlf", "ringte", "ringt", "ring", "oppringt", "samtale", "sms", "called"),
        ),
        Code(
            "letter",
            "Brev",
            "Brev",
            "Letter",
            ("brev", "post", "skreiv brev", "skrev brev", "lapp", "letter"),
        ),
        Code(
            "in_person",
            "Oppmøte",
            "Oppmøte",
            "In person",
            (
                "oppmote",
                "mott opp",
                "kom innom",
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

CALLER = CodeList(
    "caller",
    (
        Code(
            "self",
            "Personen selv",
            "Personen sjølv",
            "The person themself",
            ("selv", "sjolv", "seg selv", "henne selv", "han selv", "ho sjolv", "themself"),
        ),
        Code(
            "relative",
            "Pårørende",
            "Pårørande",
            "A relative",
            (
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
        ),
        Code(
            "employee",
            "En ansatt",
            "Ein tilsett",
            "An employee",
            (
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
        ),
        Code("police", "Politiet", "Politiet", "The police", ("politi", "politiet", "police")),
        Code(
            "other",
            "Andre (nabo, bank, venn)",
            "Andre (nabo, bank, ven)",
            "Someone else (neighbour, bank, friend)",
            (
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
        ),
    ),
)

# Who reported, as the half-year report counts it, for each caller who is not an employee (an
# employee is asked where they work, as in a report).
SERVICE_OF_CALLER = {
    "self": "victim",
    "relative": "relative",
    "police": "police",
    "other": "citizen",
}

# Further back than this is most likely a wrong year.
OLDEST_ENQUIRY = timedelta(days=366)

_DAYS_AGO = {
    "i dag": 0,
    "idag": 0,
    "today": 0,
    "na": 0,
    "nettopp": 0,
    "i gar": 1,
    "igar": 1,
    "yesterday": 1,
    "i forgars": 2,
    "i forrgars": 2,
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
_DAY_AND_MONTH = re.compile(r"^(?P<d>\d{1,2})[./](?P<m>\d{1,2})\.?$")


def parse_contact_day(raw: str, today: date) -> date | None:
    """The day the enquiry came, as a team member types it: "i dag", "i går", "mandag" (the
    last one), "3.12", "03.12.2026" or what a date picker sends. None when it is no day, or
    one in the future or more than a year back."""
    typed = normalise(raw).strip(" .")
    typed = re.sub(r"^(?:pa|paa|sist|forrige|on|last)\s+", "", typed)
    day: date | None = None
    if typed in _DAYS_AGO:
        day = today - timedelta(days=_DAYS_AGO[typed])
    elif typed in _WEEKDAYS:
        day = today - timedelta(days=(today.weekday() - _WEEKDAYS[typed]) % 7)
    elif match := _DAY_AND_MONTH.match(raw.strip()):
        try:
            day = date(today.year, int(match["m"]), int(match["d"]))
        except ValueError:
            return None
        if day > today:  # "28.12" typed in January is last year's
            day = day.replace(year=today.year - 1)
    else:
        day = parse_day(raw.strip())
    if day is None or day > today or today - day > OLDEST_ENQUIRY:
        return None
    return day
