"""What is stored about the person in one case, for their rights under the GDPR: everything
read out for access (art. 15), or the personal data erased ahead of the retention time (art.
17). An operator runs them from the command line (`tryggest person export|erase`) when the
municipality has granted a request; each is written to the access log as the command, with
who ran it, like any other read or change of a case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from domain.access import Person
from domain.views import (
    COMMAND_LINE,
    CORRECTED,
    ERASED,
    EXPORTED,
    AccessRecord,
    PersonRecord,
)
from storage.cases import case_view, load_case, personal_context
from storage.casework import timeline_entries
from storage.crypto import FieldCipher
from storage.models import AccessLogEntry, Case, CaseEvent, Municipality
from storage.name_digests import NameDigests
from storage.organisation import display_names
from storage.retention import erase_personal_data

# What can be corrected on request (art. 16): the person's details as the report gave them.
CORRECTABLE = ("name", "birth", "residence", "wishes", "what_happened", "reporter_phone")
CORRECTED_EVENT = "personal_corrected"
# Why a case's personal data is erased before its time: the person asked (art. 17), it was
# registered by mistake, or it should never have been kept.
ERASE_REASONS = ("request", "mistake", "unlawful")


@dataclass(frozen=True)
class FoundCase:
    id: str
    number: str
    tenant_id: str
    municipality: str


class PersonData:
    def __init__(self, sessions: async_sessionmaker[Any], cipher: FieldCipher) -> None:
        self._name_digests = NameDigests(sessions, cipher)
        self._sessions = sessions
        self._cipher = cipher

    async def find(
        self, number: str, tenant_id: str | None = None, municipality: str | None = None
    ) -> list[FoundCase]:
        """The cases with this number (one, unless the number is in several municipalities or
        tenants: the caller says which)."""
        query = (
            select(Case.id, Case.number, Case.tenant_id, Municipality.name)
            .join(Municipality, Municipality.id == Case.municipality_id)
            .where(Case.number == number.strip().upper())
        )
        if tenant_id:
            query = query.where(Case.tenant_id == tenant_id)
        if municipality:
            query = query.where(Municipality.name == municipality)
        async with self._sessions() as session:
            return [FoundCase(*row) for row in (await session.execute(query)).all()]

    async def export(self, case_id: str, by: str, now: datetime) -> PersonRecord:
        """Everything about the person in the case, read out (and logged as read)."""
        async with self._sessions() as session, session.begin():
            case, municipality = await load_case(session, case_id)
            personal = (
                self._cipher.decrypt(case.personal, personal_context(case.id))
                if case.personal_erased_at is None
                else None
            )
            events = (
                await session.execute(
                    select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.at)
                )
            ).scalars()
            timeline = timeline_entries(events, self._cipher)
            log_rows = (
                await session.execute(
                    select(AccessLogEntry)
                    .where(AccessLogEntry.case_id == case_id)
                    .order_by(AccessLogEntry.at, AccessLogEntry.id)
                )
            ).scalars()
            reads = [
                AccessRecord(
                    r.at, Person(r.actor_tenant_id, r.actor_aad_object_id), r.action, r.allowed
                )
                for r in log_rows
            ]
            session.add(_logged(case, EXPORTED, by, now))
            view = case_view(case, municipality, "identifiable", personal, self._cipher)
        people = {r.who for r in reads} | {e.actor for e in timeline if e.actor}
        names = await display_names(self._sessions, people)
        return PersonRecord(view, timeline, reads, names, now)

    async def correct(self, case_id: str, field: str, value: str, by: str, now: datetime) -> bool:
        """Set one of the person's details (a field of CORRECTABLE, already checked) to `value`;
        False when the case's personal data has been erased. Logged, with the field's name and
        never its value, in the access log and the case's timeline."""
        if field not in CORRECTABLE:
            raise ValueError(f"field must be one of {', '.join(CORRECTABLE)}")
        async with self._sessions() as session, session.begin():
            case, _ = await load_case(session, case_id)
            if case.personal_erased_at is not None:
                return False
            context = personal_context(case.id)
            personal = self._cipher.decrypt(case.personal, context) or {}
            case.personal = self._cipher.encrypt({**personal, field: value}, context)
            case.updated_at = now
            if field == "name":
                # The channel guard must know the person by the corrected name, not the old one.
                await self._name_digests.record(session, case.id, case.team_id, value)
            session.add(
                CaseEvent(
                    case_id=case.id,
                    tenant_id=case.tenant_id,
                    kind=CORRECTED_EVENT,
                    actor_tenant_id=None,
                    actor_aad_object_id=None,
                    data={"field": field},
                    at=now,
                )
            )
            session.add(_logged(case, CORRECTED, by, now, field=field))
        return True

    async def erase(self, case_id: str, reason: str, by: str, now: datetime) -> bool:
        """Erase the case's personal data now, as the retention would later; False when it has
        none left. Logged, with the reason (a code of ERASE_REASONS)."""
        if reason not in ERASE_REASONS:
            raise ValueError(f"reason must be one of {', '.join(ERASE_REASONS)}")
        async with self._sessions() as session, session.begin():
            case, _ = await load_case(session, case_id)
            erased = await erase_personal_data(
                session, self._cipher, case.id, case.tenant_id, now, {"reason": reason}
            )
            session.add(_logged(case, ERASED, by, now, reason=reason, erased=erased))
        return erased


def _logged(case: Case, action: str, by: str, now: datetime, **detail: Any) -> AccessLogEntry:
    return AccessLogEntry(
        at=now,
        actor_tenant_id=case.tenant_id,
        actor_aad_object_id=COMMAND_LINE,
        action=action,
        allowed=True,
        case_id=case.id,
        case_number=case.number,
        municipality_id=case.municipality_id,
        detail={"by": by[:100], **detail},
    )
