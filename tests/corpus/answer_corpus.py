"""The corpus of how people answer the report's questions (tests/corpus/answers/*.jsonl).

Written for the tests by people who never saw the parser: each line is an answer as someone
typed it, with what it must be read as. A fifth of it, chosen by a hash of the question and the
text, is held out: the parser is never tuned on it, and its accuracy is what `make test` prints.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from domain.answers import NotUnderstood, read_answer
from domain.report import ENQUIRY_STEPS, Municipality, ReportDraft

HERE = Path(__file__).parent / "answers"
TODAY = date(2026, 12, 7)
ASK_AGAIN = "ask_again"
# The municipalities the municipality file is written for.
MUNICIPALITIES = [
    Municipality("moss", "Moss"),
    Municipality("rade", "Råde"),
    Municipality("valer", "Våler"),
    Municipality("fredrikstad", "Fredrikstad"),
]


@dataclass(frozen=True)
class Entry:
    step: str
    text: str
    lang: str
    expect: Any
    note: str | None = None

    @property
    def held_out(self) -> bool:
        digest = hashlib.sha256(f"{self.step}\n{self.text}".encode()).digest()
        return digest[0] % 5 == 0

    @property
    def id(self) -> str:
        return f"{self.step}:{self.text}"


# Questions answered with codes: a label may name its one code without a list around it.
CHOICE_STEPS = {
    "consent",
    "gender",
    "age_band",
    "vulnerability",
    "violence",
    "perpetrator",
    "knowledge",
    "reporter_service",
    "municipality",
    "contact",
    "caller",
}


def load() -> list[Entry]:
    """Every answer in the corpus; <step>.jsonl and <step>.more.jsonl (a later writer's) alike."""
    entries = []
    for path in sorted(HERE.glob("*.jsonl")):
        step = path.name.split(".")[0]
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                expect = item["expect"]
                if step in CHOICE_STEPS and isinstance(expect, str) and expect != ASK_AGAIN:
                    expect = [expect]
                entries.append(Entry(step, item["text"], item["lang"], expect, item.get("note")))
    return entries


def draft_for(step: str) -> ReportDraft:
    """A draft at the point where `step` is asked: identifiable for the questions about the
    person's identity, anonymous for the age band, a registered enquiry for its own questions."""
    draft = ReportDraft(municipalities=list(MUNICIPALITIES), enquiry=step in ENQUIRY_STEPS)
    draft.answer("acute", "no")
    draft.answer("consent", "anonymous" if step == "age_band" else "consent")
    return draft


def understood(entry: Entry) -> Any:
    """What the bot makes of the entry's text, in the corpus's own terms."""
    try:
        value = read_answer(entry.step, entry.text, draft_for(entry.step), TODAY).value
    except NotUnderstood:
        return ASK_AGAIN
    if entry.step == "person_name":
        return "accept"
    if entry.step == "birth" and isinstance(value, dict):
        return {k: v for k, v in value.items() if v is not None}
    if isinstance(value, str) and entry.step not in (
        "acute",
        "acute_guidance",
        "reporter_phone",
        "person_name",
        "contacted_on",
    ):
        return [value]
    return value


def is_right(entry: Entry, got: Any) -> bool:
    expect = entry.expect
    if isinstance(expect, list) and isinstance(got, list):
        return sorted(expect) == sorted(got)
    return bool(expect == got)


@dataclass
class Tally:
    right: int = 0
    total: int = 0

    @property
    def share(self) -> float:
        return self.right / self.total if self.total else 1.0


def held_out_accuracy(entries: list[Entry]) -> dict[str, Tally]:
    """Per question, how many held-out answers are read as their label says."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    for entry in entries:
        if entry.held_out:
            tally = tallies[entry.step]
            tally.total += 1
            tally.right += is_right(entry, understood(entry))
    return dict(sorted(tallies.items()))
