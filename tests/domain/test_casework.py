"""The workflow rules of domain/casework.py: what each command does to a case, and what it
refuses. Pure: no database, no Teams."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from domain.access import Person
from domain.casework import (
    MAX_NOTE_CHARS,
    AddNote,
    AskReporter,
    AssessRisk,
    Assign,
    CaseState,
    Classify,
    Close,
    MarkArchived,
    RecordConsent,
    RecordWishes,
    Reopen,
    ReporterAnswer,
    SetFollowUp,
    SetMeasures,
    SetPosition,
    ShareText,
    Take,
    WorkflowRefused,
    apply,
    reporter_status,
)
from domain.report import BirthDate

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
MARTE = Person("t", "marte")
OLE = Person("t", "ole")
NEW = CaseState(status="received", assignee=None)


def test_taking_a_new_case_makes_it_yours_and_tells_the_reporter_it_is_being_assessed():
    change = apply(NEW, Take(), MARTE, NOW)

    assert change.event == "taken"
    assert change.fields == {
        "assignee_tenant_id": "t",
        "assignee_aad_object_id": "marte",
        "status": "assessing",
    }
    assert change.tell_reporter == "being_assessed"


def test_taking_a_case_someone_else_has_is_refused_with_who_has_it():
    with pytest.raises(WorkflowRefused) as refused:
        apply(replace(NEW, assignee=OLE), Take(), MARTE, NOW)

    assert refused.value.reason == "taken_by_other"
    assert refused.value.details["assignee"] == OLE


def test_taking_a_case_you_have_changes_nothing():
    assert apply(replace(NEW, assignee=MARTE), Take(), MARTE, NOW).unchanged


def test_assigning_names_the_new_assignee_in_the_event():
    change = apply(NEW, Assign(OLE), MARTE, NOW)

    assert change.data == {"to": "ole"}
    assert change.fields["assignee_aad_object_id"] == "ole"


def test_classifying_marks_the_case_assessed_with_the_time():
    change = apply(replace(NEW, status="assessing"), Classify("must"), MARTE, NOW)

    assert change.fields == {"classification": "must", "status": "assessed", "assessed_at": NOW}
    assert change.tell_reporter is None  # still "being assessed" to the reporter


def test_reclassifying_keeps_the_first_assessment_time():
    state = replace(NEW, status="in_progress", classification="should")

    change = apply(state, Classify("must"), MARTE, NOW)

    assert change.fields == {"classification": "must"}


@pytest.mark.parametrize(
    "command",
    [
        Classify("made_up"),
        AssessRisk((), "extreme"),
        SetPosition("boss"),
        SetMeasures(("gp", "wizard")),
        Close("vanished"),
    ],
)
def test_a_code_outside_its_list_is_refused(command):
    with pytest.raises(WorkflowRefused) as refused:
        apply(NEW, command, MARTE, NOW)
    assert refused.value.reason == "unknown_code"


def test_choosing_the_role_or_measures_puts_the_case_under_follow_up():
    assert apply(NEW, SetPosition("door_opener"), MARTE, NOW).fields["status"] == "in_progress"
    change = apply(NEW, SetMeasures(("police", "gp", "gp")), MARTE, NOW)
    assert change.fields == {"measures": ["gp", "police"], "status": "in_progress"}


def test_the_same_risk_assessment_again_changes_nothing():
    state = replace(NEW, risk_level="high", risk_answers=("afraid", "ongoing"))

    assert apply(state, AssessRisk(("ongoing", "afraid"), "high"), MARTE, NOW).unchanged


def test_a_note_keeps_its_text_out_of_the_event_data():
    change = apply(NEW, AddNote("  Kari ringte i dag.  "), MARTE, NOW)

    assert change.secret == "Kari ringte i dag."
    assert change.data == {} and change.fields == {}


@pytest.mark.parametrize("text", ["", "   \n"])
def test_an_empty_note_is_refused(text):
    with pytest.raises(WorkflowRefused) as refused:
        apply(NEW, AddNote(text), MARTE, NOW)
    assert refused.value.reason == "empty_text"


def test_a_note_longer_than_the_limit_is_refused():
    with pytest.raises(WorkflowRefused) as refused:
        apply(NEW, AddNote("x" * (MAX_NOTE_CHARS + 1)), MARTE, NOW)
    assert refused.value.reason == "text_too_long"


def test_a_follow_up_date_in_the_past_is_refused_today_is_fine():
    with pytest.raises(WorkflowRefused):
        apply(NEW, SetFollowUp(date(2026, 11, 27)), MARTE, NOW)
    change = apply(NEW, SetFollowUp(date(2026, 11, 28)), MARTE, NOW)
    assert change.data == {"on": "2026-11-28"}


def test_closing_sets_the_outcome_and_the_time_and_tells_the_reporter():
    change = apply(replace(NEW, status="in_progress"), Close("stopped"), MARTE, NOW)

    assert change.fields == {"status": "closed", "outcome": "stopped", "closed_at": NOW}
    assert change.tell_reporter == "closed"


@pytest.mark.parametrize(
    "command", [Take(), Classify("must"), AddNote("x"), Close("stopped"), AskReporter("?")]
)
def test_a_closed_case_takes_no_work(command):
    with pytest.raises(WorkflowRefused) as refused:
        apply(replace(NEW, status="closed"), command, MARTE, NOW)
    assert refused.value.reason == "closed"


def test_reopening_clears_the_close_and_tells_the_reporter():
    closed = replace(NEW, status="closed", outcome="stopped")

    change = apply(closed, Reopen(), MARTE, NOW)

    assert change.fields == {
        "status": "in_progress",
        "outcome": None,
        "closed_at": None,
        "archived_at": None,  # closed again later, it is archived again
    }
    assert change.tell_reporter == "being_assessed"


def test_reopening_an_open_case_changes_nothing():
    assert apply(NEW, Reopen(), MARTE, NOW).unchanged


def test_the_reporter_answers_while_the_case_is_open():
    change = apply(NEW, ReporterAnswer("e1", "Ja."), MARTE, NOW)

    assert change.event == "reporter_answered" and change.data == {"question": "e1"}


def test_the_reporter_cannot_answer_once_the_case_is_closed():
    with pytest.raises(WorkflowRefused) as refused:
        apply(replace(NEW, status="closed"), ReporterAnswer("e1", "Ja."), MARTE, NOW)

    assert refused.value.reason == "question_closed"


def test_sharing_text_records_when_it_was_approved():
    change = apply(NEW, ShareText("[navn] ble slått."), MARTE, NOW)

    assert change.fields == {"shared_text_approved_at": NOW}
    assert change.secret == "[navn] ble slått."


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        ("received", "received"),
        ("assessing", "being_assessed"),
        ("assessed", "being_assessed"),
        ("in_progress", "being_assessed"),
        ("closed", "closed"),
    ],
)
def test_the_reporter_sees_only_three_statuses(status, shown):
    assert reporter_status(status) == shown


# --- consent given after an anonymous consultation ---------------------------------------------

CONSULTATION = replace(NEW, consent_basis="anonymous")


def consent(**changes: object) -> RecordConsent:
    given = {
        "given_on": date(2026, 11, 27),
        "given_by": "person",
        "form": "written",
        "name": " Ola Nordmann ",
        "birth": BirthDate(1955, 3, 12),
        "residence": "Storgata 4",
    }
    return RecordConsent(**{**given, **changes})  # type: ignore[arg-type]


def test_consent_makes_a_consultation_a_named_case_with_the_age_band_from_the_birth_date():
    change = apply(CONSULTATION, consent(), MARTE, NOW)

    assert change.event == "consent_recorded"
    assert change.fields == {"consent_basis": "consent", "age_band": "67-79"}
    assert change.data == {"given_on": "2026-11-27", "given_by": "person", "form": "written"}
    assert change.personal == {
        "name": "Ola Nordmann",
        "birth": "12.03.1955",
        "residence": "Storgata 4",
    }
    assert change.tell_reporter is None  # the reporter is told nothing of the team's work


def test_consent_without_a_birth_date_keeps_the_reported_age_band():
    change = apply(CONSULTATION, consent(birth=None, residence="  "), MARTE, NOW)

    assert "age_band" not in change.fields
    assert change.personal == {"name": "Ola Nordmann", "birth": None, "residence": None}


@pytest.mark.parametrize(
    ("state", "command", "reason"),
    [
        (NEW, consent(), "not_anonymous"),
        (replace(NEW, consent_basis="duty_to_avert"), consent(), "not_anonymous"),
        (CONSULTATION, consent(given_on=date(2026, 11, 29)), "consent_in_future"),
        (CONSULTATION, consent(given_by="neighbour"), "unknown_code"),
        (CONSULTATION, consent(form="telepathy"), "unknown_code"),
        (CONSULTATION, consent(name="  "), "no_name"),
        (CONSULTATION, consent(name="Ola 12035512345"), "identifier_in_name"),
        (CONSULTATION, consent(name="Ola ola@example.no"), "identifier_in_name"),
        (CONSULTATION, consent(name="x" * 201), "text_too_long"),
        (replace(CONSULTATION, status="closed"), consent(), "closed"),
    ],
)
def test_consent_is_refused_where_it_cannot_apply(state, command, reason):
    with pytest.raises(WorkflowRefused) as refused:
        apply(state, command, MARTE, NOW)

    assert refused.value.reason == reason


def test_an_enquirys_caller_is_not_in_teams_so_there_is_no_reporter_to_ask():
    with pytest.raises(WorkflowRefused) as refused:
        apply(replace(NEW, contact_channel="phone"), AskReporter("Bor han der?"), MARTE, NOW)

    assert refused.value.reason == "no_reporter"


def test_the_persons_wishes_are_a_detail_of_theirs_and_in_the_timeline():
    change = apply(NEW, RecordWishes("  Vil bo hjemme.  "), MARTE, NOW)

    assert (change.event, change.secret, change.personal) == (
        "wishes_recorded",
        "Vil bo hjemme.",
        {"wishes": "Vil bo hjemme."},
    )


@pytest.mark.parametrize(
    ("state", "wishes", "reason"),
    [
        (NEW, "   ", "empty_text"),
        (NEW, "x" * (MAX_NOTE_CHARS + 1), "text_too_long"),
        (replace(NEW, status="closed"), "Vil bo hjemme.", "closed"),
    ],
)
def test_wishes_are_refused_where_a_note_would_be(state, wishes, reason):
    with pytest.raises(WorkflowRefused) as refused:
        apply(state, RecordWishes(wishes), MARTE, NOW)

    assert refused.value.reason == reason


def test_the_teams_reflection_for_the_position_goes_to_the_timeline():
    change = apply(
        NEW, SetPosition("guide", "Hun stoler på fastlegen. Ring igjen fredag."), MARTE, NOW
    )

    assert change.fields["position"] == "guide"
    assert change.secret == "Hun stoler på fastlegen. Ring igjen fredag."


def test_a_reflection_on_the_same_position_is_kept_and_no_reflection_changes_nothing():
    guided = replace(NEW, position="guide")

    again = apply(guided, SetPosition("guide", "Nytt møte avtalt."), MARTE, NOW)

    assert not again.unchanged and "position" not in again.fields
    assert again.secret == "Nytt møte avtalt."
    assert apply(guided, SetPosition("guide", "  "), MARTE, NOW).unchanged


def test_a_closed_case_is_marked_as_in_the_archive_once():
    closed = replace(NEW, status="closed", outcome="stopped")

    change = apply(closed, MarkArchived(), MARTE, NOW)

    assert (change.event, change.fields) == ("archived", {"archived_at": NOW})
    assert apply(replace(closed, archived=True), MarkArchived(), MARTE, NOW).unchanged


def test_an_open_case_is_not_archived():
    with pytest.raises(WorkflowRefused) as refused:
        apply(NEW, MarkArchived(), MARTE, NOW)

    assert refused.value.reason == "not_closed"
