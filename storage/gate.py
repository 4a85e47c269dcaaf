"""The access gate: every read and write of a case, of people or of aggregates passes here.

It asks domain.access for a decision, writes the access log, and refuses with AccessDenied.
Repositories take a Principal and call `require` before they touch a row; no other code path
reads case contents.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, exists, literal_column, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

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
from domain.clock import utcnow
from storage.db import insert_if_absent
from storage.models import AccessLogEntry, Membership, Team, TeamMunicipality, Tenant
from storage.single_statement import single_statement

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


# Who a person is, in one statement (it is asked on every turn that reads or changes anything):
# whether their tenant is allowed, and each of their memberships with its team's kind and the
# municipalities the team serves, one row per membership and municipality. The one-row
# subquery on the left gives the tenant's answer a row when the person holds no role at all.
# Built once: building it and its cache key per call cost more than the query (issue #9).
_ONE_ROW = select(literal_column("1").label("one")).subquery("one_row")
_PRINCIPAL = (
    select(
        exists().where(Tenant.tenant_id == bindparam("tenant_id")).label("tenant_allowed"),
        Membership.id,
        Membership.role,
        Membership.tenant_id,
        Membership.team_id,
        Team.kind,
        TeamMunicipality.municipality_id,
    )
    .select_from(_ONE_ROW)
    .outerjoin(
        Membership,
        and_(
            Membership.tenant_id == bindparam("tenant_id"),
            Membership.aad_object_id == bindparam("aad_object_id"),
        ),
    )
    .outerjoin(Team, Team.id == Membership.team_id)
    .outerjoin(TeamMunicipality, TeamMunicipality.team_id == Membership.team_id)
    # The grants in the order the roles were given (teams_of and networks_for list them so).
    .order_by(Membership.created_at, Membership.id)
)


class AccessGate:
    def __init__(self, sessions: async_sessionmaker[Any]) -> None:
        self._sessions = sessions
        self._engine: AsyncEngine = single_statement(sessions.kw["bind"])

    async def principal(self, person: Person) -> Principal:
        """The person with every role they hold and what each of their teams serves, as the
        database says now: a role given or taken counts from the next thing they do."""
        async with self._engine.connect() as conn:
            rows = (
                await conn.execute(
                    _PRINCIPAL,
                    {"tenant_id": person.tenant_id, "aad_object_id": person.aad_object_id},
                )
            ).all()
        allowed = bool(rows[0].tenant_allowed)
        # membership id -> (role, tenant, team, team kind, municipalities served), in order
        memberships: dict[str, tuple[str, str, str | None, str | None, set[str]]] = {}
        for row in rows:
            if row.id is None:
                continue  # the one row of a person without a role
            found = memberships.get(row.id)
            if found is None:
                found = memberships[row.id] = (
                    row.role,
                    row.tenant_id,
                    row.team_id,
                    row.kind,
                    set(),
                )
            if row.municipality_id is not None:
                found[4].add(row.municipality_id)
        grants = []
        for role_value, tenant_id, team_id, kind, served in memberships.values():
            try:
                role = Role(role_value)
            except ValueError:
                continue  # a role this version does not know grants nothing
            grants.append(
                Grant(
                    role=role,
                    tenant_id=tenant_id,
                    team_id=team_id,
                    team_kind=TeamKind(kind) if kind is not None else None,
                    municipality_ids=frozenset(served),
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
