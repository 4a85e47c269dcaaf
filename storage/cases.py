"""Cases: created from a finished report in one transaction, listed for their reporter, and
opened by the operational team through the access gate (anonymised or identifiable)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Integer, Table, bindparam, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.access import (
    Action,
    CaseTarget,
    Decision,
    MunicipalityTarget,
    NoTarget,
    Person,
    Principal,
)
from domain.case import NewCase, Reporter, format_case_number
from domain.clock import utcnow
from domain.ids import new_id
from domain.views import CaseView, CaseViewKind, ReporterCaseLine
from storage.casework_reminders import ReminderPolicy, plan_assessment
from storage.crypto import FieldCipher
from storage.gate import AccessDenied, AccessGate, Where
from storage.models import Case, CaseEvent, CaseNumberCounter, Municipality, Team
from storage.name_digests import NameDigests
from storage.organisation import OPERATIONAL_TEAM_FOR, OperationalTeam
from storage.outbox import add_in


class UnknownMunicipality(Exception):
    """The report names a municipality that is not the reporter's tenant's."""


@dataclass(frozen=True)
class StoredCase:
    id: str
    number: str
    municipality_id: str
    team_id: str | None
    created: bool  # False when the same report had been sent before
    # The team the case went to, for the reporter's receipt.
    team_name: str | None = None
    team_phone: str | None = None


class _Lookup:
    """The default of `team_id`: the municipality's operational team."""


OPERATIONAL_TEAM = _Lookup()


@dataclass(frozen=True)
class _NewCaseKeys:
    id: str
    tenant_id: str
    municipality_id: str
    team_id: str | None


def _next_sequence(insert: Any) -> Any:
    """The municipality's next case number of the year, in one statement: counted up (the row
    lock taken serialises numbering across instances), or started at 1 (the row added). No
    row comes back when the municipality is not the tenant's."""
    counter = cast(Table, CaseNumberCounter.__table__)
    start = select(Municipality.id, bindparam("year", type_=Integer), literal(1, Integer)).where(
        Municipality.id == bindparam("municipality_id"),
        Municipality.tenant_id == bindparam("tenant_id"),
    )
    return (
        insert(counter)
        .from_select(["municipality_id", "year", "last_sequence"], start)
        .on_conflict_do_update(
            index_elements=[counter.c.municipality_id, counter.c.year],
            set_={"last_sequence": counter.c.last_sequence + 1},
        )
        .returning(counter.c.last_sequence)
    )


# The statements of a report sent, built once: building a statement and its cache key costs
# more than a small query itself (issue #9).
_NEXT_SEQUENCE = {"postgresql": _next_sequence(pg_insert), "sqlite": _next_sequence(sqlite_insert)}
_INSERT_CASE = insert(cast(Table, Case.__table__))
_INSERT_EVENT = insert(cast(Table, CaseEvent.__table__))
_NUMBER_CASE = update(Case).where(Case.id == bindparam("case")).values(number=bindparam("given"))


def _unnumbered(case_id: str) -> str:
    """A case's number until it is given one, in its own transaction: unique, and never a case
    number's shape (cases.number holds 20 characters)."""
    return "~" + case_id[:19]


_BY_DRAFT = (
    select(Case.id, Case.number, Case.municipality_id, Case.team_id, Team.name, Team.phone)
    .outerjoin(Team, Team.id == Case.team_id)
    .where(
        Case.draft_id == bindparam("draft_id"),
        Case.reporter_tenant_id == bindparam("tenant_id"),
        Case.reporter_aad_object_id == bindparam("aad_object_id"),
    )
)


def personal_context(case_id: str) -> str:
    return "cases.personal:" + case_id


# --- finding a case for the team -------------------------------------------------------------

_VIEW_ACTIONS: dict[str, Action] = {
    "anonymised": Action.VIEW_CASE_ANONYMISED,
    "identifiable": Action.VIEW_CASE_IDENTIFIABLE,
}
_CASE_ID = re.compile(r"^[0-9a-f]{32}$")


class CaseLookupError(Exception):
    """The case asked for could not be picked out; nothing was read."""


class CaseNotFound(CaseLookupError):
    """No such case among the municipalities looked in. A user interface should answer this
    and AccessDenied alike, so that nobody learns which case numbers exist elsewhere."""


