"""The text catalogues: nynorsk and English say everything bokmål says, with the same
placeholders, so no user ever gets a sentence in the wrong language or a broken one."""

from __future__ import annotations

import string

import pytest

from cards.texts import EN, NB, NN, language_for_locale


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize(("name", "catalogue"), [("nn", NN), ("en", EN)])
def test_every_sentence_exists_in_each_language(name, catalogue) -> None:
    assert set(catalogue) == set(NB), f"{name}: {set(catalogue) ^ set(NB)}"


@pytest.mark.parametrize(("name", "catalogue"), [("nn", NN), ("en", EN)])
def test_each_translation_has_the_same_placeholders(name, catalogue) -> None:
    differ = [k for k in NB if placeholders(NB[k]) != placeholders(catalogue.get(k, NB[k]))]
    assert differ == [], name


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("nb-NO", "nb"),
        ("nn-NO", "nn"),
        ("en-US", "en"),
        ("en-GB", "en"),
        (None, "nb"),
        ("sv-SE", "nb"),
    ],
)
def test_the_teams_locale_picks_the_language(locale, language) -> None:
    assert language_for_locale(locale) == language
