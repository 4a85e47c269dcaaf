"""What a reporter types, or taps on a card, and the codes it becomes.

The typed answers are what a home-care nurse writes in a Teams chat on the way between two
visits: bokmål, nynorsk or English, with or without æøå, numbers from the list, half labels,
inflected, misspelt, hedged and negated. An answer that names no code, or two where one is
asked for, is refused (None) so the question is asked again, never guessed. The corpus in
tests/corpus/answers/ measures the same parser on answers written by others.
"""

from __future__ import annotations

import pytest

from domain.choices import normalise, parse_card_value, parse_choice, parse_choices
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


@pytest.mark.parametrize(
    ("typed", "codes", "expected"),
    [
        # bokmål
        pytest.param(
            "fysisk og økonomisk",
            VIOLENCE_TYPE,
            ["physical", "financial"],
            id="nb-two-joined-by-og",
        ),
        pytest.param("Psykisk vold", VIOLENCE_TYPE, ["psychological"], id="nb-whole-label"),
        pytest.param("økonomisk", VIOLENCE_TYPE, ["financial"], id="nb-start-of-label"),
        pytest.param("okonomisk", VIOLENCE_TYPE, ["financial"], id="nb-without-ø"),
        pytest.param(
            "Økonomiske overgrep",
            VIOLENCE_TYPE,
            ["financial"],
            id="nb-first-half-of-a-slashed-label",
        ),
        pytest.param(
            "fysisk, økonomisk og psykisk",
            VIOLENCE_TYPE,
            ["physical", "psychological", "financial"],
            id="nb-three",
        ),
        pytest.param("slått", VIOLENCE_TYPE, ["physical"], id="nb-synonym"),
        pytest.param("sønn", PERPETRATOR_RELATION, ["child"], id="nb-son-is-a-child"),
        pytest.param("mann", GENDER, ["male"], id="nb-man-as-gender"),
        pytest.param("mann", PERPETRATOR_RELATION, ["partner"], id="nb-husband-as-perpetrator"),
        pytest.param("80", AGE_BAND, ["80+"], id="nb-80-is-the-band-not-option-80"),
        pytest.param("over 80", AGE_BAND, ["80+"], id="nb-over-80"),
        pytest.param(
            "demens og høy alder",
            VULNERABILITY,
            ["dementia", "old_age"],
            id="nb-label-without-its-aside",
        ),
        pytest.param(
            "rus og psykisk",
            VULNERABILITY,
            ["mental_illness", "substance_use"],
            id="nb-two-vulnerabilities",
        ),
        pytest.param("Ja", YES_NO, ["yes"], id="nb-yes"),
        pytest.param("ikke akutt", YES_NO, ["no"], id="nb-not-acute"),
        pytest.param("anonym", CONSENT_BASIS, ["anonymous"], id="nb-anonymous"),
        pytest.param("Avvergeplikt", CONSENT_BASIS, ["duty_to_avert"], id="nb-duty-to-avert"),
        pytest.param("hjemmesykepleien", REPORTER_SERVICE, ["home_care"], id="nb-home-nursing"),
        pytest.param("Jeg så det selv", KNOWLEDGE_SOURCE, ["saw"], id="nb-saw-it"),
        # nynorsk
        pytest.param(
            "Psykisk vald og omsorgssvikt", VIOLENCE_TYPE, ["psychological", "neglect"], id="nn-two"
        ),
        pytest.param("Høg alder", VULNERABILITY, ["old_age"], id="nn-label-without-its-aside"),
        pytest.param("dotter", PERPETRATOR_RELATION, ["child"], id="nn-daughter"),
        pytest.param("Partnar", PERPETRATOR_RELATION, ["partner"], id="nn-partner"),
        pytest.param("ikkje samtykke", CONSENT_BASIS, ["anonymous"], id="nn-no-consent"),
        pytest.param("Eg såg det sjølv", KNOWLEDGE_SOURCE, ["saw"], id="nn-saw-it"),
        pytest.param("Heimetenesta", REPORTER_SERVICE, ["home_care"], id="nn-home-care"),
        pytest.param("veit ikkje", PERPETRATOR_RELATION, ["unknown"], id="nn-dont-know"),
        # English
        pytest.param(
            "physical and financial",
            VIOLENCE_TYPE,
            ["physical", "financial"],
            id="en-two-joined-by-and",
        ),
        pytest.param(
            "Psychological violence", VIOLENCE_TYPE, ["psychological"], id="en-whole-label"
        ),
        pytest.param(
            "financial abuse", VIOLENCE_TYPE, ["financial"], id="en-first-half-of-a-slashed-label"
        ),
        pytest.param("daughter", PERPETRATOR_RELATION, ["child"], id="en-daughter"),
        pytest.param("Woman", GENDER, ["female"], id="en-woman"),
        pytest.param("no consent", CONSENT_BASIS, ["anonymous"], id="en-no-consent"),
        pytest.param("Home care", REPORTER_SERVICE, ["home_care"], id="en-home-care"),
        # numbers and separators
        pytest.param("1, 3", VIOLENCE_TYPE, ["physical", "sexual"], id="numbers-from-the-list"),
        pytest.param("2", GENDER, ["male"], id="one-number"),
        pytest.param("fysisk/psykisk", VIOLENCE_TYPE, ["physical", "psychological"], id="slash"),
        pytest.param("fysisk + psykisk", VIOLENCE_TYPE, ["physical", "psychological"], id="plus"),
        pytest.param(
            "fysisk; psykisk", VIOLENCE_TYPE, ["physical", "psychological"], id="semicolon"
        ),
        pytest.param("fysisk samt økonomisk", VIOLENCE_TYPE, ["physical", "financial"], id="samt"),
    ],
)
def test_a_typed_answer_names_these_codes(typed: str, codes: CodeList, expected: list[str]) -> None:
    assert parse_choices(typed, codes) == expected


