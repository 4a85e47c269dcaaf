"""Who may do what: the one access policy. Deny by default.

Access follows the team and the case (need to know, *tjenstlig behov*): an operational team's
members work the cases of the municipalities their team serves; leaders see aggregates only;
network members see network content only; an admin manages people, never case contents. Every
read or write of a case goes through `decide`, and storage logs each decision it acts on.

The table ROLE_ACTIONS says what each role may do at all; `decide` adds where (which
municipality, team or tenant) and the few rules that depend on the case itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    MEMBER = "member"
    COORDINATOR = "coordinator"
    LEADER = "leader"
    NETWORK = "network"
    ADMIN = "admin"


class TeamKind(StrEnum):
    OPERATIONAL = "operational"
    LEADERSHIP = "leadership"
    NETWORK = "network"


class Action(StrEnum):
    # Anyone in an allowed tenant.
    REPORT = "report"
    VIEW_OWN_REPORTS = "view_own_reports"
    # A case.
    VIEW_CASE_ANONYMISED = "case.view_anonymised"
    VIEW_CASE_IDENTIFIABLE = "case.view_identifiable"
    ASSIGN_CASE = "case.assign"
    CLASSIFY_CASE = "case.classify"
    ADD_CASE_NOTE = "case.add_note"
    SET_FOLLOW_UP = "case.set_follow_up"
    CLOSE_CASE = "case.close"
    REOPEN_CASE = "case.reopen"
    VIEW_CASE_ACCESS_LOG = "case.view_access_log"
    # The coordinator's preview of the free text and its approval for the channel.
    SHARE_CASE_TEXT = "case.share_text"
    # Consent given after an anonymous consultation: the case gets the person's details.
    RECORD_CONSENT = "case.record_consent"
    # The closed case is in the municipality's archive: its personal data may now be erased.
    MARK_ARCHIVED = "case.mark_archived"
    # An enquiry by phone, letter or in person, registered by the team as a case.
    REGISTER_ENQUIRY = "enquiry.register"
    # Aggregates for municipalities.
    VIEW_STATISTICS = "statistics.view"
    EXPORT_STATISTICS = "statistics.export"
    REVIEW_ACCESS = "access.review"
    # People.
    VIEW_MEMBERS = "members.view"
    MANAGE_MEMBERS = "members.manage"
    # Put a message the bot could not deliver for the team back on its queue («Prøv igjen»).
    RESEND_MESSAGE = "delivery.resend"
    # The team's own recurring meeting: scheduled, and one of it called off.
    SCHEDULE_TEAM_MEETING = "team.schedule_meeting"
    # The network.
    VIEW_NETWORK = "network.view"
    SHARE_IN_NETWORK = "network.share"


CASE_ACTIONS = frozenset(
    {
        Action.VIEW_CASE_ANONYMISED,
        Action.VIEW_CASE_IDENTIFIABLE,
        Action.ASSIGN_CASE,
        Action.CLASSIFY_CASE,
        Action.ADD_CASE_NOTE,
        Action.SET_FOLLOW_UP,
        Action.CLOSE_CASE,
        Action.REOPEN_CASE,
        Action.VIEW_CASE_ACCESS_LOG,
        Action.SHARE_CASE_TEXT,
        Action.RECORD_CONSENT,
        Action.MARK_ARCHIVED,
    }
)
MUNICIPALITY_ACTIONS = frozenset(
    {
        Action.VIEW_STATISTICS,
        Action.EXPORT_STATISTICS,
        Action.REVIEW_ACCESS,
        Action.REGISTER_ENQUIRY,
    }
)
TEAM_ACTIONS = frozenset(
    {
        Action.VIEW_MEMBERS,
        Action.MANAGE_MEMBERS,
        Action.RESEND_MESSAGE,
        Action.SCHEDULE_TEAM_MEETING,
    }
)
NETWORK_ACTIONS = frozenset({Action.VIEW_NETWORK, Action.SHARE_IN_NETWORK})
ANYONE_ACTIONS = frozenset({Action.REPORT, Action.VIEW_OWN_REPORTS})

_MEMBER = {
    Action.VIEW_CASE_ANONYMISED,
    Action.VIEW_CASE_IDENTIFIABLE,
    Action.ASSIGN_CASE,
    Action.CLASSIFY_CASE,
    Action.ADD_CASE_NOTE,
    Action.SET_FOLLOW_UP,
    Action.CLOSE_CASE,  # only a case assigned to them: see decide()
    Action.VIEW_MEMBERS,
    Action.REGISTER_ENQUIRY,
}

ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.MEMBER: frozenset(_MEMBER),
    Role.COORDINATOR: frozenset(
        _MEMBER
        | {
            Action.REOPEN_CASE,
            Action.VIEW_CASE_ACCESS_LOG,
            Action.SHARE_CASE_TEXT,
            Action.RECORD_CONSENT,
            Action.MARK_ARCHIVED,
            Action.VIEW_STATISTICS,
            Action.EXPORT_STATISTICS,
            Action.REVIEW_ACCESS,
            Action.MANAGE_MEMBERS,
            Action.RESEND_MESSAGE,
            Action.SCHEDULE_TEAM_MEETING,
        }
    ),
    Role.LEADER: frozenset(
        {Action.VIEW_STATISTICS, Action.EXPORT_STATISTICS, Action.SCHEDULE_TEAM_MEETING}
    ),
    Role.NETWORK: frozenset({Action.VIEW_NETWORK, Action.SHARE_IN_NETWORK}),
    Role.ADMIN: frozenset({Action.VIEW_MEMBERS, Action.MANAGE_MEMBERS, Action.RESEND_MESSAGE}),
}

# Which kind of team a role counts in (an admin's role is tenant-wide and has no team).
ROLE_TEAM_KIND: dict[Role, TeamKind | None] = {
    Role.MEMBER: TeamKind.OPERATIONAL,
    Role.COORDINATOR: TeamKind.OPERATIONAL,
    Role.LEADER: TeamKind.LEADERSHIP,
    Role.NETWORK: TeamKind.NETWORK,
    Role.ADMIN: None,
}


@dataclass(frozen=True)
class Person:
    """A person is (tenant, Entra object id)."""

    tenant_id: str
    aad_object_id: str


@dataclass(frozen=True)
class Grant:
    """One membership: a role in a team (or tenant-wide for an admin), with what the team serves."""

    role: Role
    tenant_id: str
    team_id: str | None = None
    team_kind: TeamKind | None = None
    municipality_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Principal:
    person: Person
    tenant_allowed: bool
    grants: tuple[Grant, ...] = ()


@dataclass(frozen=True)
class CaseTarget:
    case_id: str
    tenant_id: str
    municipality_id: str
    assignee: Person | None = None
    closed: bool = False
    # The operational team that owns the case: roles count in that team only, so a member of
    # this team who coordinates another team is a member here.
    team_id: str | None = None


@dataclass(frozen=True)
class MunicipalityTarget:
    municipality_ids: frozenset[str]


@dataclass(frozen=True)
class TeamTarget:
    """A team's people. team_id None means the tenant's own people (its admins): no team role
    reaches that far, so only an admin of the tenant may view or change them."""

    team_id: str | None
    tenant_id: str
    kind: TeamKind | None


@dataclass(frozen=True)
class NetworkTarget:
    team_id: str


@dataclass(frozen=True)
class NoTarget:
    """Actions on one's own things only (report, see one's own reports)."""


Target = CaseTarget | MunicipalityTarget | TeamTarget | NetworkTarget | NoTarget


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    roles: tuple[Role, ...] = field(default=())

    def __bool__(self) -> bool:
        return self.allowed


def _grants_for(principal: Principal, action: Action) -> list[Grant]:
    """The principal's grants whose role allows the action, in a team of the right kind, in
    the principal's own tenant (a grant can never lend rights across tenants)."""
    return [
        g
        for g in principal.grants
        if action in ROLE_ACTIONS[g.role]
        and g.tenant_id == principal.person.tenant_id
        and g.team_kind == ROLE_TEAM_KIND[g.role]
    ]


