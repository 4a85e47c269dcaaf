"""The access gate: every read and write of a case, of people or of aggregates passes here.

It asks domain.access for a decision, writes the access log, and refuses with AccessDenied.
Repositories take a Principal and call `require` before they touch a row; no other code path
reads case contents.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from domain.access import (
    Action,
    CaseTarget,
    Decision,
    Grant,
    Person,
    Principal,
    Role,
    Target,
    TeamKind,
    decide,
)
from storage.db import insert_if_absent
from storage.models import AccessLogEntry, Membership, Team, TeamMunicipality, Tenant, utcnow

log = logging.getLogger(__name__)

# Reads that do not reveal a case are not logged; everything else is.
_UNLOGGED = frozenset({Action.REPORT, Action.VIEW_OWN_REPORTS, Action.VIEW_MEMBERS})


class AccessDenied(Exception):
    def __init__(self, decision: Decision) -> None:
        super().__init__(decision.reason)
        self.decision = decision


@dataclass(frozen=True)
class Where:
    """Where a request came from, for the log: the Teams conversation."""

    conversation_id: str | None = None
    case_number: str | None = None


class AccessGate:
    def __init__(self, sessions: async_sessionmaker[Any]) -> None:
        self._sessions = sessions

    async def principal(self, person: Person) -> Principal:
        """The person with every role they hold and what each of their teams serves."""
        async with self._sessions() as session:
            allowed = await session.get(Tenant, person.tenant_id) is not None
            rows = (
                await session.execute(
                    select(Membership, Team)
                    .outerjoin(Team, Team.id == Membership.team_id)
                    .where(
                        Membership.tenant_id == person.tenant_id,
                        Membership.aad_object_id == person.aad_object_id,
                    )
                )
            ).all()
            team_ids = {m.team_id for m, _ in rows if m.team_id}
            served: dict[str, set[str]] = {t: set() for t in team_ids}
            if team_ids:
                links = await session.execute(
                    select(TeamMunicipality.team_id, TeamMunicipality.municipality_id).where(
                        TeamMunicipality.team_id.in_(team_ids)
                    )
                )
                for team_id, municipality_id in links.all():
                    served[team_id].add(municipality_id)
        grants = []
        for membership, team in rows:
            try:
                role = Role(membership.role)
            except ValueError:
                continue  # a role this version does not know grants nothing
            grants.append(
                Grant(
                    role=role,
                    tenant_id=membership.tenant_id,
                    team_id=membership.team_id,
                    team_kind=TeamKind(team.kind) if team is not None else None,
                    municipality_ids=frozenset(served.get(membership.team_id or "", ())),
                )
            )
        return Principal(person, allowed, tuple(grants))

    async def require(
        self,
        principal: Principal,
        action: Action,
        target: Target,
        where: Where | None = None,
        detail: dict[str, Any] | None = None,
    ) -> Decision:
        """The decision, logged (with `detail`: what was asked for); AccessDenied when it is a
        no."""
        decision = decide(principal, action, target)
        if not decision.allowed or action not in _UNLOGGED:
            await self.record(principal.person, action, target, decision, where or Where(), detail)
        if not decision.allowed:
            log.info("access denied: %s (%s)", action.value, decision.reason)
            raise AccessDenied(decision)
        return decision

    async def record(
        self,
        person: Person,
        action: Action | str,
        target: Target | None,
        decision: Decision,
        where: Where,
        detail: dict[str, Any] | None = None,
    ) -> None:
        case = target if isinstance(target, CaseTarget) else None
        async with self._sessions() as session, session.begin():
            session.add(
                AccessLogEntry(
                    at=utcnow(),
                    actor_tenant_id=person.tenant_id,
                    actor_aad_object_id=person.aad_object_id,
                    action=str(action),
                    allowed=decision.allowed,
                    case_id=case.case_id if case else None,
                    case_number=where.case_number,
                    municipality_id=case.municipality_id if case else None,
                    conversation_id=where.conversation_id,
                    detail={"reason": decision.reason, **(detail or {})},
                )
            )


async def allow_tenant(sessions: async_sessionmaker[Any], tenant_id: str, name: str) -> bool:
    """Let a tenant's users use the bot. True when it was not allowed before."""
    async with sessions() as session, session.begin():
        return await insert_if_absent(
            session, Tenant, {"tenant_id": tenant_id, "name": name, "created_at": utcnow()}
        )
