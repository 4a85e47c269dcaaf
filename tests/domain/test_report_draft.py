"""The rules of a report while it is being written, and the case made from it when it is sent."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from domain.case import Reporter, case_from_draft, format_case_number
from domain.codes import age_band_for
from domain.report import (
    IDENTIFYING_STEPS,
    PARTS,
    BirthDate,
    Municipality,
    ReportDraft,
    age_on,
    format_phone,
    is_skip,
    parse_birth,
    parse_phone,
)

TODAY = date(2026, 11, 28)
SARPSBORG = Municipality("m-sarpsborg", "Sarpsborg")
FREDRIKSTAD = Municipality("m-fredrikstad", "Fredrikstad")
REPORTER = Reporter("11111111-2222-3333-4444-555555555555", "7faf8ab2-3d56-4244-b585-20c8a42ed2b8")

# What a home-care nurse answers, in the stored form the dialogue keeps.
ANSWERS: dict[str, Any] = {
    "acute": "no",
    "acute_guidance": "continue",
    "municipality": SARPSBORG.id,
    "person_name": "Kari Nordmann",
    "birth": {"year": 1941, "month": 3, "day": 12},
    "age_band": "80+",
    "gender": "female",
    "residence": "Storgata 1, 1706 Sarpsborg",
    "vulnerability": ["dementia", "old_age"],
    "violence": ["physical", "financial"],
    "perpetrator": "child",
    "what_happened": "Sønnen tar bankkortet hennes og hun har blåmerker på armene.",
    "knowledge": "saw",
    "reporter_service": "home_care",
    "reporter_phone": "+4791234567",
}


def new_draft(*municipalities: Municipality) -> ReportDraft:
    draft = ReportDraft(municipalities=list(municipalities or (SARPSBORG,)))
    draft.choose_municipality_if_only_one()
    return draft


def walk(draft: ReportDraft, **answers: Any) -> list[str]:
    """Answer every question the draft asks, as the dialogue does; returns the steps asked."""
    given = {**ANSWERS, **answers}
    asked = []
    while (step := draft.next_step()) is not None:
        asked.append(step)
        draft.answer(step, given[step])
    return asked


def finished(consent: str = "consent", **answers: Any) -> ReportDraft:
    draft = new_draft()
    walk(draft, consent=consent, **answers)
    return draft


# --- which questions are asked -------------------------------------------------------------


def test_a_new_report_asks_about_acute_danger_first() -> None:
    assert new_draft().next_step() == "acute"


@pytest.mark.parametrize(("acute", "next_step"), [("yes", "acute_guidance"), ("no", "consent")])
def test_acute_guidance_is_asked_only_when_someone_is_in_danger(acute: str, next_step: str) -> None:
    draft = new_draft()
    draft.answer("acute", acute)
    assert draft.next_step() == next_step


def test_acute_guidance_stops_applying_when_acute_is_changed_to_no() -> None:
    draft = new_draft()
    draft.answer("acute", "yes")
    draft.answer("acute", "no")
    assert not draft.applies("acute_guidance")


def test_the_anonymous_path_never_asks_for_name_birth_or_residence() -> None:
    asked = walk(new_draft(), consent="anonymous")
    assert not set(IDENTIFYING_STEPS) & set(asked)


def test_the_anonymous_path_asks_for_an_age_band_instead_of_a_birth_date() -> None:
    assert "age_band" in walk(new_draft(), consent="anonymous")


@pytest.mark.parametrize("consent", ["consent", "duty_to_avert"])
def test_with_consent_or_duty_to_avert_the_person_is_named(consent: str) -> None:
    asked = walk(new_draft(), consent=consent)
    assert set(IDENTIFYING_STEPS) <= set(asked)
    assert "age_band" not in asked


def test_no_identifying_question_applies_before_consent_is_answered() -> None:
    draft = new_draft()
    assert not any(draft.applies(step) for step in IDENTIFYING_STEPS)


def test_changing_consent_to_anonymous_drops_name_birth_and_residence() -> None:
    draft = finished("consent")
    draft.answer("consent", "anonymous")
    assert not set(IDENTIFYING_STEPS) & set(draft.answers)


def test_changing_consent_to_anonymous_then_asks_for_the_age_band() -> None:
    draft = finished("consent")
    draft.answer("consent", "anonymous")
    assert draft.next_step() == "age_band"


def test_changing_consent_from_anonymous_drops_the_age_band() -> None:
    draft = finished("anonymous")
    draft.answer("consent", "consent")
    assert "age_band" not in draft.answers
    assert draft.next_step() == "person_name"


def test_a_report_with_every_question_answered_is_complete() -> None:
    draft = finished()
    assert draft.next_step() is None
    assert draft.is_complete()


# --- the municipality ----------------------------------------------------------------------


def test_the_only_municipality_is_chosen_for_the_reporter() -> None:
    draft = new_draft(SARPSBORG)
    assert draft.answers["municipality"] == SARPSBORG.id
    assert draft.municipality_name() == "Sarpsborg"


def test_with_several_municipalities_the_reporter_is_asked() -> None:
    draft = new_draft(SARPSBORG, FREDRIKSTAD)
    draft.answer("acute", "no")
    draft.answer("consent", "consent")
    assert draft.next_step() == "municipality"


def test_an_automatic_choice_does_not_replace_an_answer() -> None:
    draft = ReportDraft(municipalities=[SARPSBORG])
    draft.answer("municipality", "m-other")
    draft.choose_municipality_if_only_one()
    assert draft.answers["municipality"] == "m-other"
    assert draft.automatic == []


# --- going back and changing a part --------------------------------------------------------


def test_previous_step_skips_an_automatic_municipality() -> None:
    draft = new_draft(SARPSBORG)
    draft.answer("acute", "no")
    draft.answer("consent", "consent")
    assert draft.previous_step("person_name") == "consent"


def test_previous_step_from_the_summary_is_the_last_question() -> None:
    assert finished().previous_step(None) == "reporter_phone"


def test_previous_step_skips_questions_that_do_not_apply() -> None:
    assert finished("anonymous").previous_step("vulnerability") == "gender"


def test_the_first_question_has_no_previous_step() -> None:
    assert finished().previous_step("acute") is None


def test_an_unanswered_step_is_asked_again() -> None:
    draft = finished()
    draft.unanswer("violence")
    assert draft.next_step() == "violence"


def test_unanswering_an_automatic_answer_forgets_that_it_was_automatic() -> None:
    draft = new_draft(SARPSBORG)
    draft.unanswer("municipality")
    assert "municipality" not in draft.answers
    assert "municipality" not in draft.automatic


def test_reopening_the_person_part_unanswers_its_questions() -> None:
    draft = finished()
    draft.reopen_part("person")
    assert not set(PARTS["person"]) & set(draft.answers)
    assert draft.next_step() == "person_name"


def test_reopening_a_part_keeps_the_other_answers() -> None:
    draft = finished()
    draft.reopen_part("person")
    assert draft.answers["violence"] == ["physical", "financial"]
    assert draft.answers["reporter_phone"] == "+4791234567"


def test_reopening_the_municipality_keeps_an_automatic_choice() -> None:
    draft = finished()
    draft.reopen_part("municipality")
    assert draft.answers["municipality"] == SARPSBORG.id


def test_reopening_an_unknown_part_changes_nothing() -> None:
    draft = finished()
    before = dict(draft.answers)
    draft.reopen_part("no_such_part")
    assert draft.answers == before


# --- state ---------------------------------------------------------------------------------


def test_a_draft_survives_the_trip_through_dialogue_state() -> None:
    draft = finished()
    state = json.loads(json.dumps(draft.to_state()))
    assert ReportDraft.from_state(state) == draft


def test_a_draft_from_state_does_not_share_its_answers_with_the_state() -> None:
    state = finished().to_state()
    draft = ReportDraft.from_state(state)
    draft.unanswer("violence")
    assert "violence" in state["answers"]


# --- birth dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12.03.1941", BirthDate(1941, 3, 12)),
        ("1.3.1941", BirthDate(1941, 3, 1)),
        ("12-03-1941", BirthDate(1941, 3, 12)),
        ("12/03/1941", BirthDate(1941, 3, 12)),
        ("1941", BirthDate(1941)),
        ("født 1941", BirthDate(1941)),
        ("Født 1941", BirthDate(1941)),
        ("fødd 1941", BirthDate(1941)),
        ("born 1941", BirthDate(1941)),
        ("28.11.2008", BirthDate(2008, 11, 28)),
        ("12.03.41", BirthDate(1941, 3, 12)),
        ("1941-03-12", BirthDate(1941, 3, 12)),
        ("12. mars 1941", BirthDate(1941, 3, 12)),
        ("12.mars 1941", BirthDate(1941, 3, 12)),
        ("12 febuar 1941", BirthDate(1941, 2, 12)),
        ("3. okt. 41", BirthDate(1941, 10, 3)),
        ("mars 1941", BirthDate(1941, 3)),
        ("ca 1940", BirthDate(1940)),
        ("født 41", BirthDate(1941)),
        ("hun er 84", BirthDate(TODAY.year - 84)),
        ("84 år", BirthDate(TODAY.year - 84)),
    ],
)
def test_a_birth_date_or_year_is_understood(typed: str, expected: BirthDate) -> None:
    assert parse_birth(typed, TODAY) == expected


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("31.02.1941", id="no-such-day"),
        pytest.param("12.13.1941", id="no-such-month"),
        pytest.param("2016", id="a-ten-year-old"),
        pytest.param("12.03.2016", id="a-ten-year-old-by-date"),
        pytest.param("29.11.2008", id="turns-18-tomorrow"),
        pytest.param("1899", id="over-120"),
        pytest.param("12.03.2010", id="a-sixteen-year-old"),
        pytest.param("1940 eller 1941", id="two-years"),
        pytest.param("på 1930-tallet", id="a-decade"),
        pytest.param("01014112345", id="a-fodselsnummer"),
        pytest.param("gammel", id="words"),
        pytest.param("", id="empty"),
    ],
)
def test_a_birth_date_that_is_not_an_adults_is_refused(typed: str) -> None:
    assert parse_birth(typed, TODAY) is None


@pytest.mark.parametrize(
    ("birth", "expected"), [(BirthDate(1941, 3, 12), "12.03.1941"), (BirthDate(1941), "1941")]
)
def test_a_birth_date_is_shown_as_norwegians_write_it(birth: BirthDate, expected: str) -> None:
    assert birth.as_text() == expected


@pytest.mark.parametrize(
    ("today", "age"), [(date(2026, 3, 11), 84), (date(2026, 3, 12), 85), (date(2026, 12, 31), 85)]
)
def test_age_counts_from_the_birthday(today: date, age: int) -> None:
    assert age_on(BirthDate(1941, 3, 12), today) == age


def test_age_from_a_year_alone_is_the_difference_in_years() -> None:
    assert age_on(BirthDate(1941), date(2026, 1, 1)) == 85


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (18, "18-29"),
        (29, "18-29"),
        (30, "30-49"),
        (49, "30-49"),
        (50, "50-66"),
        (66, "50-66"),
        (67, "67-79"),
        (79, "67-79"),
        (80, "80+"),
        (104, "80+"),
        (17, "unknown"),
    ],
)
def test_an_age_falls_in_one_band(age: int, band: str) -> None:
    assert age_band_for(age) == band


# --- phone numbers and skipping --------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("912 34 567", "+4791234567"),
        ("91234567", "+4791234567"),
        ("+47 912 34 567", "+4791234567"),
        ("0047 91234567", "+4791234567"),
        ("69 24 00 00", "+4769240000"),
        ("+46 70 123 45 67", "+46701234567"),
    ],
)
def test_a_phone_number_is_stored_in_international_form(typed: str, e164: str) -> None:
    assert parse_phone(typed) == e164


@pytest.mark.parametrize("typed", ["123", "12345678", "ring meg", ""])
def test_a_phone_number_that_cannot_be_dialled_is_refused(typed: str) -> None:
    assert parse_phone(typed) is None


def test_a_norwegian_mobile_is_shown_as_norwegians_write_it_and_does_not_break() -> None:
    assert format_phone("+4791234567") == "912\u00a034\u00a0567"


def test_a_norwegian_landline_is_shown_in_pairs() -> None:
    assert format_phone("+4769240000") == "69\u00a024\u00a000\u00a000"


def test_a_foreign_number_is_shown_with_its_country_code() -> None:
    assert format_phone("+46701234567") == "+46\u00a070\u00a0123\u00a045\u00a067"


@pytest.mark.parametrize("typed", ["hopp over", "Hopp over.", "skip", "Nei", "vet ikke", "-"])
def test_these_answers_skip_an_optional_question(typed: str) -> None:
    assert is_skip(typed)


@pytest.mark.parametrize("typed", ["Storgata 1", "nei takk, ring meg", "912 34 567"])
def test_an_answer_is_not_taken_for_a_skip(typed: str) -> None:
    assert not is_skip(typed)


# --- the case made from a finished report --------------------------------------------------


@pytest.mark.parametrize(("sequence", "number"), [(42, "TE-2026-0042"), (12345, "TE-2026-12345")])
def test_case_numbers_are_read_aloud_with_four_digits(sequence: int, number: str) -> None:
    assert format_case_number(2026, sequence) == number


def test_an_unfinished_report_does_not_become_a_case() -> None:
    draft = new_draft()
    draft.answer("acute", "no")
    with pytest.raises(ValueError):
        case_from_draft(draft, REPORTER, TODAY)


@pytest.mark.parametrize(
    ("today", "band"), [(date(2026, 11, 30), "67-79"), (date(2026, 12, 1), "80+")]
)
def test_the_age_band_is_derived_from_the_birth_date_on_the_given_day(
    today: date, band: str
) -> None:
    draft = finished("consent", birth={"year": 1946, "month": 12, "day": 1})
    assert case_from_draft(draft, REPORTER, today).age_band == band


def test_a_skipped_birth_date_gives_an_unknown_age_band() -> None:
    draft = finished("consent", birth=None)
    assert case_from_draft(draft, REPORTER, TODAY).age_band == "unknown"


def test_an_anonymous_case_keeps_the_age_band_the_reporter_chose() -> None:
    draft = finished("anonymous", age_band="67-79")
    assert case_from_draft(draft, REPORTER, TODAY).age_band == "67-79"


def test_a_case_with_consent_holds_the_identifying_answers_as_personal_data() -> None:
    case = case_from_draft(finished("consent"), REPORTER, TODAY)
    assert case.personal == {
        "what_happened": ANSWERS["what_happened"],
        "reporter_phone": "+4791234567",
        "name": "Kari Nordmann",
        "birth": "12.03.1941",
        "residence": "Storgata 1, 1706 Sarpsborg",
    }


def test_a_report_made_anonymous_after_naming_the_person_has_no_name_in_its_case() -> None:
    draft = finished("consent")
    draft.answer("consent", "anonymous")
    walk(draft)
    case = case_from_draft(draft, REPORTER, TODAY)
    assert set(case.personal) == {"what_happened", "reporter_phone"}
    assert "Kari Nordmann" not in repr(case)


def test_an_anonymous_case_has_no_name_even_if_the_state_still_holds_one() -> None:
    state = finished("anonymous").to_state()
    state["answers"] |= {"person_name": "Kari Nordmann", "residence": "Storgata 1"}
    case = case_from_draft(ReportDraft.from_state(state), REPORTER, TODAY)
    assert "Kari Nordmann" not in repr(case)
    assert "Storgata 1" not in repr(case)


def test_a_case_carries_the_coded_answers() -> None:
    case = case_from_draft(finished("consent", acute="yes"), REPORTER, TODAY)
    assert (
        case.municipality_id,
        case.consent_basis,
        case.acute_danger,
        case.gender,
        case.vulnerabilities,
        case.violence_types,
        case.perpetrator_relation,
        case.knowledge_source,
        case.reporter_service,
        case.reporter,
    ) == (
        SARPSBORG.id,
        "consent",
        True,
        "female",
        ["dementia", "old_age"],
        ["physical", "financial"],
        "child",
        "saw",
        "home_care",
        REPORTER,
    )
