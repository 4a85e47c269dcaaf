"""The operational team's work on a case: the rules, as plain Python.

A command (take, assign, classify, …) applied to the case as it is gives a `Change`: the fields
to set, the event for the chronology, and whether the reporter hears of it. Storage carries the
change out in one transaction; the rules here decide whether it is allowed to happen at all.

What the reporter hears is deliberately coarse (received, being assessed, closed): the team's
assessment, measures and notes are not the reporter's to see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from domain.access import Action, Person
from domain.calendar import local_day
from domain.codes import Code, CodeList, age_band_for
from domain.refusal import Refused
from domain.report import BirthDate, age_on, identifiers_in

# --- code lists for the work (definitions ours, DOMAIN.md: keep them configurable) ------------

CLASSIFICATION = CodeList(
    "classification",
    (
        Code("must", "Må-sak", "Må-sak", "Must act (må-sak)"),
        Code("should", "Bør-sak", "Bør-sak", "Should follow up (bør-sak)"),
        Code("not_assessed", "Ikke vurdert", "Ikkje vurdert", "Not assessed"),
        Code(
            "outside_target_group",
            "Utenfor målgruppen",
            "Utanfor målgruppa",
            "Outside the target group",
        ),
        Code(
            "other_municipality",
            "Sendt til en annen kommune",
            "Sendt til ein annan kommune",
            "Forwarded to another municipality",
        ),
    ),
)

RISK_LEVEL = CodeList(
    "risk_level",
    (
        Code("low", "Lav", "Låg", "Low"),
        Code("moderate", "Middels", "Middels", "Moderate"),
        Code("high", "Høy", "Høg", "High"),
    ),
)

# The risk checklist. Bufdir's own tool is not public; these questions are ours and a
# municipality may replace them (RiskChecklist below).
RISK_QUESTIONS = CodeList(
    "risk_question",
    (
        Code(
            "ongoing",
            "Pågår volden nå, eller skjedde den nylig?",
            "Går valden føre seg no, eller skjedde han nyleg?",
            "Is the violence ongoing, or recent?",
        ),
        Code(
            "escalating",
            "Har det blitt verre eller skjedd oftere?",
            "Har det vorte verre eller skjedd oftare?",
            "Has it got worse or more frequent?",
        ),
        Code(
            "threats",
            "Er det trusler om drap eller alvorlig skade?",
            "Er det truslar om drap eller alvorleg skade?",
            "Are there threats to kill or seriously harm?",
        ),
        Code(
            "weapon",
            "Har den som utøver volden tilgang til våpen?",
            "Har den som utøver valden tilgang til våpen?",
            "Does the perpetrator have access to weapons?",
        ),
        Code(
            "dependent",
            "Er personen avhengig av den som utøver volden (stell, bolig, penger)?",
            "Er personen avhengig av den som utøver valden (stell, bustad, pengar)?",
            "Does the person depend on the perpetrator (care, housing, money)?",
        ),
        Code(
            "isolated",
            "Er personen isolert fra andre?",
            "Er personen isolert frå andre?",
            "Is the person isolated from others?",
        ),
        Code(
            "cannot_seek_help",
            "Klarer personen ikke selv å be om hjelp?",
            "Klarer ikkje personen sjølv å be om hjelp?",
            "Is the person unable to ask for help themselves?",
        ),
        Code(
            "afraid",
            "Er personen redd?",
            "Er personen redd?",
            "Is the person afraid?",
        ),
    ),
    multiple=True,
)

# The reflection tool: the person's readiness decides TryggEst's role (DOMAIN.md step 5).
POSITION = CodeList(
    "position",
    (
        Code("coordinator", "Koordinator", "Koordinator", "Coordinator"),
        Code("guide", "Veiviser", "Vegvisar", "Guide"),
        Code("door_opener", "Døråpner", "Døropnar", "Door-opener"),
    ),
)

MEASURE_SERVICE = CodeList(
    "measure_service",
    (
        Code("home_care", "Hjemmetjenesten", "Heimetenesta", "Home care"),
        Code("gp", "Fastlege", "Fastlege", "GP"),
        Code("allocation_office", "Tildelingskontor", "Tildelingskontor", "Allocation office"),
        Code("nursing_home", "Sykehjem", "Sjukeheim", "Nursing home"),
        Code("sheltered_housing", "Omsorgsbolig", "Omsorgsbustad", "Sheltered housing"),
        Code("relatives", "Pårørende", "Pårørande", "Relatives"),
        Code("police", "Politi", "Politi", "Police"),
        Code("nav", "NAV", "NAV", "NAV (welfare)"),
        Code("guardian", "Verge", "Verje", "Guardian"),
        Code("crisis_centre", "Krisesenter", "Krisesenter", "Crisis centre"),
        Code("habilitation", "Habiliteringstjenesten", "Habiliteringstenesta", "Habilitation"),
        Code("housing", "Boligsosial avdeling", "Bustadsosial avdeling", "Social housing"),
        Code("substance_services", "Rustjenesten", "Rustenesta", "Substance services"),
        Code(
            "disability_services",
            "Tjenester for funksjonshemmede",
            "Tenester for funksjonshemma",
            "Disability services",
        ),
        Code("tryggest_team", "TryggEst-teamet", "TryggEst-teamet", "The TryggEst team"),
    ),
    multiple=True,
)

# Late consent (an anonymous consultation becoming a named case): who gave it, and how.
CONSENT_GIVER = CodeList(
    "consent_giver",
    (
        Code("person", "Personen selv", "Personen sjølv", "The person themself"),
        Code("guardian", "Verge", "Verje", "Guardian"),
        Code("representative", "Annen fullmektig", "Annan fullmektig", "Another representative"),
    ),
)

CONSENT_FORM = CodeList(
    "consent_form",
    (
        Code("oral", "Muntlig", "Munnleg", "Spoken"),
        Code("written", "Skriftlig", "Skriftleg", "Written"),
    ),
)

OUTCOME = CodeList(
    "outcome",
    (
        Code("stopped", "Volden har stoppet", "Valden har stoppa", "The violence has stopped"),
        Code(
            "ordinary_services",
            "Fulgt opp videre i ordinære tjenester",
            "Følgt opp vidare i ordinære tenester",
            "Followed up in ordinary services",
        ),
        Code(
            "declined",
            "Personen ønsket ikke hjelp",
            "Personen ønskte ikkje hjelp",
            "The person did not want help",
        ),
        Code(
            "transferred",
            "Overført til politi, krisesenter eller annen kommune",
            "Overført til politi, krisesenter eller annan kommune",
            "Transferred to police, a crisis centre or another municipality",
        ),
        Code(
            "no_grounds",
            "Ingen holdepunkter for vold eller overgrep",
            "Ingen haldepunkt for vald eller overgrep",
            "No grounds for violence or abuse",
        ),
        Code("other", "Annet", "Anna", "Other"),
    ),
)

# What the reporter is told: coarse on purpose.
REPORTER_STATUS = CodeList(
    "reporter_status",
    (
        Code("received", "Mottatt", "Motteken", "Received"),
        Code("being_assessed", "Under vurdering", "Under vurdering", "Being assessed"),
        Code("closed", "Avsluttet", "Avslutta", "Closed"),
    ),
)

_REPORTER_STATUS_OF = {
    "received": "received",
    "assessing": "being_assessed",
    "assessed": "being_assessed",
    "in_progress": "being_assessed",
    "closed": "closed",
}


def reporter_status(status: str) -> str:
    return _REPORTER_STATUS_OF.get(status, "being_assessed")


MAX_NOTE_CHARS = 2000
# A name or an address: longer is a paste gone wrong.
MAX_DETAIL_CHARS = 200


@dataclass(frozen=True)
class RiskChecklist:
    """The questions and levels of the risk assessment: configurable per installation."""

    questions: CodeList = RISK_QUESTIONS
    levels: CodeList = RISK_LEVEL


# --- the case as the rules see it, and the commands --------------------------------------------


@dataclass(frozen=True)
class CaseState:
    status: str
    assignee: Person | None
    classification: str | None = None
    risk_level: str | None = None
    risk_answers: tuple[str, ...] = ()
    position: str | None = None
    measures: tuple[str, ...] = ()
    follow_up_on: date | None = None
    outcome: str | None = None
    has_shared_text: bool = False
    archived: bool = False
    consent_basis: str = "consent"
    contact_channel: str = "teams"


@dataclass(frozen=True)
class Take:
    pass


@dataclass(frozen=True)
class Assign:
    to: Person


@dataclass(frozen=True)
class Classify:
    classification: str


@dataclass(frozen=True)
class AssessRisk:
    answers: tuple[str, ...]
    level: str


@dataclass(frozen=True)
class SetPosition:
    position: str
    # The team's answers to the reflection tool's questions for this position, for the timeline.
    reflection: str = ""


@dataclass(frozen=True)
class SetMeasures:
    services: tuple[str, ...]


@dataclass(frozen=True)
class AddNote:
    text: str


@dataclass(frozen=True)
class SetFollowUp:
    on: date | None


@dataclass(frozen=True)
class Close:
    outcome: str


@dataclass(frozen=True)
class Reopen:
    pass


@dataclass(frozen=True)
class AskReporter:
    question: str


@dataclass(frozen=True)
class ReporterAnswer:
    question_event_id: str
    text: str


@dataclass(frozen=True)
class ShareText:
    """The coordinator approves the anonymised free text for the channel."""

    text: str


@dataclass(frozen=True)
class RecordConsent:
    """Consent came after an anonymous consultation: the case becomes a named one, keeping its
    number and timeline, and gets the person's details."""

    given_on: date
    given_by: str
    form: str
    name: str
    birth: BirthDate | None = None
    residence: str | None = None


