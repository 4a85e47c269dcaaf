"""Scoring the anonymiser against a labelled set: recall over identifiers per kind, and
over-redaction of the other words. Used by the tests and by `bench/anonymiser.py --report`."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from domain.anonymiser.engine import anonymise

_WORDS = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    known_names: list[str]
    spans: list[tuple[int, int, str]]  # start, end, kind (the placeholder word)
    expected: str
    source: str = ""


@dataclass
class Score:
    cases: int = 0
    identifiers: Counter[str] = field(default_factory=Counter)
    caught: Counter[str] = field(default_factory=Counter)
    right_kind: Counter[str] = field(default_factory=Counter)
    other_words: int = 0
    over_redacted: int = 0
    exact: int = 0
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # id, kind, original
    overs: list[tuple[str, str]] = field(default_factory=list)  # id, word

    @property
    def recall(self) -> float:
        total = sum(self.identifiers.values())
        return sum(self.caught.values()) / total if total else 1.0

    @property
    def over_redaction(self) -> float:
        return self.over_redacted / self.other_words if self.other_words else 0.0

    def recall_of(self, kind: str) -> float:
        return self.caught[kind] / self.identifiers[kind] if self.identifiers[kind] else 1.0


def load_cases(path: Path) -> list[Case]:
    cases = []
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            cases.append(
                Case(
                    id=row["id"],
                    text=row["text"],
                    known_names=row["known_names"],
                    spans=[(s, e, k) for s, e, k in row["spans"]],
                    expected=row["expected"],
                    source=row.get("source", ""),
                )
            )
    return cases


def score(cases: Iterable[Case]) -> Score:
    result = Score()
    for case in cases:
        result.cases += 1
        output = anonymise(case.text, case.known_names)
        if output.text == case.expected:
            result.exact += 1
        covered = [False] * (len(case.text) + 1)
        kinds: dict[int, str] = {}
        for r in output.replacements:
            for i in range(r.span[0], r.span[1]):
                covered[i] = True
                kinds[i] = r.kind.value
        gold = [False] * (len(case.text) + 1)
        for start, end, kind in case.spans:
            result.identifiers[kind] += 1
            for i in range(start, end):
                gold[i] = True
            needed = [i for i in range(start, end) if not case.text[i].isspace()]
            if all(covered[i] for i in needed):
                result.caught[kind] += 1
                if any(kinds.get(i) == kind for i in needed):
                    result.right_kind[kind] += 1
            else:
                result.misses.append((case.id, kind, case.text[start:end]))
        for match in _WORDS.finditer(case.text):
            if any(gold[i] for i in range(match.start(), match.end())):
                continue
            result.other_words += 1
            if any(covered[i] for i in range(match.start(), match.end())):
                result.over_redacted += 1
                result.overs.append((case.id, match.group()))
    return result
