"""A report (bekymringsmelding) while it is being written, and the rules for its questions.

The dialogue asks one question at a time. Which questions apply depends on earlier answers (no
identifiers in an anonymous consultation; the acute guidance only when someone is in danger), and
the next question is always the first one that applies and is still unanswered. That one rule
gives the normal order, "tilbake" (unanswer the previous question) and "Endre" from the summary
(unanswer a part), without a separate path for each.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import phonenumbers
from babel import dates as babel_dates
from rapidfuzz.distance import OSA

from domain.anonymiser.model import Kind
from domain.anonymiser.numbers import find_numbers
from domain.choices import (
    UNIT_WORDS,
    after_correction,
    ages_in,
    has_words,
    is_question,
    normalise,
    number_word,
)
from domain.codes import (
    AGE_BAND,
    CONSENT_BASIS,
    DONT_KNOW,
    GENDER,
    KNOWLEDGE_SOURCE,
    PERPETRATOR_RELATION,
    REPORTER_SERVICE,
    VIOLENCE_TYPE,
    VULNERABILITY,
    YES_NO,
    CodeList,
)
from domain.contact import CALLER, ENQUIRY_CHANNEL, SERVICE_OF_CALLER

MAX_TEXT_LENGTH = 4000
MAX_SHORT_TEXT_LENGTH = 300

# The order the questions are asked in.
STEPS: tuple[str, ...] = (
    "acute",
    "acute_guidance",
    "contact",
    "caller",
    "contacted_on",
    "consent",
    "municipality",
    "person_name",
    "birth",
    "age_band",
    "gender",
    "residence",
    "vulnerability",
    "violence",
    "perpetrator",
    "what_happened",
    "knowledge",
    "reporter_service",
    "reporter_phone",
)

# The parts of the summary, each with an "Endre" button, and the questions each part holds.
PARTS: dict[str, tuple[str, ...]] = {
    "acute": ("acute", "acute_guidance"),
    "contact": ("contact", "caller", "contacted_on"),
    "consent": ("consent",),
    "municipality": ("municipality",),
    "person": ("person_name", "birth", "age_band", "gender", "residence"),
    "vulnerability": ("vulnerability",),
    "violence": ("violence",),
    "perpetrator": ("perpetrator",),
    "what_happened": ("what_happened",),
    "knowledge": ("knowledge",),
    "reporter": ("reporter_service", "reporter_phone"),
}

CODE_LISTS: dict[str, CodeList] = {
    "acute": YES_NO,
    "contact": ENQUIRY_CHANNEL,
    "caller": CALLER,
    "consent": CONSENT_BASIS,
    "age_band": AGE_BAND,
    "gender": GENDER,
    "vulnerability": VULNERABILITY,
    "violence": VIOLENCE_TYPE,
    "perpetrator": PERPETRATOR_RELATION,
    "knowledge": KNOWLEDGE_SOURCE,
    "reporter_service": REPORTER_SERVICE,
}

IDENTIFYING_STEPS = ("person_name", "birth", "residence")
# Asked only when a team member registers an enquiry that came by phone, letter or in person.
ENQUIRY_STEPS = ("contact", "caller", "contacted_on")
# Answers that say who someone is or what happened to them (the reporter's phone included):
# the bot does not repeat them once answered, so they are not left readable in the chat.
PRIVATE_ANSWER_STEPS = (*IDENTIFYING_STEPS, "what_happened", "reporter_phone")
# What people type to leave an optional answer out (compared after normalise()).
SKIP_WORDS: tuple[str, ...] = (
    "hopp over",
    "hopp",
    "skip",
    "ingen",
    "nei",
    "nope",
    "vet ikke",
    "veit ikke",
    "veit ikkje",
    "vet ikkje",
    "aner ikke",
    "husker ikke",
    "hugsar ikkje",
    "huskar ikkje",
    "ukjent",
    "ukjend",
    "vil ikke",
    "vil ikkje",
    "helst ikke",
    "helst ikkje",
    "onsker ikke",
    "onskjer ikkje",
    "ikke oppgi",
    "ikkje oppgi",
    "trenger ikke",
    "treng ikkje",
    "ikke ring",
    "ikkje ring",
    "ikke lyst",
    "ikkje lyst",
    "unodvendig",
    "unaudsynt",
    "ikke nodvendig",
    "ikkje naudsynt",
    "hop over",
    "huske",
    "hugse",
    "dropp",
    "sporje",
    "spor",
    "vet jeg ikke",
    "veit eg ikkje",
    "hopper over",
    "hoppar over",
    "skipp",
    "ringer selv",
    "ringer sjolv",
    "kje nodvendig",
    "har ikke",
    "har ikkje",
    "dont know",
    "don t know",
    # Any denial where no number is typed: "står ikke i papirene", "æ har itj datoen her".
    "ikke",
    "ikkje",
    "ikkj",
    "itj",
    "itte",
    "kje",
    "usikker",
    "uvisst",
    "uklart",
    "ingen anelse",
    "ingen aning",
    "mangler",
    "manglar",
    "sjekke senere",
    "sjekke seinare",
    "kommer tilbake",
    "kjem tilbake",
    "pass",
    # "passer" alone is also "suits" ("det passer ikke"): only as "I pass" on this question.
    "jeg passer",
    "eg passar",
    "passer pa denne",
    "passar pa denne",
    "passer pa den",
    "passar pa den",
    "finne det ut",
    "finn det ut",
    "finner det ut",
    "se journal",
    "sja journal",
    # "anonym" only as wanting to stay so: "jeg er ikke anonym, ring meg" gives a number.
    "vaere anonym",
    "vere anonym",
    "forbli anonym",
    "forbli anonymt",
    "helst anonym",
    "helst anonymt",
    "anonymt takk",
    "sjekke",
    # "sjekker" only as checking later: "hun sjekker telefonen hans" leaves nothing out.
    "sjekker senere",
    "sjekker seinare",
    "sjekkar seinare",
    "sjekker etterpa",
    "sjekkar etterpa",
    "sjekker det",
    "sjekkar det",
    "sjekker og",
    "sjekkar og",
    "sporre",
    "not sure",
    "no idea",
)


@dataclass
class Municipality:
    id: str
    name: str


@dataclass
class ReportDraft:
    """Everything answered so far. Kept in the dialogue state (encrypted) until it is sent."""

    draft_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    answers: dict[str, Any] = field(default_factory=dict)
    # Questions answered for the reporter (one municipality only): skipped by "tilbake".
    automatic: list[str] = field(default_factory=list)
    municipalities: list[Municipality] = field(default_factory=list)
    # Answers taken back by "tilbake" or "Endre", shown again as the question's starting value
    # so nobody has to retype a long text. Never holds what consent no longer allows.
    earlier: dict[str, Any] = field(default_factory=dict)
    # A team member registers an enquiry on a caller's behalf ("ny henvendelse").
    enquiry: bool = False

    # --- which questions apply -------------------------------------------------------------

    @property
    def consent_basis(self) -> str | None:
        return self.answers.get("consent")

    @property
    def identifiable(self) -> bool:
        """With consent or under the duty to avert the report may name the person."""
        return self.consent_basis in ("consent", "duty_to_avert")

    def applies(self, step: str) -> bool:
        if step == "acute_guidance":
            return self.answers.get("acute") == "yes"
        if step in IDENTIFYING_STEPS:
            return self.consent_basis is not None and self.identifiable
        if step == "age_band":
            return self.consent_basis == "anonymous"
        if step in ENQUIRY_STEPS:
            return self.enquiry
        if step == "reporter_phone":
            # The team member who registers an enquiry is no reporter to call back.
            return not self.enquiry
        return True

    def next_step(self) -> str | None:
        """The first question that applies and is unanswered; None means: show the summary."""
        for step in STEPS:
            if self.applies(step) and step not in self.answers:
                return step
        return None

    def previous_step(self, current: str | None) -> str | None:
        """The question before `current` (None: the summary) that the reporter answered."""
        index = STEPS.index(current) if current else len(STEPS)
        for step in reversed(STEPS[:index]):
            if self.applies(step) and step in self.answers and step not in self.automatic:
                return step
        return None

    # --- changing answers ------------------------------------------------------------------

    def answer(self, step: str, value: Any) -> None:
        self.answers[step] = value
        self.earlier.pop(step, None)
        if step == "consent":
            self._drop_what_no_longer_applies()
        if step == "caller":
            self._reporter_from_caller()

    def unanswer(self, step: str) -> None:
        if step in self.answers:
            self.earlier[step] = self.answers.pop(step)
        if step in self.automatic:
            self.automatic.remove(step)

    def reopen_part(self, part: str) -> None:
        for step in PARTS.get(part, ()):
            if step not in self.automatic and step in self.answers:
                self.earlier[step] = self.answers.pop(step)

    def earlier_answer(self, step: str) -> Any:
        return self.earlier.get(step)

    def _drop_what_no_longer_applies(self) -> None:
        # An anonymous consultation must not keep a name typed before consent was changed.
        for step in (*IDENTIFYING_STEPS, "age_band"):
            if not self.applies(step):
                self.answers.pop(step, None)
                self.earlier.pop(step, None)

    def _reporter_from_caller(self) -> None:
        """Who reported, as counted, follows from a caller who is not an employee; an employee
        is asked where they work."""
        service = SERVICE_OF_CALLER.get(self.answers.get("caller", ""))
        if "reporter_service" in self.automatic:
            self.automatic.remove("reporter_service")
            self.answers.pop("reporter_service", None)
        if service is not None:
            self.answers["reporter_service"] = service
            self.automatic.append("reporter_service")

    def choose_municipality_if_only_one(self) -> None:
        if len(self.municipalities) == 1 and "municipality" not in self.answers:
            self.answers["municipality"] = self.municipalities[0].id
            self.automatic.append("municipality")

    def municipality_name(self) -> str | None:
        chosen = self.answers.get("municipality")
        return next((m.name for m in self.municipalities if m.id == chosen), None)

    def is_complete(self) -> bool:
        return self.next_step() is None

    # --- state ------------------------------------------------------------------------------

    def to_state(self) -> dict[str, Any]:
        return {
            "draft_id": self.draft_id,
            "answers": dict(self.answers),
            "automatic": list(self.automatic),
            "municipalities": [{"id": m.id, "name": m.name} for m in self.municipalities],
            "earlier": dict(self.earlier),
            "enquiry": self.enquiry,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> ReportDraft:
        return cls(
            draft_id=state["draft_id"],
            answers=dict(state.get("answers", {})),
            automatic=list(state.get("automatic", [])),
            municipalities=[Municipality(**m) for m in state.get("municipalities", [])],
            earlier=dict(state.get("earlier", {})),
            enquiry=bool(state.get("enquiry", False)),
        )


# --- free-text answers ---------------------------------------------------------------------


@dataclass(frozen=True)
class BirthDate:
    """A date of birth, or only the year when that is all the reporter knows."""

    year: int
    month: int | None = None
    day: int | None = None

    def as_text(self) -> str:
        if self.day and self.month:
            return f"{self.day:02d}.{self.month:02d}.{self.year}"
        if self.month:
            return f"{self.month:02d}.{self.year}"
        return str(self.year)


_MONTHS: dict[str, int] = {
    name: number
    for locale in ("nb", "nn", "en")
    for width in ("wide", "abbreviated")
    for number, name in babel_dates.get_month_names(width, locale=locale).items()
    for name in (name.lower().rstrip("."),)
} | {"sept": 9}
# "12.03.1945", "12/3-45", and as typed on a phone: "12 3 45", "12,03,1945", "12.03.-45".
_DATE = re.compile(
    r"(?<!\d)(\d{1,2})(?:\s*[./,-]\s*|\s+)(\d{1,2})(?:\s*[./,-]\s*-?|\s+-?)(\d{4}|\d{2})(?!\d)"
)
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})([-.])(\d{1,2})\2(\d{1,2})(?!\d)")
# "12031945": a date written as eight digits, ddmmyyyy.
_EIGHT_DIGITS = re.compile(r"(?<!\d)(\d{2})(\d{2})(1[89]\d\d|20\d\d)(?!\d)")
_WRITTEN_DATE = re.compile(r"(?<!\d)(\d{1,2})\.?\s*(?:i\s+)?([a-zæøå]+)\.?\s*-?(\d{4}|\d{2})(?!\d)")
# "12. mars" (or "12. i mars") with the year elsewhere: "født 1945 den 12. mars".
_DAY_AND_MONTH = re.compile(r"(?<!\d)(\d{1,2})\.?\s*(?:i\s+)?([a-zæøå]{3,})")
# "mars 45", "i mars -45": a month and a year's last two digits.
_MONTH_SHORT_YEAR = re.compile(r"\b([a-zæøå]{3,})\.?\s+-?(\d{2})(?!\d)")
# "04/1941", "4.1941": the month and year in figures, the day left out.
_NUMERIC_MONTH_YEAR = re.compile(r"(?<![\d./-])(0?[1-9]|1[0-2])[./-]((?:19|20)\d\d)(?![\d./-])")
# "45-modell", "årsmodell 45", "årgang 45": a birth year as a car's model or a wine's vintage.
_MODEL_YEAR = re.compile(r"(?<!\d)(\d{2})\s*-?\s*modell\b|\b(?:årsmodell|årgang)\s+-?(\d{2})(?!\d)")
# Days people name instead of a date.
_NAMED_DAYS = {
    "nyttårsaften": (12, 31),
    "nyttårsaftan": (12, 31),
    "nyårsaften": (12, 31),
    "nyårsaftan": (12, 31),
    "julaftan": (12, 24),
    "nyttårsdag": (1, 1),
    "julaften": (12, 24),
    "julekvelden": (12, 24),
    "1. juledag": (12, 25),
    "første juledag": (12, 25),
    "2. juledag": (12, 26),
    "andre juledag": (12, 26),
    "annen juledag": (12, 26),
}
_NAMED_DAY = re.compile(
    "(" + "|".join(re.escape(d) for d in _NAMED_DAYS) + r")\s+(\d{4})", re.IGNORECASE
)
_MONTH_YEAR = re.compile(r"\b([a-zæøå]+)\.?\s+(\d{4})(?!\d)")
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_DECADE = re.compile(r"(?<!\d)(1[89]\d0|20\d0)\s*-?\s*(?:tallet|talet|åra|årene)")
# "født -41", "f. 41", "'41": a year's last two digits after "født" or a dash or apostrophe.
_BORN_SHORT_YEAR = re.compile(
    r"(?:\b(?:født|fødd|f\.|fra|frå)\s*(?:i\s+)?[-'’]?|(?:^|\s)[-'’])(\d{2})(?!\d)"
)
# "170555": a date written as six digits, ddmmyy.
_SIX_DIGITS = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{2})(?!\d)")
# "den 3. i 3. -47", "17. i 5. 1944": the day, then "i" and the month's number.
_DAY_IN_MONTH = re.compile(r"(?<!\d)(\d{1,2})\.?\s*i\s*(\d{1,2})\.?\s*,?\s*-?(\d{4}|\d{2})(?!\d)")
# The verbs of an age still to be reached: "fyller 80", "blir 80", "vert 80".
_WILL_TURN = r"fyller|fyllar|fyll|blir|vert"
# "fyller 70 i år", "blir 80 i år": the age this year.
_AGE_THIS_YEAR = re.compile(
    rf"\b(?:{_WILL_TURN}|ble|vart|fylte|fylde)\s+(\d{{2,3}})\s+(?:i år|i sommar|i sommer|i vår"
    r"|i haust|i høst|i vinter|til jul|til jol|før jul|før jol|i jula|i jola"
    r"|før nyttår|til nyttår|denne måneden|denne månaden|neste uke|neste veke"
    r"|i (?:januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember))"
)
# "fyller 50 neste år", "blir åtti neste år": the age next year.
_AGE_NEXT_YEAR = re.compile(
    rf"\b(?:{_WILL_TURN})\s+(\d{{2,3}}|[a-zæøå]+)\s+(?:neste år|neste året|til neste år)"
)
# "fylte 70 i fjor", "vart 70 i fjor": the age last year.
_AGE_LAST_YEAR = re.compile(
    r"\b(?:fylte|fylde|fyllte|ble|blei|vart|var)\s+(\d{2,3})\s+(?:i fjor|i fjord|ifjor)"
)
# "to år eldre enn meg, jeg er fra 1960", "ti år yngre enn broren, han er født i 1965": an age
# told by another person's year.
_YEARS_APART = re.compile(
    r"\b(\d{1,2}|ett|eitt|et|to|tre|fire|fem|seks|sju|syv|åtte|ni|ti)\s+år\s+"
    r"(eldre|yngre)\s+enn\s+\w"
)
_SMALL_NUMBERS = {**UNIT_WORDS, "ti": 10}
# "sjette april 1950", "den tjueførste mai": a day written as an ordinal word.
_ORDINAL_UNITS = {
    "første": 1,
    "fyrste": 1,
    "andre": 2,
    "tredje": 3,
    "fjerde": 4,
    "femte": 5,
    "sjette": 6,
    "sjuende": 7,
    "syvende": 7,
    "sjuande": 7,
    "åttende": 8,
    "åttande": 8,
    "niende": 9,
    "niande": 9,
}
_ORDINAL_DAYS = {
    **_ORDINAL_UNITS,
    "tiende": 10,
    "tiande": 10,
    "ellevte": 11,
    "tolvte": 12,
    "trettende": 13,
    "trettande": 13,
    "fjortende": 14,
    "fjortande": 14,
    "femtende": 15,
    "femtande": 15,
    "sekstende": 16,
    "sekstande": 16,
    "syttende": 17,
    "syttande": 17,
    "attende": 18,
    "attande": 18,
    "nittende": 19,
    "nittande": 19,
    "tjuende": 20,
    "tjuande": 20,
    "tyvende": 20,
    "trettiende": 30,
    "trettiande": 30,
    **{f"tjue{w}": 20 + n for w, n in _ORDINAL_UNITS.items()},
    "enogtyvende": 21,
    "trettiførste": 31,
    "trettifyrste": 31,
    "enogtrettiende": 31,
}
_ORDINAL_DAY = re.compile(
    r"\b(" + "|".join(sorted(_ORDINAL_DAYS, key=len, reverse=True)) + r")\b(?=\s+[a-zæøå])"
)


# A year in words: "nitten førtifem", "nittenhundreogførtifire", "fødd i sytti-sju".
_YEAR_TENS = {
    "tjue": 2,
    "tretti": 3,
    "førti": 4,
    "forti": 4,
    "femti": 5,
    "seksti": 6,
    "sytti": 7,
    "søtti": 7,
    "åtti": 8,
    "nitti": 9,
}
_YEAR_UNITS = "|".join(w for w in UNIT_WORDS if w not in ("et", "ett", "eitt"))
_YEAR_IN_WORDS = re.compile(
    r"\b(nitten\s*(?:hundre\s*(?:og\s*)?)?|(?:født|fødd|f\.)\s*(?:i\s+)?)"
    rf"({'|'.join(_YEAR_TENS)})(?:\s*-?\s*({_YEAR_UNITS}))?\b"
)


def _year_in_digits(match: re.Match[str]) -> str:
    short = f"{_YEAR_TENS[match.group(2)]}{UNIT_WORDS.get(match.group(3) or '', 0)}"
    return f"19{short}" if match.group(1).startswith("nitten") else f"født i {short}"


def _plain_dates(text: str) -> str:
    """Dates as typed, in the forms the patterns read: "15.o4.1988" (a letter o for a zero),
    "March 3rd 1947" and "12th of June" (English ordinals), "sjette april" (a day in words),
    "nitten førtifem" (a year in words)."""
    text = _YEAR_IN_WORDS.sub(_year_in_digits, text)
    text = re.sub(r"(?<=[\d.])o(?=\d)|(?<=\d)o(?=[\d.])", "0", text)
    text = re.sub(r"(?<!\d)(\d{1,2})(?:st|nd|rd|th)\b(?:\s+of\b)?", r"\1.", text)
    # "12te mars", "1ste mai", "3dje juni": the Norwegian ordinal endings.
    text = re.sub(r"(?<!\d)(\d{1,2})(?:ste|te|de|dje|dre|nen)\b(?=\s+[a-zæøå])", r"\1.", text)
    text = _ORDINAL_DAY.sub(lambda m: f"{_ORDINAL_DAYS[m.group(1)]}.", text)
    # "march 3. 1947": the month first, as English writes it.
    return re.sub(
        r"\b([a-z]{3,})\.?\s+(\d{1,2})\.?,?\s+(\d{4})(?!\d)",
        lambda m: (
            f"{m.group(2)}. {m.group(1)} {m.group(3)}" if month_of(m.group(1)) else m.group(0)
        ),
        text,
    )


# "på 30-tallet": a decade, not a year.
_SHORT_DECADE = re.compile(r"(?<!\d)\d0\s*-?\s*(?:tallet|talet|tall|tal)\b")
_ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{6}\s?\d{5}(?!\d)")


def month_of(word: str) -> int | None:
    """'mars', 'okt', 'october', and small typos ('febuar', 'okotber') -> the month's number."""
    if word in _MONTHS:
        return _MONTHS[word]
    if len(word) >= 5:
        for name, number in _MONTHS.items():
            if len(name) >= 5 and OSA.distance(word, name, score_cutoff=2) <= 2:
                return number
    return None


