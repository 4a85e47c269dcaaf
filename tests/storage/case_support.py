"""People, teams and cases for the storage tests of the access gate's users."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from domain.access import Person, Principal
from domain.case import NewCase
from storage.cases import CaseRepository, StoredCase
from storage.crypto import FieldCipher, parse_keys
from storage.gate import AccessGate
from storage.models import Membership, Team, TeamMunicipality
from tests.conftest import DATA_KEY, add_municipality
from tests.support import OTHER_TENANT, REPORTER_AAD, TENANT

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
NAME = "Kari Nordmann"
PERSONAL = {
    "what_happened": "Blåmerker på begge armene.",
    "reporter_phone": "+4791234567",
    "name": NAME,
    "birth": "12.03.1941",
    "residence": "Storgata 1, 1530 Moss",
}


async def add_team(
    sessions: Any, tenant_id: str, kind: str, municipality_ids: list[str], name: str = "Team"
) -> str:
    async with sessions() as session, session.begin():
        team = Team(tenant_id=tenant_id, kind=kind, name=name)
        session.add(team)
        await session.flush()
        for municipality_id in municipality_ids:
            session.add(TeamMunicipality(team_id=team.id, municipality_id=municipality_id))
        return str(team.id)


async def add_member(
    sessions: Any, team_id: str | None, aad_object_id: str, role: str, tenant_id: str = TENANT
) -> Person:
    async with sessions() as session, session.begin():
        session.add(
            Membership(team_id=team_id, tenant_id=tenant_id, aad_object_id=aad_object_id, role=role)
        )
    return Person(tenant_id, aad_object_id)


@dataclass
class World:
    """Moss and Råde in one tenant, each with its own operational team (coordinator coord-1),
    Halden in another tenant; a case TE-2026-0001 in Moss, with consent."""

    sessions: Any
    gate: AccessGate
    cipher: FieldCipher
    cases: CaseRepository
    moss: str
    moss_team: str
    rade: str
    rade_team: str
    halden: str
    halden_team: str
    case: StoredCase

    async def principal(self, person: Person) -> Principal:
        return await self.gate.principal(person)

    async def coordinator(self) -> Principal:
        return await self.principal(Person(TENANT, "coord-1"))


def new_case(
    municipality_id: str,
    draft_id: str,
    consent_basis: str = "consent",
    personal: dict[str, Any] | None = None,
    tenant_id: str = TENANT,
) -> NewCase:
    """A report as the dialogue makes it, from the reporter REPORTER_AAD of `tenant_id`."""
    return NewCase(
        draft_id=draft_id,
        municipality_id=municipality_id,
        consent_basis=consent_basis,
        acute_danger=False,
        gender="female",
        age_band="80+",
        vulnerabilities=["dementia", "old_age"],
        violence_types=["physical", "financial"],
        perpetrator_relation="child",
        knowledge_source="saw",
        reporter_service="home_care",
        reporter=Person(tenant_id, REPORTER_AAD),
        personal=dict(PERSONAL if personal is None else personal),
    )


async def report(
    world_or_repo: CaseRepository,
    gate: AccessGate,
    municipality_id: str,
    draft_id: str,
    consent_basis: str = "consent",
    personal: dict[str, Any] | None = None,
    tenant_id: str = TENANT,
    now: datetime = NOW,
) -> StoredCase:
    new = new_case(municipality_id, draft_id, consent_basis, personal, tenant_id)
    return await world_or_repo.create_from_report(
        await gate.principal(new.reporter), new, None, now=now
    )


async def make_world(sessions: Any) -> World:
    gate = AccessGate(sessions)
    cipher = FieldCipher(parse_keys(DATA_KEY))
    cases = CaseRepository(sessions, cipher, gate)
    moss, moss_team = await add_municipality(sessions, "Moss")
    rade, rade_team = await add_municipality(sessions, "Råde")
    halden, halden_team = await add_municipality(sessions, "Halden", tenant_id=OTHER_TENANT)
    case = await report(cases, gate, moss, "draft-moss-1")
    return World(
        sessions, gate, cipher, cases, moss, moss_team, rade, rade_team, halden, halden_team, case
    )
