"""Is someone in danger now? The first question leans to yes: a miss there can cost a life."""

from __future__ import annotations

import pytest

from domain.danger import AcuteAnswer, danger_now, read_acute_answer


@pytest.mark.parametrize(
    "typed",
    [
        "ja",
        "ja, han slår henne nå",
        "jaa",
        "han står utenfor døra med kniv",
        "ho blør",
        "ho er redd no",
        "hun sier hun vil ta livet sitt",
        "han truer med å drepe henne",
        "vet ikke",
        "kanskje",
        "nei vet ikke",
        "nei altså jo, han er der nå og truer henne",
        "hva mener du med akutt?",
        "hjelp",
    ],
)
def test_yes_in_any_wording_danger_now_or_doubt_is_acute(typed: str) -> None:
    assert read_acute_answer(typed) is AcuteAnswer.YES


@pytest.mark.parametrize(
    "typed",
    [
        "nei",
        "Nei.",
        "nope",
        "nei, ho er ikkje i fare no",
        "nei, men han slo henne i helga",
        "nei, ikke som jeg vet",
        "ikke akutt",
        "det er ingen fare akkurat nå",
        "hu e itj i fare nu",
        "no",
    ],
)
def test_a_clear_no_is_not_acute(typed: str) -> None:
    assert read_acute_answer(typed) is AcuteAnswer.NO


def test_now_in_nynorsk_or_bokmal_is_not_read_as_no() -> None:
    # "nå" folds to "na", "no" is nynorsk for now: neither may turn a danger into a no.
    assert read_acute_answer("han kaster ting etter henne nå") is AcuteAnswer.YES
    assert read_acute_answer("ja no") is AcuteAnswer.YES


@pytest.mark.parametrize("typed", ["🤷‍♀️", "?", "...", ""])
def test_an_answer_without_words_is_no_answer(typed: str) -> None:
    assert read_acute_answer(typed) is AcuteAnswer.NONE


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Han truer med å drepe henne hvis hun forteller noe.", True),
        ("Sønnen slår henne når han er full.", True),
        ("Hun er livredd for ham.", True),
        ("Sønnen slo henne i forrige uke.", False),
        ("Hun er ikke redd lenger.", False),
        ("Hun trenger hjelp til stell.", False),
    ],
)
def test_a_later_answer_is_read_for_danger_now(typed: str, expected: bool) -> None:
    assert danger_now(typed) is expected
