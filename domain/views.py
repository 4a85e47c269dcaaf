"""The read models that cards draw: plain frozen values, returned by storage's repositories and
rendered by cards/. No I/O here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from domain.access import CaseTarget, Person, Role
from domain.gathering import Counts


@dataclass(frozen=True)
class PostedMessage:
    """A card the bot posted as a new thread, or sent into someone's own chat (`personal`):
    where to update it."""

    tenant_id: str
    service_url: str
    conversation_id: str  # the thread: '19:…@thread.tacv2;messageid=…', or the chat
    activity_id: str
    bot_id: str | None = None
    personal: bool = False


def posted_in(
    tenant_id: str,
    service_url: str | None,
    conversation_id: str | None,
    activity_id: str | None,
    bot_id: str | None,
) -> PostedMessage | None:
    """Where a card the bot posted is, from the columns a row keeps of it and the bot's id in
    its team; None before it is posted."""
    if not (service_url and conversation_id and activity_id):
        return None
    return PostedMessage(tenant_id, service_url, conversation_id, activity_id, bot_id)


@dataclass(frozen=True)
class ReporterCaseLine:
    number: str
    status: str
    created_at: datetime
    municipality_name: str


CaseViewKind = Literal["anonymised", "identifiable"]


@dataclass(frozen=True)
class CaseView:
    """A case as the team sees it. `personal` is there only in the identifiable view, and not
    even then once it has been erased after the retention period (`erased`)."""

    id: str
    number: str
    view: CaseViewKind
    status: str
    created_at: datetime
    closed_at: datetime | None
    municipality_id: str
    municipality_name: str
    assignee: Person | None
    consent_basis: str
    gender: str
    age_band: str
    vulnerabilities: tuple[str, ...]
    violence_types: tuple[str, ...]
    perpetrator_relation: str
    knowledge_source: str
    reporter_service: str
    acute_danger: bool
    erased: bool
    personal: dict[str, Any] | None
    # What the policy decides on for further actions on this case.
    target: CaseTarget
    # The team's work on it (domain/casework.py).
    team_id: str | None = None
    revision: int = 0
    classification: str | None = None
    risk_level: str | None = None
    risk_answers: tuple[str, ...] = ()
    position: str | None = None
    measures: tuple[str, ...] = ()
    follow_up_on: date | None = None
    outcome: str | None = None
    # The anonymised free text as the coordinator approved it for the channel; None until then.
    shared_text: str | None = None
    # How the case reached the team (domain/contact.py): a report in Teams, or an enquiry.
    contact_channel: str = "teams"
    # When the closed case was put in the municipality's archive.
    archived_at: datetime | None = None


@dataclass(frozen=True)
class TimelineEntry:
    id: str
    at: datetime
    kind: str
    actor: Person | None
    data: dict[str, Any]
    text: str | None  # what a person wrote (notes, questions, answers); identifiable


@dataclass(frozen=True)
class ExperienceView:
    id: str
    network_team_id: str
    network_name: str
    author: Person
    texts: Mapping[str, str]
    tags: Mapping[str, tuple[str, ...]]
    useful_count: int
    from_case: bool
    created_at: datetime
    posted: PostedMessage | None


@dataclass(frozen=True)
class SearchResult:
    hits: list[ExperienceView]
    # Whether the person is in any network at all (False: they see nothing, and are told why).
    member: bool


@dataclass(frozen=True)
class GatheringView:
    id: str
    tenant_id: str
    network_team_id: str
    network_name: str
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str | None
    online_url: str | None
    agenda: str | None
    rvts_region: str | None
    state: str
    sequence: int
    organiser: Person
    organiser_name: str | None
    graph_event_id: str | None
    posted: PostedMessage | None
    counts: Counts
    updated_at: datetime

    @property
    def cancelled(self) -> bool:
        return self.state == "cancelled"


@dataclass(frozen=True)
class AccessRecord:
    """One line of a case's access log."""

    at: datetime
    who: Person
    action: str
    allowed: bool


# The access log's actor and actions for a person's data read out or erased on request from the
# command line (`tryggest person`); who ran it is in the entry's detail.
COMMAND_LINE = "tryggest-cli"
EXPORTED = "case.export_personal"
ERASED = "case.erase_personal"
CORRECTED = "case.correct_personal"


@dataclass(frozen=True)
class PersonRecord:
    """Everything stored about the person in a case, for their access request."""

    case: CaseView  # identifiable: the personal details, while there are any
    timeline: list[TimelineEntry]
    reads: list[AccessRecord]
    names: dict[Person, str]
    exported_at: datetime


@dataclass(frozen=True)
class CaseRead:
    at: datetime
    who: Person
    action: str
    allowed: bool
    # An identifiable read by someone who is not the case's assignee: worth a question.
    flagged: bool


@dataclass(frozen=True)
class CaseAccessReview:
    case_id: str
    case_number: str
    municipality_id: str
    # The assignee now; reads are judged against it (assignment history is not kept yet).
    assignee: Person | None
    reads: tuple[CaseRead, ...] = field(default=())

    @property
    def flagged(self) -> tuple[CaseRead, ...]:
        return tuple(r for r in self.reads if r.flagged)

    @property
    def readers(self) -> tuple[Person, ...]:
        """Everyone who read the case (allowed reads), in the order they first did."""
        return tuple(dict.fromkeys(r.who for r in self.reads if r.allowed))


@dataclass(frozen=True)
class TeamPerson:
    """Someone in a team, with their roles: whom a case can be assigned to, who coordinates."""

    person: Person
    name: str | None
    roles: tuple[Role, ...]
