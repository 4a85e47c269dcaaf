"""A report becomes a case in one transaction (storage/cases.py), on SQLite and PostgreSQL: sent
twice it is one case, numbered once; reports sent at the same moment are numbered without gaps;
it goes to the municipality's operational team unless the caller names one; a municipality of
another tenant stores nothing; the assessment reminders go to the team's coordinators and the
municipality's leaders, once each."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from domain.access import Person
from domain.calendar import at_oslo, local_day, working_days_after
from storage.cases import CaseRepository, UnknownMunicipality
from storage.casework_reminders import ASSESSMENT, ASSESSMENT_ESCALATION
from storage.crypto import FieldCipher, parse_keys
from storage.gate import AccessGate
from storage.models import (
    Case,
    CaseEvent,
    CaseNameDigest,
    CaseNumberCounter,
    Membership,
    OutboxMessage,
    Reminder,
    Team,
    TeamMunicipality,
)
from tests.conftest import DATA_KEY, add_municipality
from tests.storage.case_support import NOW, new_case
from tests.support import OTHER_TENANT, REPORTER_AAD, TENANT

REPORTER = Person(TENANT, REPORTER_AAD)


def repository(sessions: Any) -> tuple[CaseRepository, AccessGate]:
    gate = AccessGate(sessions)
    return CaseRepository(sessions, FieldCipher(parse_keys(DATA_KEY)), gate), gate


async def count(sessions: Any, model: Any) -> int:
    async with sessions() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def test_the_same_report_sent_twice_is_one_case_numbered_once(sessions):
    moss, team = await add_municipality(sessions, "Moss", phone="69 24 00 00")
    cases, gate = repository(sessions)
    principal = await gate.principal(REPORTER)

    first = await cases.create_from_report(principal, new_case(moss, "draft-1"), now=NOW)
    again = await cases.create_from_report(principal, new_case(moss, "draft-1"), now=NOW)
    other = await cases.create_from_report(principal, new_case(moss, "draft-2"), now=NOW)

    assert first.created and not again.created
    assert (again.id, again.number, again.team_id) == (first.id, first.number, team)
    # The receipt names the team either way.
    assert again.team_name == first.team_name == "TryggEst-teamet i Moss"
    assert again.team_phone == first.team_phone == "69 24 00 00"
    assert (first.number, other.number) == ("TE-2026-0001", "TE-2026-0002")
    assert await count(sessions, Case) == 2
    assert await count(sessions, CaseEvent) == 2
    assert await count(sessions, OutboxMessage) == 4
    assert await count(sessions, Reminder) == 2  # Moss's coordinator, once per case


async def test_reports_sent_at_the_same_moment_are_numbered_without_gaps_or_doubles(sessions):
    # The number is given last in each case's transaction (storage/cases.py): whatever order
    # the transactions run in, the numbers are 1 to n, and no case keeps its stand-in number.
    moss, _ = await add_municipality(sessions, "Moss")
    cases, gate = repository(sessions)
    principal = await gate.principal(REPORTER)

    stored = await asyncio.gather(
        *(
            cases.create_from_report(principal, new_case(moss, f"draft-{i}"), now=NOW)
            for i in range(10)
        )
    )

    async with sessions() as session:
        numbers = (await session.execute(select(Case.number))).scalars().all()
    expected = [f"TE-2026-{n:04d}" for n in range(1, 11)]
    assert sorted(numbers) == expected
    assert sorted(case.number for case in stored) == expected


async def test_a_report_goes_to_the_municipalitys_operational_team(sessions):
    moss, team = await add_municipality(sessions, "Moss")
    cases, gate = repository(sessions)
    principal = await gate.principal(REPORTER)

    stored = await cases.create_from_report(principal, new_case(moss, "draft-1"), now=NOW)

    assert stored.team_id == team
    async with sessions() as session:
        case = await session.get(Case, stored.id)
        outbox = (await session.execute(select(OutboxMessage.kind, OutboxMessage.team_id))).all()
        digests = (await session.execute(select(CaseNameDigest.team_id))).scalars().all()
    assert case is not None and case.team_id == team and case.status == "received"
    assert sorted(outbox) == [("case_reported", team), ("text_preview", team)]
    assert digests and set(digests) == {team}


async def test_a_municipality_without_an_operational_team_gets_a_case_without_one(sessions):
    moss, _ = await add_municipality(sessions, "Moss")
    async with sessions() as session, session.begin():
        await session.execute(delete(TeamMunicipality))
    cases, gate = repository(sessions)
    principal = await gate.principal(REPORTER)

    stored = await cases.create_from_report(principal, new_case(moss, "draft-1"), now=NOW)

    assert stored.team_id is None and stored.team_name is None and stored.team_phone is None
    assert await count(sessions, CaseNameDigest) == 0  # no channel can name it


async def test_a_named_team_is_used_as_given(sessions):
    moss, _ = await add_municipality(sessions, "Moss")
    cases, gate = repository(sessions)
    principal = await gate.principal(REPORTER)

    stored = await cases.create_from_report(principal, new_case(moss, "draft-1"), None, now=NOW)

    assert stored.team_id is None
    assert await count(sessions, Reminder) == 0


async def test_a_municipality_of_another_tenant_stores_nothing_and_counts_nothing(sessions):
    await add_municipality(sessions, "Moss")
    halden, _ = await add_municipality(sessions, "Halden", tenant_id=OTHER_TENANT)
    cases, gate = repository(sessions)
    principal = await gate.principal(REPORTER)

    with pytest.raises(UnknownMunicipality):
        await cases.create_from_report(principal, new_case(halden, "draft-1"), now=NOW)

    assert await count(sessions, Case) == 0
    assert await count(sessions, OutboxMessage) == 0
    assert await count(sessions, CaseNumberCounter) == 0


async def test_the_assessment_reminders_go_to_coordinators_and_leaders_once_each(sessions):
    moss, team = await add_municipality(sessions, "Moss")
    async with sessions() as session, session.begin():
        leadership = Team(tenant_id=TENANT, kind="leadership", name="Lederteamet i Moss")
        session.add(leadership)
        await session.flush()
        session.add(TeamMunicipality(team_id=leadership.id, municipality_id=moss))
        for aad, role, team_id in (
            ("coord-2", "coordinator", team),
            ("member-1", "member", team),
            ("leader-1", "leader", leadership.id),
            # A coordinator of the leadership team and a leader of the operational team are
            # neither of the two.
            ("coord-3", "coordinator", leadership.id),
            ("leader-2", "leader", team),
        ):
            session.add(Membership(team_id=team_id, tenant_id=TENANT, aad_object_id=aad, role=role))
    cases, gate = repository(sessions)
    principal = await gate.principal(REPORTER)

    stored = await cases.create_from_report(principal, new_case(moss, "draft-1"), now=NOW)

    async with sessions() as session:
        planned = (
            await session.execute(
                select(
                    Reminder.kind,
                    Reminder.recipient_aad_object_id,
                    Reminder.key,
                    Reminder.case_id,
                    Reminder.team_id,
                    Reminder.payload,
                    Reminder.state,
                    Reminder.due_at,
                )
            )
        ).all()
    by_person = {r.recipient_aad_object_id: r for r in planned}
    assert sorted(by_person) == ["coord-1", "coord-2", "leader-1"]
    assert len(planned) == 3
    for aad in ("coord-1", "coord-2"):
        row = by_person[aad]
        assert row.kind == ASSESSMENT and row.payload == {"working_days": 3}
        assert row.key == f"{ASSESSMENT}:{stored.id}:{TENANT}:{aad}"
    leader = by_person["leader-1"]
    assert leader.kind == ASSESSMENT_ESCALATION and leader.payload == {"working_days": 6}
    assert leader.key == f"{ASSESSMENT_ESCALATION}:{stored.id}:{TENANT}:leader-1"
    assert {(r.case_id, r.team_id, r.state) for r in planned} == {(stored.id, team, "pending")}
    reported_on = local_day(NOW)
    assert by_person["coord-1"].due_at == at_oslo(working_days_after(reported_on, 3))
    assert leader.due_at == at_oslo(working_days_after(reported_on, 6))