class AmbiguousCaseNumber(CaseLookupError):
    """Case numbers are per municipality: the person's teams serve several municipalities with
    a case of this number. Ask which municipality, then open it with its id."""

    def __init__(self, number: str, municipalities: list[tuple[str, str]]) -> None:
        super().__init__(f"{number} is a case number in {len(municipalities)} municipalities")
        self.number = number
        # (municipality id, name), all of them municipalities the person's teams serve.
        self.municipalities = municipalities


def is_case_id(value: str) -> bool:
    return bool(_CASE_ID.match(value))


def served_municipalities(principal: Principal) -> frozenset[str]:
    """Every municipality one of the person's teams serves, whatever the role there."""
    tenant = principal.person.tenant_id
    return frozenset(
        m for g in principal.grants if g.tenant_id == tenant for m in g.municipality_ids
    )


async def find_case(
    session: AsyncSession,
    principal: Principal,
    case_number_or_id: str,
    municipality_id: str | None = None,
) -> tuple[Case, Municipality]:
    """The case and its municipality, by id or by number. A number without a municipality is
    looked up only in the municipalities the person's teams serve."""
    wanted = case_number_or_id.strip()
    query = select(Case, Municipality).join(Municipality, Municipality.id == Case.municipality_id)
    if is_case_id(wanted):
        query = query.where(Case.id == wanted)
    else:
        wanted = wanted.upper()
        query = query.where(Case.number == wanted)
        if municipality_id is None:
            served = served_municipalities(principal)
            if not served:
                raise CaseNotFound(wanted)
            query = query.where(Case.municipality_id.in_(served))
    if municipality_id is not None:
        query = query.where(Case.municipality_id == municipality_id)
    rows = (await session.execute(query.order_by(Municipality.name))).all()
    if not rows:
        raise CaseNotFound(wanted)
    if len(rows) > 1:
        raise AmbiguousCaseNumber(wanted, [(m.id, m.name) for _, m in rows])
    case, municipality = rows[0]
    return case, municipality


async def load_case(session: AsyncSession, case_id: str) -> tuple[Case, Municipality]:
    """The case and its municipality by id, or CaseNotFound. Reads no more than that: what
    may be shown of it is for the gate to decide."""
    row = (
        await session.execute(
            select(Case, Municipality)
            .join(Municipality, Municipality.id == Case.municipality_id)
            .where(Case.id == case_id)
        )
    ).one_or_none()
    if row is None:
        raise CaseNotFound(case_id)
    return row[0], row[1]


def is_closed(case: Case) -> bool:
    return case.closed_at is not None or case.status == "closed"


def assignee_of(case: Case) -> Person | None:
    if case.assignee_tenant_id and case.assignee_aad_object_id:
        return Person(case.assignee_tenant_id, case.assignee_aad_object_id)
    return None


def case_target(case: Case) -> CaseTarget:
    return CaseTarget(
        case_id=case.id,
        tenant_id=case.tenant_id,
        municipality_id=case.municipality_id,
        assignee=assignee_of(case),
        closed=is_closed(case),
        team_id=case.team_id,
    )


