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

from domain.codes import (
    AGE_BAND,
    CONSENT_BASIS,
    GENDER,
    KNOWLEDGE_SOURCE,
    PERPETRATOR_RELATION,
    REPORTER_SERVICE,
    VIOLENCE_TYPE,
    VULNERABILITY,
    YES_NO,
    CodeList,
)

MAX_TEXT_LENGTH = 4000
MAX_SHORT_TEXT_LENGTH = 300

# The order the questions are asked in.
STEPS: tuple[str, ...] = (
    "acute",
    "acute_guidance",
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
SKIP_WORDS = {"hopp over", "hopp", "skip", "ingen", "nei", "vet ikke", "veit ikkje", "-"}


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
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> ReportDraft:
        return cls(
            draft_id=state["draft_id"],
            answers=dict(state.get("answers", {})),
            automatic=list(state.get("automatic", [])),
            municipalities=[Municipality(**m) for m in state.get("municipalities", [])],
            earlier=dict(state.get("earlier", {})),
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
        return str(self.year)


_DATE = re.compile(r"^\s*(\d{1,2})[./-](\d{1,2})[./-](\d{4})\s*$")
_YEAR = re.compile(r"^\s*(?:født\s+|fødd\s+|born\s+)?(\d{4})\s*$", re.IGNORECASE)


def parse_birth(text: str, today: date) -> BirthDate | None:
    """'12.03.1941' or '1941'. An adult's: 18 to 120 years before today."""
    match = _DATE.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        try:
            date(year, month, day)
        except ValueError:
            return None
        birth = BirthDate(year, month, day)
    elif match := _YEAR.match(text):
        birth = BirthDate(int(match.group(1)))
    else:
        return None
    if not 18 <= age_on(birth, today) <= 120:
        return None
    return birth


def age_on(birth: BirthDate, today: date) -> int:
    if birth.month is None or birth.day is None:
        return today.year - birth.year
    had_birthday = (today.month, today.day) >= (birth.month, birth.day)
    return today.year - birth.year - (0 if had_birthday else 1)


def age_band_for(age: int) -> str:
    for band, low, high in (
        ("18-29", 18, 29),
        ("30-49", 30, 49),
        ("50-66", 50, 66),
        ("67-79", 67, 79),
    ):
        if low <= age <= high:
            return band
    return "80+" if age >= 80 else "unknown"


def parse_phone(text: str) -> str | None:
    """A phone number in E.164 ('+4791234567'), Norwegian when no country code is given."""
    try:
        number = phonenumbers.parse(text, "NO")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


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


def is_skip(text: str) -> bool:
    return text.strip().lower().rstrip(".!") in SKIP_WORDS
