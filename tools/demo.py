"""Demo data so that a newcomer has someone to talk to: one municipality, its operational team
(tied to the Playground's team and channel), its leadership team and a network, and the people
of the Agents Playground's mock tenant (.m365agentsplayground.yml) each in a role of their own."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from storage.gate import allow_tenant
from storage.models import Membership, Municipality, Team, TeamMunicipality
from storage.organisation import FROM_CONFIG, FROM_ROSTER
from storage.stand_in_rosters import StandInRosters
from tools.demo_cases import DEMO_LEADER, LEADERSHIP_TEAM_ID

# Must match .m365agentsplayground.yml.
PLAYGROUND_TENANT_ID = "0d3a0e55-7e57-4b0e-9d10-de30c0a11111"
DEMO_MUNICIPALITY_ID = "demo0000000000000000000000000001"
DEMO_TEAM_ID = "demo0000000000000000000000000010"
# The Playground's team and its channel (.m365agentsplayground.yml `team`), as a configuration
# file would tie them: a coordinator can manage the team from its channel there.
DEMO_TEAMS_TEAM_ID = "team-tryggest-operativt"
DEMO_CHANNEL_ID = "channel-tryggest-saker"
# The network (nettverk) the demo municipality belongs to. The Playground has one team only, so
# the network borrows its General channel (whose id is the team's); in real use a network has a
# Teams team of its own, across tenants.
DEMO_NETWORK_ID = "demo0000000000000000000000000030"

# The Playground's people by Entra object id (the README's "who is who").
INGRID = "6f1c2a10-0000-4000-8000-000000000001"  # the Playground's own user
LARS = "6f1c2a10-0000-4000-8000-000000000002"
MARTE = "6f1c2a10-0000-4000-8000-000000000003"
OLE = "6f1c2a10-0000-4000-8000-000000000004"
KARI = DEMO_LEADER[0]
JONAS = "6f1c2a10-0000-4000-8000-000000000006"

# (team, Entra object id, role, name, source). Ingrid coordinates (and is in the network): she
# is the only one who can click in the Playground, so without the role nobody could take,
# assess or close a case there, nor approve its free text. Lars coordinates, as the
# configuration file would make him; Marte is a member, as the team's roster makes her. Kari
# leads (aggregates only), Ole is in the network only, and Jonas has no role: a reporter outside
# the team. Kari and Jonas can be played in the Playground to see a case refused to them.
DEMO_ROLES: tuple[tuple[str, str, str, str, str], ...] = (
    (DEMO_TEAM_ID, LARS, "coordinator", "Lars Haugen", FROM_CONFIG),
    (DEMO_TEAM_ID, INGRID, "coordinator", "Ingrid Solberg", FROM_CONFIG),
    (DEMO_TEAM_ID, MARTE, "member", "Marte Johansen", FROM_ROSTER),
    (LEADERSHIP_TEAM_ID, KARI, "leader", DEMO_LEADER[1], FROM_CONFIG),
    (DEMO_NETWORK_ID, INGRID, "network", "Ingrid Solberg", FROM_CONFIG),
    (DEMO_NETWORK_ID, OLE, "network", "Ole Berg", FROM_CONFIG),
)

# The Playground puts every mock user in its team, so its roster would make all six members of
# the operational team. Who the demo's Teams team really has: written as the team's stand-in
# roster (storage/stand_in_rosters.py), which the bot believes over the Playground's in local mode.
PLAYGROUND_TEAM_ROSTER: frozenset[str] = frozenset({INGRID, LARS, MARTE})


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
        for team_id, kind, name, teams_team_id in (
            (LEADERSHIP_TEAM_ID, "leadership", "Lederteamet i Demo kommune", None),
            (DEMO_NETWORK_ID, "network", "TryggEst-nettverket Øst (demo)", DEMO_TEAMS_TEAM_ID),
        ):
            if await session.get(Team, team_id) is None:
                session.add(
                    Team(
                        id=team_id,
                        tenant_id=tenant_id,
                        kind=kind,
                        name=name,
                        teams_team_id=teams_team_id,
                        channel_id=teams_team_id,
                    )
                )
                await session.flush()
                session.add(TeamMunicipality(team_id=team_id, municipality_id=DEMO_MUNICIPALITY_ID))
        # Demo data loaded before PLAYGROUND_TEAM_ROSTER made every mock user a roster member:
        # those the demo's team does not have go.
        await session.execute(
            delete(Membership).where(
                Membership.team_id == DEMO_TEAM_ID,
                Membership.source == FROM_ROSTER,
                Membership.aad_object_id.not_in(PLAYGROUND_TEAM_ROSTER),
            )
        )
        for team_id, aad_object_id, role, name, source in DEMO_ROLES:
            existing = (
                (
                    await session.execute(
                        select(Membership).where(
                            Membership.team_id == team_id,
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
                        team_id=team_id,
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
    await StandInRosters(sessions).replace(tenant_id, DEMO_TEAMS_TEAM_ID, PLAYGROUND_TEAM_ROSTER)
    if loaded_before:
        return "Demo data is already there."
    return "Demo data loaded: Demo kommune with its TryggEst team."
