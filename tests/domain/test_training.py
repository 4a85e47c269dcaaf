"""The training-case generator: hundreds of distinct cases, every code reachable, what the team
chose honoured, clearly fiction, and made from the code lists alone (it reads no case)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cards.training_cards import ShownTrainingCase, training_card
from domain.codes import PERPETRATOR_RELATION, VIOLENCE_TYPE, VULNERABILITY
from domain.training import (
    BARRIER,
    LIFE_SITUATION,
    SPACE,
    check_building_blocks,
    combination,
    generate,
)
from tests.support import all_text

CASES = [generate(seed) for seed in range(SPACE)]


def test_every_code_has_its_building_blocks() -> None:
    check_building_blocks()


def test_hundreds_of_cases_and_no_two_alike() -> None:
    narratives = [c.narrative for c in CASES[:500]]

    assert len(set(narratives)) == 500


def test_the_first_numbers_never_repeat_a_combination() -> None:
    combinations = {combination(seed) for seed in range(SPACE)}

    assert len(combinations) == SPACE >= 900


def test_a_number_makes_the_same_case_every_time() -> None:
    assert generate(123) == generate(123)


@pytest.mark.parametrize(
    ("codes", "field"),
    [
        (LIFE_SITUATION, "situation"),
        (VIOLENCE_TYPE, "violence"),
        (BARRIER, "barrier"),
        (PERPETRATOR_RELATION, "perpetrator"),
    ],
)
def test_every_code_list_value_is_reachable(codes, field) -> None:
    reached = {getattr(c, field) for c in CASES}

    assert reached == {c.code for c in codes.codes}


def test_every_vulnerability_is_reachable() -> None:
    reached = {v for c in CASES for v in c.vulnerabilities}

    assert reached == {c.code for c in VULNERABILITY.codes}


def test_what_the_team_chose_is_kept_and_the_rest_varies() -> None:
    chosen = [generate(seed, "dementia_at_home", "financial", "loyalty") for seed in range(40)]

    assert {(c.situation, c.violence, c.barrier) for c in chosen} == {
        ("dementia_at_home", "financial", "loyalty")
    }
    assert len({c.narrative for c in chosen}) > 30


def test_an_unknown_choice_is_drawn_instead() -> None:
    case = generate(5, situation="not-a-code", violence="<script>")

    assert case.situation in LIFE_SITUATION and case.violence in VIOLENCE_TYPE


def test_each_case_asks_about_the_readiness_position_measures_and_confidentiality() -> None:
    questions = " ".join(generate(7).questions)

    for word in ("koordinator", "veiviser", "døråpner", "tiltak", "involvere", "taushetsplikten"):
        assert word in questions


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_the_card_says_it_is_fiction_before_the_case(lang) -> None:
    made = generate(3)
    shown = ShownTrainingCase(
        "a" * 32,
        made.title,
        made.narrative,
        made.questions,
        made.situation,
        made.violence,
        made.barrier,
    )

    words = all_text(
        {
            "attachments": [
                {
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "content": training_card(lang, shown, in_channel=True),
                }
            ]
        }
    )

    marker = {"nb": "FIKTIV SAK", "nn": "FIKTIV SAK", "en": "FICTIONAL CASE"}[lang]
    assert marker in words and words.index(marker) < words.index(made.paragraphs[0])


def test_the_generator_imports_nothing_that_could_read_a_case() -> None:
    source = Path(__file__).resolve().parents[2] / "domain" / "training.py"
    imported = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            imported.update(a.name.split(".")[0] for a in node.names)

    assert imported <= {"__future__", "random", "dataclasses", "typing", "domain"}