def _full_year(year: int, today: date) -> int:
    """'41' is 1941 and '05' 2005 for an adult: the century that makes the person 0-99."""
    century = today.year - today.year % 100
    return century + year if century + year <= today.year else century - 100 + year


def parse_birth(text: str, today: date) -> BirthDate | None:
    """'12.03.1941', '12.3.41', '12. mars 1941', 'mars 1941', 'født 1941', 'ca 1940', or an
    age instead ('hun er 84' -> born 1942). An adult's: 18 to 120 years before today. Two
    years, a decade or a fødselsnummer are not a birth date (the number is not kept here)."""
    lowered = _plain_dates(after_correction(text.lower().strip()))
    if any(p.search(lowered) for p in (_ELEVEN_DIGITS, _DECADE, _SHORT_DECADE)):
        return None
    if re.search(r"\beller\b", lowered) and len(re.findall(r"\d+", lowered)) > 1:
        return None  # "1944 eller 45": not sure which
    birth: BirthDate | None = None
    written = _WRITTEN_DATE.search(lowered)
    month_year = _MONTH_YEAR.search(lowered)
    if match := _NAMED_DAY.search(lowered):
        month, day = _NAMED_DAYS[match.group(1)]
        birth = _valid_date(day, month, int(match.group(2)), 4, today)
    elif match := _DAY_IN_MONTH.search(lowered):
        day, month, year = (int(g) for g in match.groups())
        birth = _valid_date(day, month, year, len(match.group(3)), today)
    elif match := _ISO_DATE.search(lowered):
        year, month, day = int(match.group(1)), int(match.group(3)), int(match.group(4))
        birth = _valid_date(day, month, year, 4, today)
    elif match := _DATE.search(lowered):
        day, month, year = (int(g) for g in match.groups())
        if month > 12 >= day and "/" in match.group(0):
            day, month = month, day  # "10/25/1944": the month first, as in the US
        birth = _valid_date(day, month, year, len(match.group(3)), today)
        if birth is None and day == 0 and month <= 12:
            # "00.00.1945", "00.03.1945": the day (and month) left out, as systems write it.
            full = year if len(match.group(3)) == 4 else _full_year(year, today)
            birth = BirthDate(full, month or None)
    elif written and (named := month_of(written.group(2))):
        day, year = int(written.group(1)), int(written.group(3))
        birth = _valid_date(day, named, year, len(written.group(3)), today)
    elif month_year and (named := month_of(month_year.group(1))):
        birth = BirthDate(int(month_year.group(2)), named)
    elif (short := _MONTH_SHORT_YEAR.search(lowered)) and (named := month_of(short.group(1))):
        birth = BirthDate(_full_year(int(short.group(2)), today), named)
    elif match := _NUMERIC_MONTH_YEAR.search(lowered):
        birth = BirthDate(int(match.group(2)), int(match.group(1)))
    elif match := _MODEL_YEAR.search(lowered):
        birth = BirthDate(_full_year(int(match.group(1) or match.group(2)), today))
    elif match := _EIGHT_DIGITS.search(lowered):
        day, month, year = (int(g) for g in match.groups())
        birth = _valid_date(day, month, year, 4, today)
    elif match := _SIX_DIGITS.search(lowered):
        day, month, year = (int(g) for g in match.groups())
        birth = _valid_date(day, month, year, 2, today)
    elif match := _AGE_THIS_YEAR.search(lowered):
        birth = BirthDate(today.year - int(match.group(1)))
    elif (match := _AGE_NEXT_YEAR.search(lowered)) and (
        age := int(match.group(1)) if match.group(1).isdigit() else number_word(match.group(1))
    ):
        birth = BirthDate(today.year + 1 - age)
    elif match := _AGE_LAST_YEAR.search(lowered):
        birth = BirthDate(today.year - 1 - int(match.group(1)))
    elif (match := _YEARS_APART.search(lowered)) and len(set(_YEAR.findall(lowered))) == 1:
        apart = int(match.group(1)) if match.group(1).isdigit() else _SMALL_NUMBERS[match.group(1)]
        own = int(_YEAR.findall(lowered)[0])
        birth = BirthDate(own - apart if match.group(2) == "eldre" else own + apart)
    elif years := set(_YEAR.findall(lowered)):
        if len(years) > 1:
            return None  # "1940 eller 1941": not sure which
        year = int(years.pop())
        named = _month_in(lowered)
        on_day = next(
            (int(m.group(1)) for m in _DAY_AND_MONTH.finditer(lowered) if month_of(m.group(2))),
            None,
        )
        dated = _valid_date(on_day, named, year, 4, today) if on_day and named else None
        birth = dated or BirthDate(year, named)
    elif match := _BORN_SHORT_YEAR.search(lowered):
        named = _month_in(lowered)
        birth = BirthDate(_full_year(int(match.group(1)), today), named)
    else:
        ages = [low for low, high in ages_in(lowered) if low == high and 18 <= low <= 120]
        if len(ages) == 1:
            birth = BirthDate(today.year - ages[0])
    if birth is None or not 18 <= age_on(birth, today) <= 120:
        return None
    return birth