@pytest.mark.parametrize(
    ("typed", "codes"),
    [
        pytest.param("kanskje", VIOLENCE_TYPE, id="no-code-at-all"),
        pytest.param("hva betyr materiell?", VIOLENCE_TYPE, id="a-question-back"),
        pytest.param("", VIOLENCE_TYPE, id="empty"),
        pytest.param("   ", VIOLENCE_TYPE, id="only-spaces"),
        pytest.param(" , og ", VIOLENCE_TYPE, id="only-separators"),
        pytest.param("fys", VIOLENCE_TYPE, id="too-short-to-be-a-start"),
        pytest.param("9", VIOLENCE_TYPE, id="number-past-the-end"),
        pytest.param("0", VIOLENCE_TYPE, id="number-zero"),
    ],
)
def test_an_unclear_answer_is_refused(typed: str, codes: CodeList) -> None:
    assert parse_choices(typed, codes) is None


@pytest.mark.parametrize(
    ("typed", "codes"),
    [
        pytest.param("mann og kvinne", GENDER, id="two-genders"),
        pytest.param("1 og 2", GENDER, id="two-numbers"),
        pytest.param("ja og nei", YES_NO, id="yes-and-no"),
        pytest.param("sønn og nabo", PERPETRATOR_RELATION, id="two-perpetrators"),
        pytest.param("sønnen eller barnebarnet", PERPETRATOR_RELATION, id="alternatives"),
        pytest.param("60-70", AGE_BAND, id="an-age-span-across-two-bands"),
    ],
)
def test_two_answers_to_a_single_choice_question_are_refused(typed: str, codes: CodeList) -> None:
    assert parse_choices(typed, codes) is None


@pytest.mark.parametrize(
    ("typed", "codes", "expected"),
    [
        pytest.param("sønnen hennes", PERPETRATOR_RELATION, ["child"], id="inflected-possessive"),
        pytest.param("sonen hennar", PERPETRATOR_RELATION, ["child"], id="nn-inflected-possessive"),
        pytest.param("nabo", PERPETRATOR_RELATION, ["other"], id="a-neighbour-is-not-a-friend"),
        pytest.param("hjemesykepleien", REPORTER_SERVICE, ["home_care"], id="a-letter-missing"),
        pytest.param("økonmisk", VIOLENCE_TYPE, ["financial"], id="a-letter-left-out"),
        pytest.param("demnes", VULNERABILITY, ["dementia"], id="two-letters-swapped"),
        pytest.param("rusavhengig", VULNERABILITY, ["substance_use"], id="a-compound"),
        pytest.param(
            "fysisk og litt økonomisk",
            VIOLENCE_TYPE,
            ["physical", "financial"],
            id="a-hedge-counts",
        ),
        pytest.param(
            "ikke fysisk, men psykisk", VIOLENCE_TYPE, ["psychological"], id="a-denied-code"
        ),
        pytest.param("fysisk og noe annet", VIOLENCE_TYPE, ["physical"], id="other-words-pass"),
        pytest.param(
            "hun er dement og 84",
            VULNERABILITY,
            ["dementia", "old_age"],
            id="an-age-of-67-or-more-is-old-age",
        ),
        pytest.param("84", AGE_BAND, ["80+"], id="an-exact-age"),
        pytest.param("i 70-årene", AGE_BAND, ["67-79"], id="a-decade"),
        pytest.param("åttifire", AGE_BAND, ["80+"], id="an-age-in-words"),
        pytest.param("ho har ikkje samtykt", CONSENT_BASIS, ["anonymous"], id="denied-consent"),
        pytest.param(
            "nei, men avvergeplikt", CONSENT_BASIS, ["duty_to_avert"], id="what-follows-men"
        ),
        pytest.param("vet ikke, kanskje sønnen", PERPETRATOR_RELATION, ["child"], id="a-guess"),
        pytest.param("naboen sa det", KNOWLEDGE_SOURCE, ["told"], id="sa-is-not-saa"),
        pytest.param("Vaaler", CodeList("m", ()), None, id="nothing-to-choose-from"),
    ],
)
def test_a_natural_answer_names_these_codes(
    typed: str, codes: CodeList, expected: list[str] | None
) -> None:
    assert parse_choices(typed, codes) == expected


