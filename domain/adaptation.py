"""A team's local adaptation (DOMAIN.md: "the municipality can make local adaptations"): its
own risk checklist, the partner services it works with, and its own tiltakskort. Written in
the configuration file and loaded by `tryggest org apply`; without them a team has Bufdir's.

A risk question the municipality stops asking keeps its code and words as retired, so an old
case that answered it still reads as it was written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.casework import RISK_QUESTIONS, RiskChecklist
from domain.codes import Code, CodeList


@dataclass(frozen=True)
class RiskQuestion:
    code: str
    text: str


@dataclass(frozen=True)
class Partner:
    """A service the team works with, and how to reach it (overgrepsmottak, ATV, konfliktråd,
    SMISO, senter for voldsutsatte, NAV, politiets voldskoordinator …)."""

    name: str
    phone: str | None = None
    about: str | None = None


@dataclass(frozen=True)
class TeamAdaptation:
    risk_questions: tuple[RiskQuestion, ...] = ()
    retired_risk_questions: tuple[RiskQuestion, ...] = ()
    partners: tuple[Partner, ...] = ()
    tiltakskort: str | None = None

    def checklist(self) -> RiskChecklist:
        """The checklist the team's case cards ask: its own, or Bufdir's."""
        if not self.risk_questions:
            return RiskChecklist()
        codes = tuple(Code(q.code, q.text, q.text, q.text) for q in self.risk_questions)
        return RiskChecklist(questions=CodeList(RISK_QUESTIONS.name, codes, multiple=True))

    def label_of(self, code: str) -> str | None:
        """The words of a risk question, asked now or once."""
        for question in (*self.risk_questions, *self.retired_risk_questions):
            if question.code == code:
                return question.text
        return None

    def replaced_by(self, new: TeamAdaptation) -> TeamAdaptation:
        """`new` as the file now says, keeping the words of questions no longer asked."""
        asked = {q.code for q in new.risk_questions}
        retired = {q.code: q for q in self.retired_risk_questions if q.code not in asked}
        for question in self.risk_questions:
            if question.code not in asked:
                retired[question.code] = question
        return TeamAdaptation(
            new.risk_questions,
            tuple(sorted(retired.values(), key=lambda q: q.code)),
            new.partners,
            new.tiltakskort,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "risk_questions": [{"code": q.code, "text": q.text} for q in self.risk_questions],
            "retired_risk_questions": [
                {"code": q.code, "text": q.text} for q in self.retired_risk_questions
            ],
            "partners": [
                {"name": p.name, "phone": p.phone, "about": p.about} for p in self.partners
            ],
            "tiltakskort": self.tiltakskort,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> TeamAdaptation:
        if not data:
            return cls()
        return cls(
            tuple(RiskQuestion(q["code"], q["text"]) for q in data.get("risk_questions") or ()),
            tuple(
                RiskQuestion(q["code"], q["text"]) for q in data.get("retired_risk_questions") or ()
            ),
            tuple(
                Partner(p["name"], p.get("phone"), p.get("about"))
                for p in data.get("partners") or ()
            ),
            data.get("tiltakskort"),
        )