def _month_in(text: str) -> int | None:
    """The month a word of `text` names, the first one: "født i mars 1945" -> 3."""
    return next((m for w in re.findall(r"[a-zæøå]+", text) if (m := month_of(w))), None)


def _valid_date(day: int, month: int, year: int, digits: int, today: date) -> BirthDate | None:
    if digits == 2:
        year = _full_year(year, today)
    try:
        date(year, month, day)
    except ValueError:
        return None
    return BirthDate(year, month, day)


def age_on(birth: BirthDate, today: date) -> int:
    if birth.month is None or birth.day is None:
        return today.year - birth.year
    had_birthday = (today.month, today.day) >= (birth.month, birth.day)
    return today.year - birth.year - (0 if had_birthday else 1)


def parse_phone(text: str) -> str | None:
    """A phone number in E.164 ('+4791234567'), Norwegian when no country code is given; also
    found inside a sentence ("ring meg på 912 34 567"). None unless exactly one number is
    given."""
    found = {
        phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        for match in phonenumbers.PhoneNumberMatcher(
            text, "NO", leniency=phonenumbers.Leniency.VALID
        )
    }
    found = {n for n in found if not n.startswith("+47") or len(n) == 11}
    if len(found) == 1:
        return found.pop()
    try:
        number = phonenumbers.parse(text, "NO")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    # Five-digit service numbers (02800) reach a switchboard, not the reporter.
    return None if e164.startswith("+47") and len(e164) != 11 else e164


