"""How a case reached the team (domain/contact.py) and the enquiry's place in the report's
questions (domain/report.py): pure, no database, no Teams."""

from __future__ import annotations

from datetime import date

import pytest

from domain.contact import parse_contact_day
from domain.report import ReportDraft

MONDAY = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("i dag", MONDAY),
        ("I dag.", MONDAY),
        ("idag", MONDAY),
        ("i går", date(2026, 12, 6)),
        ("igår", date(2026, 12, 6)),
        ("i forgårs", date(2026, 12, 5)),
        ("fredag", date(2026, 12, 4)),
        ("på fredag", date(2026, 12, 4)),
        ("sist torsdag", date(2026, 12, 3)),
        ("laurdag", date(2026, 12, 5)),
        ("mandag", MONDAY),
        ("3.12", date(2026, 12, 3)),
        ("03.12.2026", date(2026, 12, 3)),
        ("2026-12-01", date(2026, 12, 1)),
        ("28.12", date(2025, 12, 28)),  # typed in December of what came last December
    ],
)
def test_a_day_is_read_as_a_team_member_types_it(typed: str, day: date) -> None:
    assert parse_contact_day(typed, MONDAY) == day


@pytest.mark.parametrize("typed", ["i morgen", "08.12.2026", "01.01.2020", "31.02", "snart", ""])
def test_no_day_a_day_ahead_or_long_ago_is_asked_again(typed: str) -> None:
    assert parse_contact_day(typed, MONDAY) is None


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("naboen ringte meg i går kveld", date(2026, 12, 6)),
        ("ho ringde fredag", date(2026, 12, 4)),
        ("i dag tidleg", MONDAY),
        ("for tre dager siden", date(2026, 12, 4)),
        ("for 2 dagar sidan", date(2026, 12, 5)),
        ("for ei veke sidan", date(2026, 11, 30)),
        ("forrige mandag", date(2026, 11, 30)),  # not today, though today is a Monday
        ("torsdag førre veke", date(2026, 12, 3)),
        ("fredagskveld", date(2026, 12, 4)),
        ("fredga", date(2026, 12, 4)),
        ("3. desember", date(2026, 12, 3)),
        ("15. okt", date(2026, 10, 15)),
        ("fredag 4.12", date(2026, 12, 4)),
        ("4/12-26", date(2026, 12, 4)),
        ("mailen kom 2.12.2026", date(2026, 12, 2)),
        ("den 1.", date(2026, 12, 1)),
        ("den 20.", date(2026, 11, 20)),  # this month's 20th is still ahead
        ("i går kl 14.30", date(2026, 12, 6)),
    ],
)
def test_a_day_is_read_in_a_sentence_and_in_other_words(typed: str, day: date) -> None:
    assert parse_contact_day(typed, MONDAY) == day


@pytest.mark.parametrize(
    "typed",
    [
        "neste fredag",
        "i morgon tidleg",
        "onsdag 3.12",  # the 3rd was a Thursday
        "i går eller fredag",
        "i helgen",
        "forrige uke",
        "for lenge siden",
        "30.02.2026",
        "28.12 i år",
    ],
)
def test_a_day_ahead_two_days_or_none_in_a_sentence_is_asked_again(typed: str) -> None:
    assert parse_contact_day(typed, MONDAY) is None


def test_a_report_asks_no_enquiry_question_and_an_enquiry_no_phone_number() -> None:
    report, enquiry = ReportDraft(), ReportDraft(enquiry=True)

    assert not any(report.applies(s) for s in ("contact", "caller", "contacted_on"))
    assert report.applies("reporter_phone")
    assert all(enquiry.applies(s) for s in ("contact", "caller", "contacted_on"))
    assert not enquiry.applies("reporter_phone")


@pytest.mark.parametrize(
    ("caller", "service"),
    [("self", "victim"), ("relative", "relative"), ("police", "police"), ("other", "citizen")],
)
def test_who_reported_follows_from_a_caller_who_is_no_employee(caller: str, service: str) -> None:
    draft = ReportDraft(enquiry=True)

    draft.answer("caller", caller)

    assert draft.answers["reporter_service"] == service
    assert "reporter_service" in draft.automatic


def test_an_employee_caller_is_asked_where_they_work_even_after_a_change() -> None:
    draft = ReportDraft(enquiry=True)
    draft.answer("caller", "relative")

    draft.answer("caller", "employee")

    assert "reporter_service" not in draft.answers
    assert "reporter_service" not in draft.automatic


def test_an_enquiry_is_still_one_after_the_turn_is_stored() -> None:
    draft = ReportDraft(enquiry=True)
    draft.answer("caller", "other")

    again = ReportDraft.from_state(draft.to_state())

    assert again.enquiry and again.automatic == ["reporter_service"]
    assert not ReportDraft.from_state(ReportDraft().to_state()).enquiry
