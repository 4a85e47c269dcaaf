"""The access matrix again, with every person's roles loaded from the database by the gate, on
SQLite and PostgreSQL: the same table (tests/domain/test_access_matrix.py), the same answers."""

from __future__ import annotations

from typing import Any

import pytest

from domain.access import Person, Principal
from storage.gate import AccessDenied, AccessGate, allow_tenant
from storage.models import Membership, Municipality, Team, TeamMunicipality
from tests.domain.test_access_matrix import ME, A, B, cells, target

ROLES = ("reporter", "member", "assignee", "coordinator", "leader", "network", "admin", "outsider")
# Each role is held by its own person, all in tenant A (the outsider in tenant C).
MEMBERSHIPS: dict[str, tuple[str | None, str]] = {
    "member": ("ta1", "member"),
    "assignee": ("ta1", "member"),
    "coordinator": ("ta1", "coordinator"),
    "leader": ("la", "leader"),
    "network": ("net", "network"),
    "admin": (None, "admin"),
}


async def seed_world(sessions: Any) -> None:
    await allow_tenant(sessions, A, "Tenant A")
    await allow_tenant(sessions, B, "Tenant B")
    async with sessions() as session, session.begin():
        for mid, tenant in (("a1", A), ("a2", A), ("b1", B)):
            session.add(Municipality(id=mid, tenant_id=tenant, name=mid.upper()))
        for tid, tenant, kind, serves in (
            ("ta1", A, "operational", ["a1"]),
            ("ta2", A, "operational", ["a2"]),
            ("tb1", B, "operational", ["b1"]),
            ("la", A, "leadership", ["a1"]),
            ("net", A, "network", []),
        ):
            session.add(Team(id=tid, tenant_id=tenant, kind=kind, name=tid))
            await session.flush()
            for mid in serves:
                session.add(TeamMunicipality(team_id=tid, municipality_id=mid))
        for role, (team, role_name) in MEMBERSHIPS.items():
            session.add(
                Membership(
                    team_id=team, tenant_id=A, aad_object_id=f"{role}-person", role=role_name
                )
            )


@pytest.mark.parametrize("role", ROLES)
async def test_the_gate_gives_the_matrix_answers_for(role: str, sessions: Any) -> None:
    await seed_world(sessions)
    gate = AccessGate(sessions)
    person = Person("tenant-c" if role == "outsider" else A, f"{role}-person")
    loaded = await gate.principal(person)
    # The table's targets name "me" as the assignee; here that is this role's person.
    principal = (
        Principal(ME, loaded.tenant_allowed, loaded.grants) if role != "outsider" else loaded
    )

    wrong = []
    for cell_role, action, scope, allowed in cells():
        if cell_role != role:
            continue
        try:
            await gate.require(principal, action, target(action, scope, role))
            got = True
        except AccessDenied:
            got = False
        if got is not allowed:
            wrong.append(f"{action.value} on {scope}: expected {allowed}, got {got}")
    assert wrong == []