NBSP = "\u00a0"


def format_phone(e164: str) -> str:
    """As Norwegians write numbers: mobiles 3-2-3 ('912 34 567'), others 2-2-2-2 ('69 24 00 00').

    The spaces do not break, so a number never splits across two lines on a phone.
    """
    number = phonenumbers.parse(e164, "NO")
    national = str(number.national_number)
    if number.country_code == 47 and len(national) == 8 and national[0] in "49":
        text = f"{national[:3]} {national[3:5]} {national[5:]}"
    elif number.country_code == 47:
        text = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    else:
        text = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return text.replace(" ", NBSP)


# Not knowing, in any dialect, leaves an optional answer out too ("vet itj").
SKIP_WORDS = (*SKIP_WORDS, *(normalise(w) for w in DONT_KNOW), "ikke oversikt", "dessverre ikke")


def is_skip(text: str) -> bool:
    """Whether an optional answer is left out: "hopp over", "nei takk", "vil helst ikke", "-"."""
    if text.strip() in {"-", "–", "--"}:
        return True
    if any(ch.isdigit() for ch in text):
        return False
    typed = normalise(text)
    if typed in {"anonym", "anonymt", "passer", "passar"}:
        return True  # the one word alone
    if re.search(r"\bring(?:e|j)? meg\b", typed) and not re.search(r"\bikk(?:e|je) ring", typed):
        return False  # "nei takk, ring meg": a number is wanted, just not typed yet
    if re.search(
        r"\bneste\b(?!\s+(?:ar|aret|uke|veke|maned|manad|gang|vinter|sommar|sommer))", typed
    ):
        return True  # "neste": on to the next question, not "neste år"
    return any(re.search(rf"\b{re.escape(word)}\b", typed) for word in SKIP_WORDS)