def decide(principal: Principal, action: Action, target: Target) -> Decision:
    if not principal.tenant_allowed:
        return Decision(False, "tenant not allowed")
    if action in ANYONE_ACTIONS:
        if isinstance(target, NoTarget):
            return Decision(True, "anyone in an allowed tenant")
        return Decision(False, "wrong target")
    grants = _grants_for(principal, action)
    if not grants:
        return Decision(False, "no role allows this")
    if action in CASE_ACTIONS and isinstance(target, CaseTarget):
        return _decide_case(principal, action, target, grants)
    if action in MUNICIPALITY_ACTIONS and isinstance(target, MunicipalityTarget):
        serving = [g for g in grants if target.municipality_ids <= g.municipality_ids]
        if serving and target.municipality_ids:
            return Decision(True, "team serves these municipalities", _roles(serving))
        return Decision(False, "not a municipality of the person's team")
    if action in TEAM_ACTIONS and isinstance(target, TeamTarget):
        own_team = [g for g in grants if g.team_id == target.team_id and g.role != Role.ADMIN]
        if own_team:
            return Decision(True, "own team", _roles(own_team))
        admins = [g for g in grants if g.role == Role.ADMIN and g.tenant_id == target.tenant_id]
        if admins:
            return Decision(True, "admin of the team's tenant", _roles(admins))
        return Decision(False, "another team")
    if action in NETWORK_ACTIONS and isinstance(target, NetworkTarget):
        members = [g for g in grants if g.team_id == target.team_id]
        if members:
            return Decision(True, "member of the network", _roles(members))
        return Decision(False, "another network")
    return Decision(False, "wrong target")