class CaseRepository:
    def __init__(
        self,
        sessions: async_sessionmaker[Any],
        cipher: FieldCipher,
        gate: AccessGate,
        reminders: ReminderPolicy | None = None,
    ) -> None:
        self._sessions = sessions
        self._cipher = cipher
        self._gate = gate
        self._name_digests = NameDigests(sessions, cipher)
        self._reminders = reminders or ReminderPolicy()

    async def create_from_report(
        self,
        principal: Principal,
        new: NewCase,
        team_id: str | _Lookup | None = OPERATIONAL_TEAM,
        now: datetime | None = None,
    ) -> StoredCase:
        """Store the case, its first event and the team's notification, or nothing at all.

        The case goes to `team_id`, by default to the municipality's operational team, looked
        up in the same transaction (its name and phone are in the answer, for the receipt).
        A report is identified by its draft id: sending it again returns the case it became.
        """
        await self._gate.require(principal, Action.REPORT, NoTarget())
        if new.contact_channel != "teams":
            # An enquiry is registered by the team serving its municipality, nobody else.
            await self._gate.require(
                principal,
                Action.REGISTER_ENQUIRY,
                MunicipalityTarget(frozenset({new.municipality_id})),
            )
        if new.reporter != principal.person:
            raise AccessDenied(Decision(False, "a report is sent by its own reporter"))
        tenant_id = principal.person.tenant_id
        now = now or utcnow()
        team: OperationalTeam | None = None
        case_id = new_id()
        personal = self._cipher.encrypt(new.personal, personal_context(case_id))
        try:
            async with self._sessions() as session, session.begin():
                dialect = session.get_bind().dialect.name
                # Nothing is asked in advance: the draft id is unique, so a report sent before
                # fails the case's INSERT below, and is found once that has been rolled back.
                if isinstance(team_id, _Lookup):
                    row = (
                        await session.execute(
                            OPERATIONAL_TEAM_FOR,
                            {"tenant_id": tenant_id, "municipality_id": new.municipality_id},
                        )
                    ).one_or_none()
                    team = OperationalTeam(*row) if row is not None else None
                    team_id = team.id if team is not None else None
                await session.execute(
                    _INSERT_CASE,
                    {
                        "id": case_id,
                        "tenant_id": tenant_id,
                        "municipality_id": new.municipality_id,
                        "team_id": team_id,
                        # Its number is given last (below); until then, one of its own that no
                        # one sees, as the transaction has not committed.
                        "number": _unnumbered(case_id),
                        "draft_id": new.draft_id,
                        "status": "received",
                        "consent_basis": new.consent_basis,
                        "acute_danger": new.acute_danger,
                        "gender": new.gender,
                        "age_band": new.age_band,
                        "vulnerabilities": new.vulnerabilities,
                        "violence_types": new.violence_types,
                        "perpetrator_relation": new.perpetrator_relation,
                        "knowledge_source": new.knowledge_source,
                        "reporter_service": new.reporter_service,
                        "contact_channel": new.contact_channel,
                        "contacted_on": new.contacted_on,
                        "reporter_tenant_id": new.reporter.tenant_id,
                        "reporter_aad_object_id": new.reporter.aad_object_id,
                        "personal": personal,
                        "created_at": now,
                        "updated_at": now,
                    },
                )
                await plan_assessment(
                    session,
                    _NewCaseKeys(case_id, tenant_id, new.municipality_id, team_id),
                    now,
                    self._reminders,
                )
                await session.execute(
                    _INSERT_EVENT,
                    {
                        "id": new_id(),
                        "case_id": case_id,
                        "tenant_id": tenant_id,
                        "kind": "reported",
                        "actor_tenant_id": new.reporter.tenant_id,
                        "actor_aad_object_id": new.reporter.aad_object_id,
                        "data": {
                            "consent_basis": new.consent_basis,
                            "contact_channel": new.contact_channel,
                        },
                        "secret": None,
                        "idempotency_key": None,
                        "at": now,
                    },
                )
                # The thread in the team's channel, then the coordinators' preview of the free
                # text for it (nothing the reporter wrote goes to the channel unapproved).
                await add_in(
                    session,
                    [
                        {
                            "id": new_id(),
                            "tenant_id": tenant_id,
                            "municipality_id": new.municipality_id,
                            "team_id": team_id,
                            "case_id": case_id,
                            "kind": kind,
                            "state": "pending",
                            "data": {},
                            "created_at": now,
                        }
                        for kind in ("case_reported", "text_preview")
                    ],
                )
                # What the channel guard knows of the person: keyed hashes, never the name.
                await self._name_digests.add(session, case_id, team_id, new.personal.get("name"))
                # The number last: counting up locks the municipality's counter until the
                # commit (numbers without gaps), and every report to the municipality waits for
                # that, so the lock is held for two statements, not the whole transaction.
                sequence = (
                    await session.execute(
                        _NEXT_SEQUENCE[dialect],
                        {
                            "municipality_id": new.municipality_id,
                            "tenant_id": tenant_id,
                            "year": now.year,
                        },
                    )
                ).scalar_one_or_none()
                if sequence is None:  # no municipality of the reporter's tenant
                    raise UnknownMunicipality(new.municipality_id)
                number = format_case_number(now.year, int(sequence))
                await session.execute(_NUMBER_CASE, {"case": case_id, "given": number})
        except IntegrityError:
            # The same report sent before, or in parallel (a double tap on two instances):
            # the case it became.
            existing = await self._find_by_draft(new.reporter, new.draft_id)
            if existing:
                return existing
            raise
        return StoredCase(
            case_id,
            number,
            new.municipality_id,
            team_id,
            created=True,
            team_name=team.name if team is not None else None,
            team_phone=team.phone if team is not None else None,
        )

    async def find_by_draft(self, principal: Principal, draft_id: str) -> StoredCase | None:
        """The case a reporter's own draft became, if it was sent."""
        await self._gate.require(principal, Action.VIEW_OWN_REPORTS, NoTarget())
        return await self._find_by_draft(principal.person, draft_id)

    async def _find_by_draft(self, reporter: Reporter, draft_id: str) -> StoredCase | None:
        async with self._sessions() as session:
            row = (
                await session.execute(
                    _BY_DRAFT,
                    {
                        "draft_id": draft_id,
                        "tenant_id": reporter.tenant_id,
                        "aad_object_id": reporter.aad_object_id,
                    },
                )
            ).one_or_none()
        if row is None:
            return None
        case_id, number, municipality_id, team_id, team_name, team_phone = row
        return StoredCase(case_id, number, municipality_id, team_id, False, team_name, team_phone)

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
                    # An enquiry a team member registered is the team's work, not her report.
                    Case.contact_channel == "teams",
                )
                .order_by(Case.created_at.desc())
                .limit(limit)
            )
            return [ReporterCaseLine(n, s, c, m) for n, s, c, m in rows.all()]

    # --- the team opens a case ----------------------------------------------------------------

    async def open_case(
        self,
        principal: Principal,
        case_number: str,
        municipality_id: str | None,
        view: CaseViewKind,
        where: Where,
    ) -> CaseView:
        """A case by its number, through the gate (which logs the read, or the refusal).

        Raises CaseNotFound, AmbiguousCaseNumber (the number exists in several municipalities
        the person serves: ask which) or AccessDenied.
        """
        action = _view_action(view)
        async with self._sessions() as session:
            case, municipality = await find_case(session, principal, case_number, municipality_id)
        return await self._open(principal, case, municipality, view, action, where)

    async def open_case_by_id(
        self, principal: Principal, case_id: str, view: CaseViewKind, where: Where
    ) -> CaseView:
        """A case by its id, as card actions carry it."""
        action = _view_action(view)
        async with self._sessions() as session:
            case, municipality = await load_case(session, case_id)
        return await self._open(principal, case, municipality, view, action, where)

    async def _open(
        self,
        principal: Principal,
        case: Case,
        municipality: Municipality,
        view: CaseViewKind,
        action: Action,
        where: Where,
    ) -> CaseView:
        await self._gate.require(
            principal, action, case_target(case), replace(where, case_number=case.number)
        )
        personal: dict[str, Any] | None = None
        if view == "identifiable" and case.personal_erased_at is None:
            personal = self._cipher.decrypt(case.personal, personal_context(case.id))
        return case_view(case, municipality, view, personal, self._cipher)