@dataclass(frozen=True)
class MarkArchived:
    """The closed case is in the municipality's archive (its journal or record system)."""


@dataclass(frozen=True)
class RecordWishes:
    """What the person wants to happen, in their own words (medvirkning): a detail of the
    person's, kept with the name and erased with it."""

    text: str


@dataclass(frozen=True)
class MeetingDecision:
    """What the team decided about the case at its meeting (`starts_at`, ISO), for the
    timeline: written like a note, so kept from the channel."""

    meeting_id: str
    starts_at: str
    text: str


Command = (
    Take
    | Assign
    | Classify
    | AssessRisk
    | SetPosition
    | SetMeasures
    | AddNote
    | SetFollowUp
    | Close
    | Reopen
    | AskReporter
    | ReporterAnswer
    | ShareText
    | RecordConsent
    | MeetingDecision
    | RecordWishes
    | MarkArchived
)

# The access policy's action for each command (the reporter's answer is the reporter's own).
ACTION_OF: dict[type, Action | None] = {
    Take: Action.ASSIGN_CASE,
    Assign: Action.ASSIGN_CASE,
    Classify: Action.CLASSIFY_CASE,
    AssessRisk: Action.CLASSIFY_CASE,
    SetPosition: Action.CLASSIFY_CASE,
    SetMeasures: Action.CLASSIFY_CASE,
    AddNote: Action.ADD_CASE_NOTE,
    SetFollowUp: Action.SET_FOLLOW_UP,
    Close: Action.CLOSE_CASE,
    Reopen: Action.REOPEN_CASE,
    AskReporter: Action.ADD_CASE_NOTE,
    ReporterAnswer: None,
    ShareText: Action.SHARE_CASE_TEXT,
    RecordConsent: Action.RECORD_CONSENT,
    MeetingDecision: Action.ADD_CASE_NOTE,
    RecordWishes: Action.ADD_CASE_NOTE,
    MarkArchived: Action.MARK_ARCHIVED,
}