# Refused because the case is closed: the only refusal a team member of the case may be told.
CLOSED_REASON = "case is closed"


def _decide_case(
    principal: Principal, action: Action, case: CaseTarget, grants: list[Grant]
) -> Decision:
    serving = [g for g in grants if case.municipality_id in g.municipality_ids]
    if not serving:
        return Decision(False, "case of a municipality the person's team does not serve")
    if case.team_id is not None:
        serving = [g for g in serving if g.team_id == case.team_id]
        if not serving:
            return Decision(False, "case of another team, or a role this team does not give")
    if case.closed and action not in (
        Action.VIEW_CASE_ANONYMISED,
        Action.VIEW_CASE_IDENTIFIABLE,
        Action.VIEW_CASE_ACCESS_LOG,
        Action.REOPEN_CASE,
        Action.MARK_ARCHIVED,
    ):
        return Decision(False, CLOSED_REASON)
    if not case.closed and action in (Action.REOPEN_CASE, Action.MARK_ARCHIVED):
        return Decision(False, "case is open")
    if action == Action.CLOSE_CASE:
        coordinators = [g for g in serving if g.role == Role.COORDINATOR]
        if coordinators:
            return Decision(True, "coordinator of the case's team", _roles(coordinators))
        if case.assignee == principal.person:
            return Decision(True, "assigned to the case", _roles(serving))
        return Decision(False, "only the coordinator or the assignee closes a case")
    return Decision(True, "team serves the case's municipality", _roles(serving))


def networks_for(principal: Principal, action: Action) -> list[str]:
    """The network teams in which the person may do this, in the order of their grants."""
    found: list[str] = []
    for grant in principal.grants:
        if grant.team_kind != TeamKind.NETWORK or grant.team_id is None:
            continue
        if grant.team_id not in found and decide(principal, action, NetworkTarget(grant.team_id)):
            found.append(grant.team_id)
    return found


def _roles(grants: list[Grant]) -> tuple[Role, ...]:
    return tuple(sorted({g.role for g in grants}))
