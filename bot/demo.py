"""Demo data so that a newcomer has someone to talk to: one municipality, its operational team
(tied to the Playground's team and channel) and the team's members, in the Agents Playground's
mock tenant (.m365agentsplayground.yml)."""

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
# The Playground's team and its channel (.m365agentsplayground.yml `team`), as a configuration
# file would tie them: a coordinator can manage the team from its channel there.
DEMO_TEAMS_TEAM_ID = "team-tryggest-operativt"
DEMO_CHANNEL_ID = "channel-tryggest-saker"
# (Entra object id, role, name, source): Lars Haugen coordinates (as the configuration file
# would make him); Marte Johansen and Ole Berg are members, as the team's roster would make them.
# Ingrid Solberg, the Playground's current user, coordinates too: she is the only one who can
# click in the Playground, so without a role in the team nobody could take, assess or close a
# case there, nor approve its free text. (In real use a reporter is seldom in the team.)
# The network (nettverk) the demo municipality belongs to, in the Playground team's General channel
# (whose id is the team's): Ingrid, the one who can click in the Playground, can schedule a
# gathering there ("ny samling") and answer it.
DEMO_NETWORK_ID = "demo0000000000000000000000000030"
DEMO_NETWORK_MEMBERS = (("6f1c2a10-0000-4000-8000-000000000001", "Ingrid Solberg"),)
DEMO_MEMBERS: tuple[tuple[str, str, str, str], ...] = (
    ("6f1c2a10-0000-4000-8000-000000000002", "coordinator", "Lars Haugen", "config"),
    ("6f1c2a10-0000-4000-8000-000000000001", "coordinator", "Ingrid Solberg", "config"),
    ("6f1c2a10-0000-4000-8000-000000000003", "member", "Marte Johansen", "roster"),
    ("6f1c2a10-0000-4000-8000-000000000004", "member", "Ole Berg", "roster"),
)


async def load_demo_data(sessions: async_sessionmaker[Any], tenant_id: str) -> str:
    await allow_tenant(sessions, tenant_id, "Demo kommune")
    async with sessions() as session, session.begin():
        loaded_before = await session.get(Municipality, DEMO_MUNICIPALITY_ID) is not None
        if not loaded_before:
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
            session.add(
                TeamMunicipality(team_id=DEMO_TEAM_ID, municipality_id=DEMO_MUNICIPALITY_ID)
            )
        # Demo data from before the team was tied to the Playground's team is brought up to date.
        team = await session.get(Team, DEMO_TEAM_ID)
        if team is not None:
            team.teams_team_id = DEMO_TEAMS_TEAM_ID
            team.channel_id = DEMO_CHANNEL_ID
            tenant_id = team.tenant_id
        for aad_object_id, role, name, source in DEMO_MEMBERS:
            existing = (
                (
                    await session.execute(
                        select(Membership).where(
                            Membership.team_id == DEMO_TEAM_ID,
                            Membership.aad_object_id == aad_object_id,
                            # By role: the roster sync may have made her a member already.
                            Membership.role == role,
                        )
                    )
                )
                .scalars()
                .first()
            )
            if existing is None:
                session.add(
                    Membership(
                        team_id=DEMO_TEAM_ID,
                        tenant_id=tenant_id,
                        aad_object_id=aad_object_id,
                        role=role,
                        display_name=name,
                        source=source,
                    )
                )
            else:
                existing.display_name = existing.display_name or name
                existing.source = source
        if await session.get(Team, DEMO_NETWORK_ID) is None:
            session.add(
                Team(
                    id=DEMO_NETWORK_ID,
                    tenant_id=tenant_id,
                    kind="network",
                    name="TryggEst-nettverket Øst (demo)",
                    teams_team_id=DEMO_TEAMS_TEAM_ID,
                    channel_id=DEMO_TEAMS_TEAM_ID,
                )
            )
            await session.flush()
            session.add(
                TeamMunicipality(team_id=DEMO_NETWORK_ID, municipality_id=DEMO_MUNICIPALITY_ID)
            )
            for aad_object_id, name in DEMO_NETWORK_MEMBERS:
                session.add(
                    Membership(
                        team_id=DEMO_NETWORK_ID,
                        tenant_id=tenant_id,
                        aad_object_id=aad_object_id,
                        role="network",
                        display_name=name,
                        source="config",
                    )
                )
    if loaded_before:
        return "Demo data is already there."
    return "Demo data loaded: Demo kommune with its TryggEst team."
