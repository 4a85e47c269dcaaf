"""The access matrix: every role × every action × own municipality / another municipality in the
same tenant / another tenant, each cell stated once below and checked against domain.access.

Read a row as: "a <role> doing <action> on something of their own municipality / another
municipality / another tenant is allowed (Y) or refused (N)". For "report" and
"view_own_reports" there is no target: the first column is the answer, the others are "-".
"""

from __future__ import annotations

import pytest

from domain.access import (
    ANYONE_ACTIONS,
    CASE_ACTIONS,
    MUNICIPALITY_ACTIONS,
    NETWORK_ACTIONS,
    TEAM_ACTIONS,
    Action,
    CaseTarget,
    Grant,
    MunicipalityTarget,
    NetworkTarget,
    NoTarget,
    Person,
    Principal,
    Role,
    Target,
    TeamKind,
    TeamTarget,
    decide,
)

MATRIX = """
role         action                   own  other_municipality  other_tenant
reporter     report                   Y    -                   -
reporter     view_own_reports         Y    -                   -
reporter     case.view_anonymised     N    N                   N
reporter     case.view_identifiable   N    N                   N
reporter     case.assign              N    N                   N
reporter     case.classify            N    N                   N
reporter     case.add_note            N    N                   N
reporter     case.set_follow_up       N    N                   N
reporter     case.close               N    N                   N
reporter     case.reopen              N    N                   N
reporter     case.view_access_log     N    N                   N
reporter     case.share_text          N    N                   N
reporter     case.record_consent      N    N                   N
reporter     case.mark_archived       N    N                   N
reporter     statistics.view          N    N                   N
reporter     enquiry.register         N    N                   N
reporter     statistics.export        N    N                   N
reporter     access.review            N    N                   N
reporter     members.view             N    N                   N
reporter     members.manage           N    N                   N
reporter     delivery.resend          N    N                   N
reporter     team.schedule_meeting    N    N                   N
reporter     network.view             N    N                   N
reporter     network.share            N    N                   N
member       report                   Y    -                   -
member       view_own_reports         Y    -                   -
member       case.view_anonymised     Y    N                   N
member       case.view_identifiable   Y    N                   N
member       case.assign              Y    N                   N
member       case.classify            Y    N                   N
member       case.add_note            Y    N                   N
member       case.set_follow_up       Y    N                   N
member       case.close               N    N                   N
member       case.reopen              N    N                   N
member       case.view_access_log     N    N                   N
member       case.share_text          N    N                   N
member       case.record_consent      N    N                   N
member       case.mark_archived       N    N                   N
member       statistics.view          N    N                   N
member       enquiry.register         Y    N                   N
member       statistics.export        N    N                   N
member       access.review            N    N                   N
member       members.view             Y    N                   N
member       members.manage           N    N                   N
member       delivery.resend          N    N                   N
member       team.schedule_meeting    N    N                   N
member       network.view             N    N                   N
member       network.share            N    N                   N
assignee     report                   Y    -                   -
assignee     view_own_reports         Y    -                   -
assignee     case.view_anonymised     Y    N                   N
assignee     case.view_identifiable   Y    N                   N
assignee     case.assign              Y    N                   N
assignee     case.classify            Y    N                   N
assignee     case.add_note            Y    N                   N
assignee     case.set_follow_up       Y    N                   N
assignee     case.close               Y    N                   N
assignee     case.reopen              N    N                   N
assignee     case.view_access_log     N    N                   N
assignee     case.share_text          N    N                   N
assignee     case.record_consent      N    N                   N
assignee     case.mark_archived       N    N                   N
assignee     statistics.view          N    N                   N
assignee     enquiry.register         Y    N                   N
assignee     statistics.export        N    N                   N
assignee     access.review            N    N                   N
assignee     members.view             Y    N                   N
assignee     members.manage           N    N                   N
assignee     delivery.resend          N    N                   N
assignee     team.schedule_meeting    N    N                   N
assignee     network.view             N    N                   N
assignee     network.share            N    N                   N
coordinator  report                   Y    -                   -
coordinator  view_own_reports         Y    -                   -
coordinator  case.view_anonymised     Y    N                   N
coordinator  case.view_identifiable   Y    N                   N
coordinator  case.assign              Y    N                   N
coordinator  case.classify            Y    N                   N
coordinator  case.add_note            Y    N                   N
coordinator  case.set_follow_up       Y    N                   N
coordinator  case.close               Y    N                   N
coordinator  case.reopen              Y    N                   N
coordinator  case.view_access_log     Y    N                   N
coordinator  case.share_text          Y    N                   N
coordinator  case.record_consent      Y    N                   N
coordinator  case.mark_archived       Y    N                   N
coordinator  statistics.view          Y    N                   N
coordinator  enquiry.register         Y    N                   N
coordinator  statistics.export        Y    N                   N
coordinator  access.review            Y    N                   N
coordinator  members.view             Y    N                   N
coordinator  members.manage           Y    N                   N
coordinator  delivery.resend          Y    N                   N
coordinator  team.schedule_meeting    Y    N                   N
coordinator  network.view             N    N                   N
coordinator  network.share            N    N                   N
leader       report                   Y    -                   -
leader       view_own_reports         Y    -                   -
leader       case.view_anonymised     N    N                   N
leader       case.view_identifiable   N    N                   N
leader       case.assign              N    N                   N
leader       case.classify            N    N                   N
leader       case.add_note            N    N                   N
leader       case.set_follow_up       N    N                   N
leader       case.close               N    N                   N
leader       case.reopen              N    N                   N
leader       case.view_access_log     N    N                   N
leader       case.share_text          N    N                   N
leader       case.record_consent      N    N                   N
leader       case.mark_archived       N    N                   N
leader       statistics.view          Y    N                   N
leader       enquiry.register         N    N                   N
leader       statistics.export        Y    N                   N
leader       access.review            N    N                   N
leader       members.view             N    N                   N
leader       members.manage           N    N                   N
leader       delivery.resend          N    N                   N
leader       team.schedule_meeting    N    N                   N
leader       network.view             N    N                   N
leader       network.share            N    N                   N
network      report                   Y    -                   -
network      view_own_reports         Y    -                   -
network      case.view_anonymised     N    N                   N
network      case.view_identifiable   N    N                   N
network      case.assign              N    N                   N
network      case.classify            N    N                   N
network      case.add_note            N    N                   N
network      case.set_follow_up       N    N                   N
network      case.close               N    N                   N
network      case.reopen              N    N                   N
network      case.view_access_log     N    N                   N
network      case.share_text          N    N                   N
network      case.record_consent      N    N                   N
network      case.mark_archived       N    N                   N
network      statistics.view          N    N                   N
network      enquiry.register         N    N                   N
network      statistics.export        N    N                   N
network      access.review            N    N                   N
network      members.view             N    N                   N
network      members.manage           N    N                   N
network      delivery.resend          N    N                   N
network      team.schedule_meeting    N    N                   N
network      network.view             Y    N                   N
network      network.share            Y    N                   N
admin        report                   Y    -                   -
admin        view_own_reports         Y    -                   -
admin        case.view_anonymised     N    N                   N
admin        case.view_identifiable   N    N                   N
admin        case.assign              N    N                   N
admin        case.classify            N    N                   N
admin        case.add_note            N    N                   N
admin        case.set_follow_up       N    N                   N
admin        case.close               N    N                   N
admin        case.reopen              N    N                   N
admin        case.view_access_log     N    N                   N
admin        case.share_text          N    N                   N
admin        case.record_consent      N    N                   N
admin        case.mark_archived       N    N                   N
admin        statistics.view          N    N                   N
admin        enquiry.register         N    N                   N
admin        statistics.export        N    N                   N
admin        access.review            N    N                   N
admin        members.view             Y    Y                   N
admin        members.manage           Y    Y                   N
admin        delivery.resend          Y    Y                   N
admin        team.schedule_meeting    N    N                   N
admin        network.view             N    N                   N
admin        network.share            N    N                   N
outsider     report                   N    -                   -
outsider     view_own_reports         N    -                   -
outsider     case.view_anonymised     N    N                   N
outsider     case.view_identifiable   N    N                   N
outsider     case.assign              N    N                   N
outsider     case.classify            N    N                   N
outsider     case.add_note            N    N                   N
outsider     case.set_follow_up       N    N                   N
outsider     case.close               N    N                   N
outsider     case.reopen              N    N                   N
outsider     case.view_access_log     N    N                   N
outsider     case.share_text          N    N                   N
outsider     case.record_consent      N    N                   N
outsider     case.mark_archived       N    N                   N
outsider     statistics.view          N    N                   N
outsider     enquiry.register         N    N                   N
outsider     statistics.export        N    N                   N
outsider     access.review            N    N                   N
outsider     members.view             N    N                   N
outsider     members.manage           N    N                   N
outsider     delivery.resend          N    N                   N
outsider     team.schedule_meeting    N    N                   N
outsider     network.view             N    N                   N
outsider     network.share            N    N                   N
"""