class WorkflowRefused(Refused):
    """The command cannot apply to the case as it is ("work.refused.<reason>")."""


@dataclass
class Change:
    """What a command does to a case."""

    event: str
    fields: dict[str, Any] = field(default_factory=dict)
    # Codes and ids only; what a person wrote goes to `secret`, which storage encrypts.
    data: dict[str, Any] = field(default_factory=dict)
    secret: str | None = None
    # The new coarse status for the reporter, when it changes.
    tell_reporter: str | None = None
    # Nothing to change: the case already is as asked (a second press of the same button).
    unchanged: bool = False
    # The person's details to add to the case's encrypted personal data.
    personal: dict[str, Any] | None = None


def apply(state: CaseState, command: Command, actor: Person, now: datetime) -> Change:
    """The change `command` makes to a case in `state`, or WorkflowRefused."""
    closed = state.status == "closed"
    if closed and isinstance(command, ReporterAnswer):
        # The reporter answers only while the team still works the case.
        raise WorkflowRefused("question_closed")
    if isinstance(command, MarkArchived):
        if not closed:
            raise WorkflowRefused("not_closed")
        if state.archived:
            return Change("archived", unchanged=True)
        return Change("archived", {"archived_at": now})
    if closed and not isinstance(command, Reopen):
        raise WorkflowRefused("closed")
    match command:
        case Take():
            if state.assignee == actor:
                return Change("taken", unchanged=True)
            if state.assignee is not None:
                raise WorkflowRefused("taken_by_other", assignee=state.assignee)
            return _assigned(state, actor, "taken", actor)
        case Assign(to=person):
            if state.assignee == person:
                return Change("assigned", unchanged=True)
            return _assigned(state, person, "assigned", actor)
        case Classify(classification=code):
            _known(CLASSIFICATION, code)
            if state.classification == code:
                return Change("classified", unchanged=True)
            fields: dict[str, Any] = {"classification": code}
            if state.status in ("received", "assessing"):
                fields["status"] = "assessed"
                fields["assessed_at"] = now
            return _with_reporter_status(state, Change("classified", fields, {"to": code}))
        case AssessRisk(answers=answers, level=level):
            _known(RISK_LEVEL, level)
            answers = tuple(sorted(set(answers)))
            if state.risk_level == level and state.risk_answers == answers:
                return Change("risk_assessed", unchanged=True)
            return Change(
                "risk_assessed",
                {"risk_level": level, "risk_answers": list(answers)},
                {"level": level, "answers": list(answers)},
            )
        case SetPosition(position=code, reflection=reflection):
            _known(POSITION, code)
            written = _written(reflection) if reflection.strip() else None
            if state.position == code and written is None:
                return Change("position_set", unchanged=True)
            to_set = {"position": code} if state.position != code else {}
            change = Change("position_set", to_set, {"to": code}, secret=written)
            return _progressing(state, change)
        case SetMeasures(services=services):
            for service in services:
                _known(MEASURE_SERVICE, service)
            ordered = tuple(sorted(set(services)))
            if state.measures == ordered:
                return Change("measures_set", unchanged=True)
            change = Change(
                "measures_set", {"measures": list(ordered)}, {"services": list(ordered)}
            )
            return _progressing(state, change)
        case AddNote(text=note):
            return Change("note", data={}, secret=_written(note))
        case SetFollowUp(on=day):
            if day is not None and day < now.date():
                raise WorkflowRefused("follow_up_in_past")
            if state.follow_up_on == day:
                return Change("follow_up_set", unchanged=True)
            return Change(
                "follow_up_set",
                {"follow_up_on": day},
                {"on": day.isoformat() if day else None},
            )
        case Close(outcome=code):
            _known(OUTCOME, code)
            change = Change(
                "closed",
                {"status": "closed", "outcome": code, "closed_at": now},
                {"outcome": code},
            )
            return _with_reporter_status(state, change)
        case Reopen():
            if not closed:
                return Change("reopened", unchanged=True)
            # Closed again later, it is archived again: what happened since is not in the archive.
            change = Change(
                "reopened",
                {"status": "in_progress", "outcome": None, "closed_at": None, "archived_at": None},
            )
            return _with_reporter_status(state, change)
        case AskReporter(question=question):
            if state.contact_channel != "teams":
                raise WorkflowRefused("no_reporter")
            return Change("reporter_asked", secret=_written(question))
        case ReporterAnswer(question_event_id=question_id, text=answer):
            return Change(
                "reporter_answered", data={"question": question_id}, secret=_written(answer)
            )
        case ShareText(text=shared):
            # Storage keeps the approved text on the case, encrypted, for the channel card.
            return Change("text_shared", {"shared_text_approved_at": now}, secret=_written(shared))
        case RecordConsent():
            return _consented(state, command, now)
        case RecordWishes(text=wishes):
            written = _written(wishes)
            return Change("wishes_recorded", secret=written, personal={"wishes": written})
        case MeetingDecision(meeting_id=meeting, starts_at=starts_at, text=decision):
            return Change(
                "meeting_decision",
                data={"meeting": meeting, "starts_at": starts_at},
                secret=_written(decision),
            )
    raise WorkflowRefused("unknown")


