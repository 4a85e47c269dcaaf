"""Cases: created from a finished report in one transaction, listed for their reporter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.access import Action, Decision, NoTarget, Principal
from domain.case import NewCase, Reporter, format_case_number
from storage.crypto import FieldCipher
from storage.db import insert_if_absent
from storage.gate import AccessDenied, AccessGate
from storage.models import (
    Case,
    CaseEvent,
    CaseNumberCounter,
    Municipality,
    OutboxMessage,
    new_id,
    utcnow,
)


class UnknownMunicipality(Exception):
    """The report names a municipality that is not the reporter's tenant's."""


@dataclass(frozen=True)
class StoredCase:
    id: str
    number: str
    municipality_id: str
    team_id: str | None
    created: bool  # False when the same report had been sent before


@dataclass(frozen=True)
class ReporterCaseLine:
    number: str
    status: str
    created_at: datetime
    municipality_name: str


def personal_context(case_id: str) -> str:
    return "cases.personal:" + case_id


class CaseRepository:
    def __init__(
        self, sessions: async_sessionmaker[Any], cipher: FieldCipher, gate: AccessGate
    ) -> None:
        self._sessions = sessions
        self._cipher = cipher
        self._gate = gate

    async def create_from_report(
        self,
        principal: Principal,
        new: NewCase,
        team_id: str | None,
        now: datetime | None = None,
    ) -> StoredCase:
        """Store the case, its first event and the team's notification, or nothing at all.

        A report is identified by its draft id: sending it again returns the case it became.
        """
        await self._gate.require(principal, Action.REPORT, NoTarget())
        if new.reporter != principal.person:
            raise AccessDenied(Decision(False, "a report is sent by its own reporter"))
        tenant_id = principal.person.tenant_id
        existing = await self._find_by_draft(new.reporter, new.draft_id)
        if existing:
            return existing
        now = now or utcnow()
        try:
            async with self._sessions() as session, session.begin():
                municipality = await session.get(Municipality, new.municipality_id)
                if municipality is None or municipality.tenant_id != tenant_id:
                    raise UnknownMunicipality(new.municipality_id)
                sequence = await self._next_sequence(session, new.municipality_id, now.year)
                case_id = new_id()
                number = format_case_number(now.year, sequence)
                session.add(
                    Case(
                        id=case_id,
                        tenant_id=tenant_id,
                        municipality_id=new.municipality_id,
                        team_id=team_id,
                        number=number,
                        draft_id=new.draft_id,
                        status="received",
                        consent_basis=new.consent_basis,
                        acute_danger=new.acute_danger,
                        gender=new.gender,
                        age_band=new.age_band,
                        vulnerabilities=new.vulnerabilities,
                        violence_types=new.violence_types,
                        perpetrator_relation=new.perpetrator_relation,
                        knowledge_source=new.knowledge_source,
                        reporter_service=new.reporter_service,
                        reporter_tenant_id=new.reporter.tenant_id,
                        reporter_aad_object_id=new.reporter.aad_object_id,
                        personal=self._cipher.encrypt(new.personal, personal_context(case_id)),
                        created_at=now,
                        updated_at=now,
                    )
                )
                await session.flush()
                session.add(
                    CaseEvent(
                        case_id=case_id,
                        tenant_id=tenant_id,
                        kind="reported",
                        actor_tenant_id=new.reporter.tenant_id,
                        actor_aad_object_id=new.reporter.aad_object_id,
                        data={"consent_basis": new.consent_basis},
                        at=now,
                    )
                )
                session.add(
                    OutboxMessage(
                        tenant_id=tenant_id,
                        municipality_id=new.municipality_id,
                        team_id=team_id,
                        case_id=case_id,
                        kind="case_reported",
                        state="pending",
                        created_at=now,
                    )
                )
        except IntegrityError:
            # The same report sent in parallel (a double tap on two instances): one case won.
            existing = await self._find_by_draft(new.reporter, new.draft_id)
            if existing:
                return existing
            raise
        return StoredCase(case_id, number, new.municipality_id, team_id, created=True)

    @staticmethod
    async def _next_sequence(session: AsyncSession, municipality_id: str, year: int) -> int:
        await insert_if_absent(
            session,
            CaseNumberCounter,
            {"municipality_id": municipality_id, "year": year, "last_sequence": 0},
        )
        # The row lock taken by this UPDATE serialises numbering across instances.
        result = await session.execute(
            update(CaseNumberCounter)
            .where(
                CaseNumberCounter.municipality_id == municipality_id,
                CaseNumberCounter.year == year,
            )
            .values(last_sequence=CaseNumberCounter.last_sequence + 1)
            .returning(CaseNumberCounter.last_sequence)
        )
        return int(result.scalar_one())

    async def find_by_draft(self, principal: Principal, draft_id: str) -> StoredCase | None:
        """The case a reporter's own draft became, if it was sent."""
        await self._gate.require(principal, Action.VIEW_OWN_REPORTS, NoTarget())
        return await self._find_by_draft(principal.person, draft_id)

    async def _find_by_draft(self, reporter: Reporter, draft_id: str) -> StoredCase | None:
        async with self._sessions() as session:
            case = (
                await session.execute(
                    select(Case).where(
                        Case.draft_id == draft_id,
                        Case.reporter_tenant_id == reporter.tenant_id,
                        Case.reporter_aad_object_id == reporter.aad_object_id,
                    )
                )
            ).scalar_one_or_none()
            if case is None:
                return None
            return StoredCase(case.id, case.number, case.municipality_id, case.team_id, False)

    async def list_for_reporter(
        self, principal: Principal, limit: int = 20
    ) -> list[ReporterCaseLine]:
        """A reporter's own reports: number, status, date and municipality, nothing else."""
        await self._gate.require(principal, Action.VIEW_OWN_REPORTS, NoTarget())
        reporter = principal.person
        async with self._sessions() as session:
            rows = await session.execute(
                select(Case.number, Case.status, Case.created_at, Municipality.name)
                .join(Municipality, Municipality.id == Case.municipality_id)
                .where(
                    Case.reporter_tenant_id == reporter.tenant_id,
                    Case.reporter_aad_object_id == reporter.aad_object_id,
                )
                .order_by(Case.created_at.desc())
                .limit(limit)
            )
            return [ReporterCaseLine(n, s, c, m) for n, s, c, m in rows.all()]
