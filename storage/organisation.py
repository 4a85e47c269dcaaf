"""Municipalities and teams: who a report goes to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from storage.models import Municipality, Team, TeamMunicipality


@dataclass(frozen=True)
class MunicipalityInfo:
    id: str
    tenant_id: str
    name: str


@dataclass(frozen=True)
class OperationalTeam:
    id: str
    tenant_id: str
    name: str
    phone: str | None


class OrganisationRepository:
    def __init__(self, sessions: async_sessionmaker[Any]) -> None:
        self._sessions = sessions

    async def municipalities_for_tenant(self, tenant_id: str) -> list[MunicipalityInfo]:
        """The municipalities an employee of this tenant may report to."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(Municipality)
                .join(TeamMunicipality, TeamMunicipality.municipality_id == Municipality.id)
                .join(Team, Team.id == TeamMunicipality.team_id)
                .where(Municipality.tenant_id == tenant_id, Team.kind == "operational")
                .distinct()
                .order_by(Municipality.name)
            )
            return [MunicipalityInfo(m.id, m.tenant_id, m.name) for m in rows.scalars()]

    async def operational_team_for(
        self, tenant_id: str, municipality_id: str
    ) -> OperationalTeam | None:
        async with self._sessions() as session:
            team = (
                await session.execute(
                    select(Team)
                    .join(TeamMunicipality, TeamMunicipality.team_id == Team.id)
                    .join(Municipality, Municipality.id == TeamMunicipality.municipality_id)
                    .where(
                        Municipality.tenant_id == tenant_id,
                        Municipality.id == municipality_id,
                        Team.kind == "operational",
                    )
                    .order_by(Team.created_at)
                    .limit(1)
                )
            ).scalar_one_or_none()
            if team is None:
                return None
            return OperationalTeam(team.id, team.tenant_id, team.name, team.phone)