SCOPES = ("own", "other_municipality", "other_tenant")

# The world: tenant A has municipalities a1 (served by operational team ta1, leadership team la)
# and a2 (team ta2); tenant B has b1 (team tb1); tenant C is not allowed. "net" is a network.
A, B, C = "tenant-a", "tenant-b", "tenant-c"
ME = Person(A, "me")


def principal(role: str) -> Principal:
    def grant(r: Role, team: str | None, kind: TeamKind | None, *munis: str) -> Grant:
        return Grant(r, A, team, kind, frozenset(munis))

    grants = {
        "reporter": (),
        "member": (grant(Role.MEMBER, "ta1", TeamKind.OPERATIONAL, "a1"),),
        "assignee": (grant(Role.MEMBER, "ta1", TeamKind.OPERATIONAL, "a1"),),
        "coordinator": (grant(Role.COORDINATOR, "ta1", TeamKind.OPERATIONAL, "a1"),),
        "leader": (grant(Role.LEADER, "la", TeamKind.LEADERSHIP, "a1"),),
        "network": (grant(Role.NETWORK, "net", TeamKind.NETWORK),),
        "admin": (grant(Role.ADMIN, None, None),),
        "outsider": (),
    }[role]
    if role == "outsider":
        return Principal(Person(C, "me"), tenant_allowed=False)
    return Principal(ME, tenant_allowed=True, grants=grants)