def test_codes_come_back_in_list_order_not_typed_order() -> None:
    assert parse_choices("økonomisk og fysisk", VIOLENCE_TYPE) == ["physical", "financial"]


def test_a_code_named_twice_is_chosen_once() -> None:
    assert parse_choices("fysisk og slått", VIOLENCE_TYPE) == ["physical"]


def test_parse_choice_gives_the_one_code_a_single_answer_names() -> None:
    assert parse_choice("sønn", PERPETRATOR_RELATION) == "child"


def test_parse_choice_refuses_an_answer_naming_two_codes() -> None:
    assert parse_choice("fysisk og psykisk", VIOLENCE_TYPE) is None


def test_parse_choice_refuses_an_unclear_answer() -> None:
    assert parse_choice("kanskje", GENDER) is None


# --- card values ---------------------------------------------------------------------------


def test_a_multi_select_card_value_gives_its_codes() -> None:
    assert parse_card_value("dementia,old_age", VULNERABILITY) == ["dementia", "old_age"]


def test_card_codes_come_back_in_list_order() -> None:
    assert parse_card_value("old_age,dementia", VULNERABILITY) == ["dementia", "old_age"]


def test_a_card_value_given_as_a_list_is_accepted() -> None:
    assert parse_card_value(["dementia", "autism"], VULNERABILITY) == ["dementia", "autism"]


@pytest.mark.parametrize(
    ("value", "codes"),
    [
        pytest.param("dementia,is_admin", VULNERABILITY, id="forged-code-beside-a-real-one"),
        pytest.param("is_admin", VULNERABILITY, id="forged-code-alone"),
        pytest.param("Demens", VULNERABILITY, id="a-label-is-not-a-code"),
        pytest.param("male,female", GENDER, id="two-codes-for-a-single-choice"),
        pytest.param("", GENDER, id="empty"),
        pytest.param(2, GENDER, id="not-text"),
        pytest.param(None, GENDER, id="none"),
    ],
)
def test_a_card_value_not_in_the_list_is_refused(value: object, codes: CodeList) -> None:
    assert parse_card_value(value, codes) is None


# --- normalise -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Økonomisk!", "okonomisk"),
        ("  Æresrelatert   VOLD ", "aeresrelatert vold"),
        ("Pårørande", "parorande"),
        ("Høg alder (67+)", "hog alder 67+"),
        ("Café", "cafe"),
    ],
)
def test_normalise_folds_case_norwegian_letters_and_punctuation(text: str, expected: str) -> None:
    assert normalise(text) == expected


# --- the code lists' words ------------------------------------------------------------------

ANSWERED_BY_TYPING = [
    AGE_BAND,
    CONSENT_BASIS,
    GENDER,
    KNOWLEDGE_SOURCE,
    PERPETRATOR_RELATION,
    REPORTER_SERVICE,
    VIOLENCE_TYPE,
    VULNERABILITY,
]


@pytest.mark.parametrize("codes", ANSWERED_BY_TYPING, ids=lambda c: c.name)
def test_no_word_in_a_list_names_two_codes(codes: CodeList) -> None:
    named: dict[str, set[str]] = {}
    for code in codes.codes:
        for word in code.synonyms:
            named.setdefault(normalise(word), set()).add(code.code)
    assert {w: c for w, c in named.items() if len(c) > 1} == {}