def _consented(state: CaseState, command: RecordConsent, now: datetime) -> Change:
    if state.consent_basis != "anonymous":
        raise WorkflowRefused("not_anonymous")
    _known(CONSENT_GIVER, command.given_by)
    _known(CONSENT_FORM, command.form)
    if command.given_on > local_day(now):
        raise WorkflowRefused("consent_in_future")
    name = command.name.strip()
    if not name:
        raise WorkflowRefused("no_name")
    residence = (command.residence or "").strip() or None
    if len(name) > MAX_DETAIL_CHARS or len(residence or "") > MAX_DETAIL_CHARS:
        raise WorkflowRefused("text_too_long", limit=MAX_DETAIL_CHARS)
    if identifiers_in(name):
        raise WorkflowRefused("identifier_in_name")
    fields: dict[str, Any] = {"consent_basis": "consent"}
    if command.birth is not None:
        # The reporter guessed the band; a birth date knows it.
        fields["age_band"] = age_band_for(age_on(command.birth, local_day(now)))
    return Change(
        "consent_recorded",
        fields,
        {
            "given_on": command.given_on.isoformat(),
            "given_by": command.given_by,
            "form": command.form,
        },
        personal={
            "name": name,
            "birth": command.birth.as_text() if command.birth else None,
            "residence": residence,
        },
    )


