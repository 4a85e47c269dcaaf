"""Which team a municipality's reports go to, as the summary card names it (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from storage.models import Team, TeamMunicipality
from storage.organisation import OrganisationRepository
from tests.conftest import TENANT, add_municipality

OTHER_TENANT = "0ther000-0000-0000-0000-000000000000"


async def test_a_municipalitys_reports_go_to_its_operational_team(sessions: Any) -> None:
    municipality, team = await add_municipality(sessions, "Moss", phone="69 24 10 00")

    found = await OrganisationRepository(sessions).operational_team_for(TENANT, municipality)

    assert found is not None
    assert (found.id, found.name, found.phone) == (team, "TryggEst-teamet i Moss", "69 24 10 00")


async def test_another_tenants_municipality_has_no_team_for_this_tenant(sessions: Any) -> None:
    municipality, _ = await add_municipality(sessions, "Råde", tenant_id=OTHER_TENANT)

    assert await OrganisationRepository(sessions).operational_team_for(TENANT, municipality) is None


async def test_a_network_serving_the_municipality_is_not_its_operational_team(
    sessions: Any,
) -> None:
    municipality, team = await add_municipality(sessions, "Våler")
    async with sessions() as session, session.begin():
        network = Team(
            tenant_id=TENANT,
            kind="network",
            name="Nettverket i Østfold",
            phone="1",
            created_at=datetime(2020, 1, 1, tzinfo=UTC),  # older than the operational team
        )
        session.add(network)
        await session.flush()
        session.add(TeamMunicipality(team_id=network.id, municipality_id=municipality))

    found = await OrganisationRepository(sessions).operational_team_for(TENANT, municipality)

    assert found is not None and found.id == team