def target(action: Action, scope: str, role: str) -> Target:
    if action in ANYONE_ACTIONS:
        return NoTarget()
    if action in CASE_ACTIONS:
        tenant, municipality = {
            "own": (A, "a1"),
            "other_municipality": (A, "a2"),
            "other_tenant": (B, "b1"),
        }[scope]
        assignee = ME if role == "assignee" else Person(A, "someone-else")
        # Only a closed case can be reopened, or marked as archived.
        closed = action in (Action.REOPEN_CASE, Action.MARK_ARCHIVED)
        team = {"own": "ta1", "other_municipality": "ta2", "other_tenant": "tb1"}[scope]
        return CaseTarget("case-1", tenant, municipality, assignee, closed, team)
    if action in MUNICIPALITY_ACTIONS:
        municipality = {"own": "a1", "other_municipality": "a2", "other_tenant": "b1"}[scope]
        return MunicipalityTarget(frozenset({municipality}))
    if action in TEAM_ACTIONS:
        team, tenant = {
            "own": ("ta1", A),
            "other_municipality": ("ta2", A),
            "other_tenant": ("tb1", B),
        }[scope]
        return TeamTarget(team, tenant, TeamKind.OPERATIONAL)
    if action in NETWORK_ACTIONS:
        return NetworkTarget(
            {"own": "net", "other_municipality": "net-2", "other_tenant": "net-b"}[scope]
        )
    raise AssertionError(f"no target for {action}")


def cells() -> list[tuple[str, Action, str, bool]]:
    rows = [line.split() for line in MATRIX.strip().splitlines()[1:]]
    found = []
    for role, action, *answers in rows:
        for scope, answer in zip(SCOPES, answers, strict=True):
            if answer != "-":
                found.append((role, Action(action), scope, answer == "Y"))
    return found


def test_the_matrix_states_every_role_and_every_action_once() -> None:
    rows = [tuple(line.split()[:2]) for line in MATRIX.strip().splitlines()[1:]]
    roles = {
        "reporter",
        "member",
        "assignee",
        "coordinator",
        "leader",
        "network",
        "admin",
        "outsider",
    }
    assert len(rows) == len(set(rows))
    assert set(rows) == {(r, a.value) for r in roles for a in Action}


@pytest.mark.parametrize(
    ("role", "action", "scope", "allowed"),
    cells(),
    ids=[f"{r}-{a.value}-{s}" for r, a, s, _ in cells()],
)
def test_access_matrix_cell(role: str, action: Action, scope: str, allowed: bool) -> None:
    decision = decide(principal(role), action, target(action, scope, role))
    assert decision.allowed is allowed, decision.reason


def test_a_grant_from_another_tenant_lends_no_rights() -> None:
    # A membership row in tenant B cannot make a tenant-A person a member there.
    foreign = Grant(Role.COORDINATOR, B, "tb1", TeamKind.OPERATIONAL, frozenset({"b1"}))
    someone = Principal(ME, True, (foreign,))
    assert not decide(someone, Action.VIEW_CASE_IDENTIFIABLE, CaseTarget("c", B, "b1"))


def test_a_closed_case_can_be_read_but_not_changed() -> None:
    coordinator = principal("coordinator")
    closed = CaseTarget("c", A, "a1", closed=True)
    assert decide(coordinator, Action.VIEW_CASE_IDENTIFIABLE, closed)
    assert not decide(coordinator, Action.ADD_CASE_NOTE, closed)
    assert not decide(coordinator, Action.CLOSE_CASE, closed)