def _assigned(state: CaseState, person: Person, event: str, actor: Person) -> Change:
    fields: dict[str, Any] = {
        "assignee_tenant_id": person.tenant_id,
        "assignee_aad_object_id": person.aad_object_id,
    }
    if state.status == "received":
        fields["status"] = "assessing"
    data = {"to": person.aad_object_id} if person != actor else {}
    return _with_reporter_status(state, Change(event, fields, data))


def _progressing(state: CaseState, change: Change) -> Change:
    """Deciding the role or measures means the case is being followed up."""
    if state.status in ("received", "assessing", "assessed"):
        change.fields["status"] = "in_progress"
    return _with_reporter_status(state, change)


def _with_reporter_status(state: CaseState, change: Change) -> Change:
    new_status = change.fields.get("status")
    if new_status and reporter_status(new_status) != reporter_status(state.status):
        change.tell_reporter = reporter_status(new_status)
    return change


def _known(codes: CodeList, code: str) -> None:
    if code not in codes:
        raise WorkflowRefused("unknown_code", code_list=codes.name)


def _written(text: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise WorkflowRefused("empty_text")
    if len(cleaned) > MAX_NOTE_CHARS:
        raise WorkflowRefused("text_too_long", limit=MAX_NOTE_CHARS)
    return cleaned
