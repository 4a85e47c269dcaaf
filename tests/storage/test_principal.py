"""Who a person is, as the gate reads it from the database in one statement: whether their
tenant may use the bot, each role they hold with its team's kind and what the team serves, and
nothing kept from one call to the next, so a role given or taken counts at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete

from domain.access import Grant, Person, Role, TeamKind
from storage.gate import AccessGate, allow_tenant
from storage.models import Membership, Municipality, Team, TeamMunicipality, Tenant
from storage.organisation import OrganisationRepository

TENANT = "tenant-a"
OTHER = "tenant-b"
PERSON = Person(TENANT, "kari")
T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)


async def seed(sessions: Any) -> None:
    """Two operational teams (one serving two municipalities), a network, a leadership team."""
    await allow_tenant(sessions, TENANT, "Tenant A")
    async with sessions() as session, session.begin():
        for mid, tenant, name in (
            ("moss", TENANT, "Moss"),
            ("rygge", TENANT, "Rygge"),
            ("vaaler", TENANT, "Våler"),
            ("fredrikstad", TENANT, "Fredrikstad"),
            ("halden", OTHER, "Halden"),
        ):
            session.add(Municipality(id=mid, tenant_id=tenant, name=name))
        for tid, tenant, kind, serves in (
            ("ops-moss", TENANT, "operational", ["moss", "rygge"]),
            ("ops-vaaler", TENANT, "operational", ["vaaler"]),
            ("ops-vaaler-2", TENANT, "operational", ["vaaler"]),
            ("lead", TENANT, "leadership", ["fredrikstad"]),
            ("net", TENANT, "network", []),
            ("ops-halden", OTHER, "operational", ["halden"]),
        ):
            session.add(Team(id=tid, tenant_id=tenant, kind=kind, name=tid))
            await session.flush()
            for mid in serves:
                session.add(TeamMunicipality(team_id=tid, municipality_id=mid))


async def give(
    sessions: Any, team_id: str | None, role: str, at: datetime, person: Person = PERSON
) -> None:
    async with sessions() as session, session.begin():
        session.add(
            Membership(
                team_id=team_id,
                tenant_id=person.tenant_id,
                aad_object_id=person.aad_object_id,
                role=role,
                created_at=at,
            )
        )


async def test_a_person_without_a_role_in_an_allowed_tenant_may_only_report(sessions: Any) -> None:
    await seed(sessions)

    principal = await AccessGate(sessions).principal(PERSON)

    assert principal.person == PERSON
    assert principal.tenant_allowed is True
    assert principal.grants == ()


async def test_a_tenant_not_allowed_is_said_so_and_roles_there_still_load(sessions: Any) -> None:
    await seed(sessions)
    outsider = Person(OTHER, "ola")
    await give(sessions, "ops-halden", "member", T0, outsider)

    principal = await AccessGate(sessions).principal(outsider)

    assert principal.tenant_allowed is False
    assert principal.grants == (
        Grant(Role.MEMBER, OTHER, "ops-halden", TeamKind.OPERATIONAL, frozenset({"halden"})),
    )


async def test_each_role_comes_with_its_teams_kind_and_what_it_serves_in_the_order_given(
    sessions: Any,
) -> None:
    await seed(sessions)
    await give(sessions, "net", "network", T0)
    await give(sessions, "ops-moss", "coordinator", T0 + timedelta(minutes=1))
    await give(sessions, None, "admin", T0 + timedelta(minutes=2))
    await give(sessions, "ops-moss", "member", T0 + timedelta(minutes=3))
    await give(sessions, "lead", "leader", T0 + timedelta(minutes=4))
    await give(sessions, "ops-vaaler", "future-role", T0 + timedelta(minutes=5))
    # Someone else's role in the same team is theirs, not hers.
    await give(sessions, "ops-vaaler", "member", T0, Person(TENANT, "someone-else"))

    principal = await AccessGate(sessions).principal(PERSON)

    assert principal.tenant_allowed is True
    assert principal.grants == (
        Grant(Role.NETWORK, TENANT, "net", TeamKind.NETWORK, frozenset()),
        Grant(
            Role.COORDINATOR, TENANT, "ops-moss", TeamKind.OPERATIONAL, frozenset({"moss", "rygge"})
        ),
        Grant(Role.ADMIN, TENANT, None, None, frozenset()),
        Grant(Role.MEMBER, TENANT, "ops-moss", TeamKind.OPERATIONAL, frozenset({"moss", "rygge"})),
        Grant(Role.LEADER, TENANT, "lead", TeamKind.LEADERSHIP, frozenset({"fredrikstad"})),
    )


async def test_a_role_given_or_taken_counts_from_the_next_look(sessions: Any) -> None:
    await seed(sessions)
    gate = AccessGate(sessions)
    assert (await gate.principal(PERSON)).grants == ()

    await give(sessions, "ops-vaaler", "coordinator", T0)
    assert [g.role for g in (await gate.principal(PERSON)).grants] == [Role.COORDINATOR]

    async with sessions() as session, session.begin():
        await session.execute(delete(Membership).where(Membership.aad_object_id == "kari"))
    assert (await gate.principal(PERSON)).grants == ()


async def test_what_a_team_serves_counts_from_the_next_look(sessions: Any) -> None:
    await seed(sessions)
    await give(sessions, "ops-vaaler", "member", T0)
    gate = AccessGate(sessions)
    assert (await gate.principal(PERSON)).grants[0].municipality_ids == {"vaaler"}

    async with sessions() as session, session.begin():
        session.add(TeamMunicipality(team_id="ops-vaaler", municipality_id="moss"))
    assert (await gate.principal(PERSON)).grants[0].municipality_ids == {"vaaler", "moss"}


async def test_a_tenant_allowed_or_removed_counts_from_the_next_look(sessions: Any) -> None:
    await seed(sessions)
    gate = AccessGate(sessions)
    newcomer = Person(OTHER, "ola")
    assert (await gate.principal(newcomer)).tenant_allowed is False

    await allow_tenant(sessions, OTHER, "Tenant B")
    assert (await gate.principal(newcomer)).tenant_allowed is True

    async with sessions() as session, session.begin():
        await session.execute(delete(Tenant).where(Tenant.tenant_id == OTHER))
    assert (await gate.principal(newcomer)).tenant_allowed is False


async def test_a_reporter_chooses_between_the_municipalities_an_operational_team_serves(
    sessions: Any,
) -> None:
    await seed(sessions)
    organisation = OrganisationRepository(sessions)

    choices = await organisation.municipalities_for_tenant(TENANT)

    # By name, each once (Våler has two teams); not Fredrikstad, which only a leadership team
    # serves, and not another tenant's Halden.
    assert [(m.id, m.tenant_id, m.name) for m in choices] == [
        ("moss", TENANT, "Moss"),
        ("rygge", TENANT, "Rygge"),
        ("vaaler", TENANT, "Våler"),
    ]
    assert [m.name for m in await organisation.municipalities_for_tenant(OTHER)] == ["Halden"]
    assert await organisation.municipalities_for_tenant("tenant-unknown") == []
