"""Every answer the bot suggests typing — in a question's hint, its examples and the message
after an answer it did not understand — is an answer the bot accepts, in every language."""

from __future__ import annotations

import re
from datetime import date

import pytest

from cards.texts import CATALOGUES, text
from domain.answers import NotUnderstood, read_answer
from domain.report import STEPS, Municipality, ReportDraft

TODAY = date(2026, 12, 7)
# What the bot shows in quotes («…», “…”) or after "for example", per language.
_QUOTED = re.compile(r"«([^»]+)»|“([^”]+)”")
_FOR_EXAMPLE = re.compile(r"(?:for eksempel|til dømes|for example)\s+([\d][\d .]*\d)", re.I)
# The messages that belong to one question besides its own texts.
_RETRIES = {"birth": ["retry.birth"], "reporter_phone": ["retry.phone"], "acute": ["retry.acute"]}


def suggestions(lang: str, step: str) -> list[str]:
    catalogue = CATALOGUES[lang]
    keys = [k for k in catalogue if k == f"q.{step}" or k.startswith(f"q.{step}.")]
    keys += _RETRIES.get(step, [])
    found = []
    for key in keys:
        shown = text(
            lang,
            key,
            first="Moss",
            second="Råde",
            examples=text(lang, f"q.{step}.examples") if f"q.{step}.examples" in catalogue else "",
        )
        found += [a or b for a, b in _QUOTED.findall(shown)]
        found += _FOR_EXAMPLE.findall(shown)
    return found


def draft_for(step: str) -> ReportDraft:
    draft = ReportDraft(municipalities=[Municipality("moss", "Moss"), Municipality("rade", "Råde")])
    draft.answer("acute", "no")
    draft.answer("consent", "anonymous" if step == "age_band" else "consent")
    return draft


CASES = [
    pytest.param(lang, step, suggestion, id=f"{lang}-{step}-{suggestion}")
    for lang in CATALOGUES
    for step in STEPS
    for suggestion in suggestions(lang, step)
]


def test_every_choice_question_suggests_something_to_type_in_every_language() -> None:
    choice_steps = {"acute", "consent", "gender", "age_band", "vulnerability", "violence"}
    choice_steps |= {"perpetrator", "knowledge", "reporter_service", "municipality"}
    missing = [(lang, s) for lang in CATALOGUES for s in choice_steps if not suggestions(lang, s)]
    assert missing == []


@pytest.mark.parametrize(("lang", "step", "suggestion"), CASES)
def test_a_suggested_answer_is_accepted(lang: str, step: str, suggestion: str) -> None:
    try:
        read_answer(step, suggestion, draft_for(step), TODAY)
    except NotUnderstood as refused:
        pytest.fail(
            f"the bot suggests «{suggestion}» for {step} ({lang}) and then refuses it: {refused.key}"
        )


# Answers no question can use, of every kind the reader refuses.
_UNUSABLE = ["", "🤷", "vet ikke", "hæ?", "blablabla", "01014112345", "Kari 912 34 567", "x" * 5000]


@pytest.mark.parametrize("lang", list(CATALOGUES))
@pytest.mark.parametrize("step", STEPS)
def test_every_refusal_has_a_sentence_in_every_language(lang: str, step: str) -> None:
    for answer in _UNUSABLE:
        try:
            read_answer(step, answer, draft_for(step), TODAY)
        except NotUnderstood as refused:
            shown = text(lang, refused.key, **refused.values, examples="«x»")
            assert shown.strip(), (step, answer, refused.key)