def test_a_team_serving_several_municipalities_reaches_each_of_them() -> None:
    shared = Grant(Role.MEMBER, A, "iks", TeamKind.OPERATIONAL, frozenset({"moss", "rade"}))
    member = Principal(ME, True, (shared,))
    assert decide(member, Action.VIEW_CASE_ANONYMISED, CaseTarget("c", A, "moss"))
    assert decide(member, Action.VIEW_CASE_ANONYMISED, CaseTarget("c", A, "rade"))
    assert not decide(member, Action.VIEW_CASE_ANONYMISED, CaseTarget("c", A, "valer"))


def test_a_wrong_kind_of_target_is_refused() -> None:
    assert not decide(principal("coordinator"), Action.VIEW_CASE_ANONYMISED, NoTarget())
    assert not decide(principal("coordinator"), Action.REPORT, CaseTarget("c", A, "a1"))


# --- roles in more than one team: a role counts in the team that owns the case ----------------

# Team ta1 owns the case (municipality a1); team tx serves a1 too (an inter-municipal team), and
# team ta2 serves a2. Each principal below holds the roles named.
CROSS_TEAM = {
    "member of ta1 + coordinator of ta2": (
        Grant(Role.MEMBER, A, "ta1", TeamKind.OPERATIONAL, frozenset({"a1"})),
        Grant(Role.COORDINATOR, A, "ta2", TeamKind.OPERATIONAL, frozenset({"a2"})),
    ),
    "member of ta1 + coordinator of tx, which also serves a1": (
        Grant(Role.MEMBER, A, "ta1", TeamKind.OPERATIONAL, frozenset({"a1"})),
        Grant(Role.COORDINATOR, A, "tx", TeamKind.OPERATIONAL, frozenset({"a1"})),
    ),
    "coordinator of ta1 in tenant A, acting from tenant B": (
        Grant(Role.COORDINATOR, A, "ta1", TeamKind.OPERATIONAL, frozenset({"a1"})),
    ),
    "leader of a1": (Grant(Role.LEADER, A, "la", TeamKind.LEADERSHIP, frozenset({"a1"})),),
    "admin of tenant A": (Grant(Role.ADMIN, A, None, None),),
    "network member": (Grant(Role.NETWORK, A, "net", TeamKind.NETWORK),),
}
# What each may do on ta1's case: the coordinator-only actions never, the member's actions
# where they are a member of ta1.
COORDINATOR_ONLY = (Action.SHARE_CASE_TEXT, Action.REOPEN_CASE, Action.VIEW_CASE_ACCESS_LOG)
MEMBER_ACTIONS = (Action.VIEW_CASE_IDENTIFIABLE, Action.CLASSIFY_CASE, Action.ADD_CASE_NOTE)


def cross_team_principal(who: str) -> Principal:
    person = Person(B, "me") if "tenant B" in who else ME
    return Principal(person, True, CROSS_TEAM[who])


def ta1_case(action: Action) -> CaseTarget:
    return CaseTarget(
        "case-1", A, "a1", Person(A, "someone-else"), action == Action.REOPEN_CASE, "ta1"
    )


@pytest.mark.parametrize("action", [*COORDINATOR_ONLY, Action.CLOSE_CASE])
@pytest.mark.parametrize("who", list(CROSS_TEAM))
def test_a_coordinator_only_action_needs_the_coordinator_role_in_the_cases_own_team(
    who: str, action: Action
) -> None:
    assert not decide(cross_team_principal(who), action, ta1_case(action))


@pytest.mark.parametrize("action", MEMBER_ACTIONS)
@pytest.mark.parametrize("who", [w for w in CROSS_TEAM if w.startswith("member of ta1")])
def test_a_member_of_the_cases_team_keeps_a_members_rights_whatever_they_coordinate(
    who: str, action: Action
) -> None:
    assert decide(cross_team_principal(who), action, ta1_case(action))


@pytest.mark.parametrize("action", [*COORDINATOR_ONLY, *MEMBER_ACTIONS])
def test_a_coordinator_of_another_team_serving_the_same_municipality_cannot_touch_the_case(
    action: Action,
) -> None:
    other = Grant(Role.COORDINATOR, A, "tx", TeamKind.OPERATIONAL, frozenset({"a1"}))
    assert not decide(Principal(ME, True, (other,)), action, ta1_case(action))


@pytest.mark.parametrize("action", COORDINATOR_ONLY)
def test_the_coordinator_of_the_cases_own_team_may_do_the_coordinator_only_actions(
    action: Action,
) -> None:
    own = Grant(Role.COORDINATOR, A, "ta1", TeamKind.OPERATIONAL, frozenset({"a1"}))
    assert decide(Principal(ME, True, (own,)), action, ta1_case(action))
