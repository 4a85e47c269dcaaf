"""Who a Teams team really has, where the Microsoft 365 Agents Playground plays Teams. The
Playground puts every mock user in its team, so its roster answer lists them all; the demo data
(tools/demo.py) writes here who the demo's team has. The bot reads this in local mode only
(bot/teams_roster.py): a real team's roster is Teams' word alone."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from storage.models import StandInRosterMember


class StandInRosters:
    def __init__(self, sessions: async_sessionmaker[Any]) -> None:
        self._sessions = sessions

    async def of(self, tenant_id: str, teams_team_id: str) -> frozenset[str] | None:
        """The Entra object ids the team really has; None when nothing stands in for its
        roster (Teams' own answer counts)."""
        async with self._sessions() as session:
            people = (
                await session.execute(
                    select(StandInRosterMember.aad_object_id).where(
                        StandInRosterMember.tenant_id == tenant_id,
                        StandInRosterMember.teams_team_id == teams_team_id,
                    )
                )
            ).scalars()
            return frozenset(people) or None

    async def replace(
        self, tenant_id: str, teams_team_id: str, aad_object_ids: Iterable[str]
    ) -> None:
        """The team really has these people, and nobody else."""
        async with self._sessions() as session, session.begin():
            await session.execute(
                delete(StandInRosterMember).where(
                    StandInRosterMember.tenant_id == tenant_id,
                    StandInRosterMember.teams_team_id == teams_team_id,
                )
            )
            session.add_all(
                StandInRosterMember(
                    tenant_id=tenant_id, teams_team_id=teams_team_id, aad_object_id=aad
                )
                for aad in sorted(set(aad_object_ids))
            )