def shared_text_context(case_id: str) -> str:
    return "cases.shared_text:" + case_id


def case_view(
    case: Case,
    municipality: Municipality,
    view: CaseViewKind,
    personal: dict[str, Any] | None,
    cipher: FieldCipher,
) -> CaseView:
    """The case as shown. Callers decide (through the gate) whether `personal` may be in it."""
    shared = None
    if case.shared_text is not None and case.personal_erased_at is None:
        shared = cipher.decrypt(case.shared_text, shared_text_context(case.id))
    return CaseView(
        id=case.id,
        number=case.number,
        view=view,
        status=case.status,
        created_at=case.created_at,
        closed_at=case.closed_at,
        municipality_id=municipality.id,
        municipality_name=municipality.name,
        assignee=assignee_of(case),
        consent_basis=case.consent_basis,
        contact_channel=case.contact_channel,
        archived_at=case.archived_at,
        gender=case.gender,
        age_band=case.age_band,
        vulnerabilities=tuple(case.vulnerabilities),
        violence_types=tuple(case.violence_types),
        perpetrator_relation=case.perpetrator_relation,
        knowledge_source=case.knowledge_source,
        reporter_service=case.reporter_service,
        acute_danger=case.acute_danger,
        erased=case.personal_erased_at is not None,
        personal=personal,
        target=case_target(case),
        team_id=case.team_id,
        revision=case.revision or 0,
        classification=case.classification,
        risk_level=case.risk_level,
        risk_answers=tuple(case.risk_answers or ()),
        position=case.position,
        measures=tuple(case.measures or ()),
        follow_up_on=case.follow_up_on,
        outcome=case.outcome,
        shared_text=shared,
    )


def _view_action(view: str) -> Action:
    try:
        return _VIEW_ACTIONS[view]
    except KeyError:
        raise ValueError(f"unknown case view {view!r}") from None
