"""The operational team opens a case through the gate: anonymised or identifiable, only in the
municipalities its team serves, every read and every refusal logged (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from domain.access import Person
from storage.cases import AmbiguousCaseNumber, CaseNotFound
from storage.gate import AccessDenied, Where
from storage.models import AccessLogEntry, Case
from storage.retention import Retention
from tests.storage.case_support import NAME, NOW, PERSONAL, World, add_member, add_team, make_world
from tests.storage.case_support import report as send_report
from tests.support import OTHER_TENANT, TENANT

VIEWS = ["anonymised", "identifiable"]
WHERE = Where(conversation_id="19:moss-team@thread.tacv2")


@pytest.fixture
async def world(sessions: Any) -> World:
    return await make_world(sessions)


async def log_entries(sessions: Any) -> list[AccessLogEntry]:
    async with sessions() as session:
        rows = await session.execute(select(AccessLogEntry).order_by(AccessLogEntry.id))
        return list(rows.scalars())


async def moss_member(world: World) -> Any:
    return await world.principal(await add_member(world.sessions, world.moss_team, "m-1", "member"))


# --- the team of the case's municipality ---------------------------------------------------------


@pytest.mark.parametrize("view", VIEWS)
async def test_a_member_of_the_municipalitys_team_opens_its_case(world, view):
    member = await moss_member(world)

    case = await world.cases.open_case(member, "TE-2026-0001", None, view, WHERE)

    assert (case.id, case.number, case.municipality_name) == (world.case.id, "TE-2026-0001", "Moss")
    assert case.view == view
    assert case.status == "received"
    assert case.created_at == NOW
    assert case.consent_basis == "consent"
    assert (case.gender, case.age_band) == ("female", "80+")
    assert case.vulnerabilities == ("dementia", "old_age")
    assert case.violence_types == ("physical", "financial")
    assert (case.perpetrator_relation, case.knowledge_source) == ("child", "saw")
    assert (case.reporter_service, case.acute_danger) == ("home_care", False)
    assert case.erased is False


async def test_only_the_identifiable_view_holds_the_personal_data(world):
    member = await moss_member(world)

    anonymised = await world.cases.open_case(member, "TE-2026-0001", None, "anonymised", WHERE)
    identifiable = await world.cases.open_case(member, "TE-2026-0001", None, "identifiable", WHERE)

    assert anonymised.personal is None
    assert NAME not in repr(anonymised)
    assert identifiable.personal == PERSONAL


@pytest.mark.parametrize("view", VIEWS)
async def test_each_read_is_logged_with_its_view_case_and_conversation(world, view):
    member = await moss_member(world)

    await world.cases.open_case(member, "te-2026-0001 ", world.moss, view, WHERE)

    [entry] = await log_entries(world.sessions)
    assert entry.action == f"case.view_{view}"
    assert entry.allowed is True
    assert (entry.actor_tenant_id, entry.actor_aad_object_id) == (TENANT, "m-1")
    assert (entry.case_id, entry.case_number) == (world.case.id, "TE-2026-0001")
    assert entry.municipality_id == world.moss
    assert entry.conversation_id == WHERE.conversation_id


@pytest.mark.parametrize("view", VIEWS)
async def test_a_card_action_opens_the_case_by_its_id(world, view):
    member = await moss_member(world)

    case = await world.cases.open_case_by_id(member, world.case.id, view, WHERE)

    assert case.number == "TE-2026-0001"
    assert (case.personal is not None) == (view == "identifiable")


async def test_a_closed_case_can_still_be_read(world):
    member = await moss_member(world)
    async with world.sessions() as session, session.begin():
        await session.execute(
            update(Case).where(Case.id == world.case.id).values(status="closed", closed_at=NOW)
        )

    case = await world.cases.open_case(member, "TE-2026-0001", None, "identifiable", WHERE)

    assert case.closed_at == NOW
    assert case.personal == PERSONAL


# --- everyone else is refused, and the refusal is logged -----------------------------------------


async def assert_refused_and_logged(world: World, person: Person, view: str) -> None:
    principal = await world.principal(person)
    with pytest.raises(AccessDenied):
        await world.cases.open_case(principal, "TE-2026-0001", world.moss, view, WHERE)
    with pytest.raises(AccessDenied):
        await world.cases.open_case_by_id(principal, world.case.id, view, WHERE)
    entries = await log_entries(world.sessions)
    assert [(e.action, e.allowed, e.case_id) for e in entries] == [
        (f"case.view_{view}", False, world.case.id)
    ] * 2
    assert {(e.actor_tenant_id, e.actor_aad_object_id) for e in entries} == {
        (person.tenant_id, person.aad_object_id)
    }


@pytest.mark.parametrize("view", VIEWS)
async def test_the_team_of_another_municipality_is_refused(world, view):
    person = await add_member(world.sessions, world.rade_team, "r-1", "coordinator")
    await assert_refused_and_logged(world, person, view)


@pytest.mark.parametrize("view", VIEWS)
async def test_a_team_in_another_tenant_is_refused(world, view):
    person = await add_member(world.sessions, world.halden_team, "h-1", "member", OTHER_TENANT)
    await assert_refused_and_logged(world, person, view)


@pytest.mark.parametrize("view", VIEWS)
async def test_a_leader_of_the_municipality_sees_no_case(world, view):
    leadership = await add_team(world.sessions, TENANT, "leadership", [world.moss])
    person = await add_member(world.sessions, leadership, "l-1", "leader")
    await assert_refused_and_logged(world, person, view)


@pytest.mark.parametrize("view", VIEWS)
async def test_a_network_member_sees_no_case(world, view):
    network = await add_team(world.sessions, TENANT, "network", [world.moss])
    person = await add_member(world.sessions, network, "n-1", "network")
    await assert_refused_and_logged(world, person, view)


@pytest.mark.parametrize("view", VIEWS)
async def test_an_admin_manages_people_but_never_reads_a_case(world, view):
    person = await add_member(world.sessions, None, "a-1", "admin")
    await assert_refused_and_logged(world, person, view)


async def test_a_person_of_a_tenant_not_allowed_is_refused(world):
    await assert_refused_and_logged(world, Person("not-allowed-tenant", "x-1"), "anonymised")


# --- finding the case by its number ----------------------------------------------------------------


async def test_without_a_municipality_only_the_persons_own_municipalities_are_searched(world):
    rade_member = await world.principal(
        await add_member(world.sessions, world.rade_team, "r-1", "member")
    )

    with pytest.raises(CaseNotFound):
        await world.cases.open_case(rade_member, "TE-2026-0001", None, "anonymised", WHERE)
    # Nothing about Moss's case was looked at, so nothing of it is logged.
    assert await log_entries(world.sessions) == []


async def test_a_number_in_two_served_municipalities_opens_neither(world):
    await send_report(world.cases, world.gate, world.rade, "draft-rade-1")
    both = await world.coordinator()  # coord-1 coordinates the teams of Moss and of Råde

    with pytest.raises(AmbiguousCaseNumber) as raised:
        await world.cases.open_case(both, "TE-2026-0001", None, "identifiable", WHERE)

    assert raised.value.municipalities == [(world.moss, "Moss"), (world.rade, "Råde")]
    assert await log_entries(world.sessions) == []
    chosen = await world.cases.open_case(both, "TE-2026-0001", world.rade, "anonymised", WHERE)
    assert chosen.municipality_name == "Råde"


async def test_a_number_that_does_not_exist_is_not_found(world):
    member = await moss_member(world)
    with pytest.raises(CaseNotFound):
        await world.cases.open_case(member, "TE-2026-0999", None, "anonymised", WHERE)
    with pytest.raises(CaseNotFound):
        await world.cases.open_case_by_id(member, "0" * 32, "anonymised", WHERE)


async def test_an_unknown_view_is_a_programming_error(world):
    member = await moss_member(world)
    with pytest.raises(ValueError):
        await world.cases.open_case(member, "TE-2026-0001", None, "everything", WHERE)  # type: ignore[arg-type]


# --- after the retention period ----------------------------------------------------------------


async def test_an_erased_case_says_so_and_keeps_its_coded_fields(world):
    member = await moss_member(world)
    async with world.sessions() as session, session.begin():
        await session.execute(
            update(Case)
            .where(Case.id == world.case.id)
            .values(status="closed", closed_at=NOW, archived_at=NOW)
        )
    await Retention(world.sessions, world.cipher, months=24).erase_expired(
        now=NOW + timedelta(days=366 * 2)
    )

    case = await world.cases.open_case(member, "TE-2026-0001", None, "identifiable", WHERE)

    assert case.erased is True
    assert case.personal is None
    assert case.violence_types == ("physical", "financial")
