"""Demo data so that a newcomer has someone to talk to: one municipality, its operational team
and the team's members, in the Agents Playground's mock tenant (.m365agentsplayground.yml)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from storage.gate import allow_tenant
from storage.models import Membership, Municipality, Team, TeamMunicipality

# Must match .m365agentsplayground.yml.
PLAYGROUND_TENANT_ID = "0d3a0e55-7e57-4b0e-9d10-de30c0a11111"
DEMO_MUNICIPALITY_ID = "demo0000000000000000000000000001"
DEMO_TEAM_ID = "demo0000000000000000000000000010"
# (Entra object id, role): Lars Haugen coordinates, Marte Johansen and Ole Berg are members.
DEMO_MEMBERS: tuple[tuple[str, str], ...] = (
    ("6f1c2a10-0000-4000-8000-000000000002", "coordinator"),
    ("6f1c2a10-0000-4000-8000-000000000003", "member"),
    ("6f1c2a10-0000-4000-8000-000000000004", "member"),
)


async def load_demo_data(sessions: async_sessionmaker[Any], tenant_id: str) -> str:
    await allow_tenant(sessions, tenant_id, "Demo kommune")
    async with sessions() as session, session.begin():
        if await session.get(Municipality, DEMO_MUNICIPALITY_ID) is not None:
            return "Demo data is already there."
        session.add(
            Municipality(
                id=DEMO_MUNICIPALITY_ID, tenant_id=tenant_id, name="Demo kommune", number="9999"
            )
        )
        session.add(
            Team(
                id=DEMO_TEAM_ID,
                tenant_id=tenant_id,
                kind="operational",
                name="TryggEst-teamet i Demo kommune",
                phone="69 00 00 00",
            )
        )
        await session.flush()
        session.add(TeamMunicipality(team_id=DEMO_TEAM_ID, municipality_id=DEMO_MUNICIPALITY_ID))
        for aad_object_id, role in DEMO_MEMBERS:
            existing = await session.execute(
                select(Membership).where(
                    Membership.team_id == DEMO_TEAM_ID, Membership.aad_object_id == aad_object_id
                )
            )
            if existing.scalar_one_or_none() is None:
                session.add(
                    Membership(
                        team_id=DEMO_TEAM_ID,
                        tenant_id=tenant_id,
                        aad_object_id=aad_object_id,
                        role=role,
                    )
                )
    return "Demo data loaded: Demo kommune with its TryggEst team."