_DONT_KNOW = tuple(normalise(w) for w in DONT_KNOW)


def says_unknown(text: str) -> bool:
    """Whether an answer says the person does not know, numbers or not: "vet ikke, men hun er
    godt over 80" leaves the birth date out rather than asking again."""
    typed = normalise(text)
    return any(re.search(rf"\b{re.escape(word)}\b", typed) for word in _DONT_KNOW)


# Identifiers that belong in no name field and in no anonymous consultation.
IDENTIFIER_KINDS = frozenset({Kind.FNR, Kind.PHONE, Kind.EMAIL, Kind.ACCOUNT})


def identifiers_in(text: str) -> set[Kind]:
    """The kinds of identifying number in a text: a fødselsnummer, phone, e-mail, account."""
    return {found.kind for found in find_numbers(text) if found.kind in IDENTIFIER_KINDS}


def is_name(text: str) -> bool:
    """Whether a name field holds something that can be a name: letters, no identifier, and
    not "vet ikke", "vil ikke si" or a question back."""
    if not has_words(text) or identifiers_in(text) or re.search(r"\d{3,}", text):
        return False
    typed = normalise(text)
    if re.search(r"\b(?:for|etter)na(?:vn|mn)", typed) and _NAMED.search(text):
        return not is_question(text)  # "fru Pedersen, fornavnet vet jeg ikke": half a name
    return not (is_question(text) or any(re.search(rf"\b{w}\b", typed) for w in _NOT_A_NAME))


# A name written with its capital: after the first word, or the first word before a comma.
_NAMED = re.compile(r"(?:\s|^)[A-ZÆØÅ][a-zæøåéü-]+(?=,)|\s[A-ZÆØÅ][a-zæøåéü-]+")


# Said in a name field by someone who does not know the name or will not give it.
_NOT_A_NAME = tuple(
    normalise(words)
    for words in (
        *DONT_KNOW,
        "husker ikke",
        "hugsar ikkje",
        "vil ikke",
        "vil ikkje",
        "kan ikke si",
        "kan ikkje seie",
        "ikke si",
        "ikkje seie",
        "rom",
    )
)
_NAME_LEAD = re.compile(
    r"^(?:(?:hun|han|ho|hen|personen|de|dei)\s+(?:heter|heiter)|(?:navnet|namnet)\s+er)"
    r"(?:\s+(?:visst|vel|nok|kanskje))?\s+",
    re.IGNORECASE,
)


def name_of(text: str) -> str:
    """The name itself: "hun heter Kari Nordmann" -> "Kari Nordmann"."""
    return _NAME_LEAD.sub("", text.strip()).strip(" .")
