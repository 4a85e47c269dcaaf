"""A team's local adaptation (domain/adaptation.py): pure, no database."""

from __future__ import annotations

from domain.adaptation import Partner, RiskQuestion, TeamAdaptation
from domain.casework import RISK_QUESTIONS

OWN = TeamAdaptation(
    (RiskQuestion("a", "Er personen i fare i kveld?"), RiskQuestion("b", "Tar noen pengene?")),
    (),
    (Partner("SMISO", "38 12 38 90"),),
    "Vårt tiltakskort.",
)


def test_a_team_without_its_own_questions_asks_bufdirs() -> None:
    assert TeamAdaptation().checklist().questions == RISK_QUESTIONS


def test_a_teams_own_questions_are_its_checklist() -> None:
    assert [c.code for c in OWN.checklist().questions.codes] == ["a", "b"]
    assert OWN.checklist().questions.multiple


def test_a_question_dropped_is_kept_as_retired_and_comes_back_when_asked_again() -> None:
    fewer = OWN.replaced_by(TeamAdaptation((RiskQuestion("a", "Er personen i fare i kveld?"),)))

    assert [q.code for q in fewer.retired_risk_questions] == ["b"]
    assert fewer.label_of("b") == "Tar noen pengene?"
    again = fewer.replaced_by(OWN)
    assert again.retired_risk_questions == () and again.label_of("b") == "Tar noen pengene?"


def test_the_adaptation_is_stored_and_read_back_as_it_was() -> None:
    assert TeamAdaptation.from_json(OWN.to_json()) == OWN
    assert TeamAdaptation.from_json(None) == TeamAdaptation()
