"""Reading the access log: who has seen a case, and the coordinator's review of reads.

Normen expects every access to health data to be logged *and the logs reviewed*. Both readings
go through the gate themselves, so looking at the log is logged too. Pure data: cards render it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from domain.access import Action, MunicipalityTarget, Person, Principal
from domain.views import AccessRecord, CaseAccessReview, CaseRead
from storage.cases import assignee_of, case_target, find_case
from storage.gate import AccessGate, Where
from storage.models import AccessLogEntry, Case

# Log entries that are a read of a case (of its contents, not of its log).
CASE_READS = frozenset({Action.VIEW_CASE_ANONYMISED.value, Action.VIEW_CASE_IDENTIFIABLE.value})


class AccessLogReader:
    def __init__(self, sessions: async_sessionmaker[Any], gate: AccessGate) -> None:
        self._sessions = sessions
        self._gate = gate

    async def who_has_seen(
        self,
        principal: Principal,
        case_number_or_case_id: str,
        municipality_id: str | None = None,
        where: Where | None = None,
    ) -> list[AccessRecord]:
        """Every logged decision on the case, oldest first (this look included).

        A case number is looked up as in CaseRepository.open_case: raises CaseNotFound or
        AmbiguousCaseNumber, and AccessDenied (logged) without the coordinator's role.
        """
        async with self._sessions() as session:
            case, _ = await find_case(session, principal, case_number_or_case_id, municipality_id)
        await self._gate.require(
            principal,
            Action.VIEW_CASE_ACCESS_LOG,
            case_target(case),
            replace(where or Where(), case_number=case.number),
        )
        async with self._sessions() as session:
            rows = await session.execute(
                select(AccessLogEntry)
                .where(AccessLogEntry.case_id == case.id)
                .order_by(AccessLogEntry.at, AccessLogEntry.id)
            )
            return [
                AccessRecord(
                    at=e.at,
                    who=Person(e.actor_tenant_id, e.actor_aad_object_id),
                    action=e.action,
                    allowed=e.allowed,
                )
                for e in rows.scalars()
            ]

    async def access_review(
        self,
        principal: Principal,
        municipality_ids: Iterable[str],
        since: datetime,
        until: datetime,
        where: Where | None = None,
    ) -> list[CaseAccessReview]:
        """Per case of these municipalities read in [since, until): who read it, with
        identifiable reads by anyone but the assignee flagged. Cases by number."""
        wanted = frozenset(municipality_ids)
        await self._gate.require(principal, Action.REVIEW_ACCESS, MunicipalityTarget(wanted), where)
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(AccessLogEntry, Case)
                    .join(Case, Case.id == AccessLogEntry.case_id)
                    .where(
                        AccessLogEntry.municipality_id.in_(wanted),
                        AccessLogEntry.action.in_(CASE_READS),
                        AccessLogEntry.at >= since,
                        AccessLogEntry.at < until,
                    )
                    .order_by(
                        Case.number, Case.municipality_id, AccessLogEntry.at, AccessLogEntry.id
                    )
                )
            ).all()
        cases: dict[str, Case] = {}
        reads: dict[str, list[CaseRead]] = {}
        for entry, case in rows:
            cases.setdefault(case.id, case)
            who = Person(entry.actor_tenant_id, entry.actor_aad_object_id)
            flagged = (
                entry.allowed
                and entry.action == Action.VIEW_CASE_IDENTIFIABLE.value
                and who != assignee_of(case)
            )
            reads.setdefault(case.id, []).append(
                CaseRead(entry.at, who, entry.action, entry.allowed, flagged)
            )
        return [
            CaseAccessReview(
                case_id=case.id,
                case_number=case.number,
                municipality_id=case.municipality_id,
                assignee=assignee_of(case),
                reads=tuple(reads[case_id]),
            )
            for case_id, case in cases.items()
        ]
