"""The access log: append-only in the database itself, written for every decision, and read back
by the coordinator — who has seen a case, and the review of identifiable reads (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text, update

from domain.access import Action, CaseTarget, Decision, Person
from domain.clock import utcnow
from storage.access_log import AccessLogReader
from storage.cases import AmbiguousCaseNumber
from storage.gate import AccessDenied, Where
from storage.models import AccessLogEntry, Case
from tests.storage.case_support import World, add_member, make_world
from tests.storage.case_support import report as send_report
from tests.support import TENANT

WHERE = Where(conversation_id="19:moss-team@thread.tacv2")


@pytest.fixture
async def world(sessions: Any) -> World:
    return await make_world(sessions)


@pytest.fixture
def log(world: World) -> AccessLogReader:
    return AccessLogReader(world.sessions, world.gate)


async def one_entry(world: World) -> None:
    await world.gate.record(
        Person(TENANT, "m-1"),
        Action.VIEW_CASE_IDENTIFIABLE,
        CaseTarget(world.case.id, TENANT, world.moss),
        Decision(True, "test"),
        WHERE,
    )


async def entries(sessions: Any) -> list[AccessLogEntry]:
    async with sessions() as session:
        rows = await session.execute(select(AccessLogEntry).order_by(AccessLogEntry.id))
        return list(rows.scalars())


# --- append-only ---------------------------------------------------------------------------------


async def test_the_database_refuses_to_change_a_log_row(world, engine):
    await one_entry(world)

    with pytest.raises(Exception, match="append-only"):
        async with engine.begin() as conn:
            await conn.execute(text("UPDATE access_log SET allowed = NOT allowed"))

    [entry] = await entries(world.sessions)
    assert entry.allowed is True


async def test_the_database_refuses_to_delete_a_log_row(world, engine):
    await one_entry(world)

    with pytest.raises(Exception, match="append-only"):
        async with engine.begin() as conn:
            await conn.execute(text("DELETE FROM access_log"))

    assert len(await entries(world.sessions)) == 1


async def test_the_orm_cannot_change_a_log_row_either(world):
    await one_entry(world)

    with pytest.raises(Exception, match="append-only"):
        async with world.sessions() as session, session.begin():
            await session.execute(update(AccessLogEntry).values(action="nothing"))


# --- written for every decision ---------------------------------------------------------------------


async def test_allowed_and_denied_decisions_are_both_recorded(world):
    member = await world.principal(
        await add_member(world.sessions, world.moss_team, "m-1", "member")
    )
    outsider = await world.principal(
        await add_member(world.sessions, world.rade_team, "r-1", "member")
    )

    await world.cases.open_case(member, "TE-2026-0001", None, "identifiable", WHERE)
    with pytest.raises(AccessDenied):
        await world.cases.open_case(outsider, "TE-2026-0001", world.moss, "identifiable", WHERE)

    assert [
        (e.actor_aad_object_id, e.action, e.allowed, e.detail["reason"])
        for e in await entries(world.sessions)
    ] == [
        ("m-1", "case.view_identifiable", True, "team serves the case's municipality"),
        (
            "r-1",
            "case.view_identifiable",
            False,
            "case of a municipality the person's team does not serve",
        ),
    ]


# --- who has seen a case ---------------------------------------------------------------------------


async def test_who_has_seen_lists_every_decision_on_the_case_in_order(world, log):
    member = await world.principal(
        await add_member(world.sessions, world.moss_team, "m-1", "member")
    )
    outsider = await world.principal(
        await add_member(world.sessions, world.rade_team, "r-1", "member")
    )
    await world.cases.open_case(member, "TE-2026-0001", None, "anonymised", WHERE)
    with pytest.raises(AccessDenied):
        await world.cases.open_case(outsider, "TE-2026-0001", world.moss, "identifiable", WHERE)
    await world.cases.open_case(member, "TE-2026-0001", None, "identifiable", WHERE)
    coordinator = await world.principal(
        await add_member(world.sessions, world.moss_team, "c-moss", "coordinator")
    )

    seen = await log.who_has_seen(coordinator, "TE-2026-0001", where=WHERE)

    assert [(r.who.aad_object_id, r.action, r.allowed) for r in seen] == [
        ("m-1", "case.view_anonymised", True),
        ("r-1", "case.view_identifiable", False),
        ("m-1", "case.view_identifiable", True),
        ("c-moss", "case.view_access_log", True),  # looking at the log is logged too
    ]
    assert all(r.who.tenant_id == TENANT for r in seen)
    assert [r.at for r in seen] == sorted(r.at for r in seen)


async def test_who_has_seen_takes_a_case_id_too(world, log):
    coordinator = await world.principal(
        await add_member(world.sessions, world.moss_team, "c-moss", "coordinator")
    )
    seen = await log.who_has_seen(coordinator, world.case.id)
    assert [r.action for r in seen] == ["case.view_access_log"]


async def test_who_has_seen_asks_which_municipality_when_the_number_repeats(world, log):
    await send_report(world.cases, world.gate, world.rade, "draft-rade-1")
    both = await world.coordinator()

    with pytest.raises(AmbiguousCaseNumber):
        await log.who_has_seen(both, "TE-2026-0001")
    seen = await log.who_has_seen(both, "TE-2026-0001", municipality_id=world.rade)
    assert [r.action for r in seen] == ["case.view_access_log"]


async def test_a_member_without_the_coordinator_role_may_not_see_the_log(world, log):
    member = await world.principal(
        await add_member(world.sessions, world.moss_team, "m-1", "member")
    )

    with pytest.raises(AccessDenied):
        await log.who_has_seen(member, "TE-2026-0001", where=WHERE)

    [entry] = await entries(world.sessions)
    assert (entry.actor_aad_object_id, entry.action, entry.allowed) == (
        "m-1",
        "case.view_access_log",
        False,
    )
    assert entry.case_id == world.case.id


async def test_the_coordinator_of_another_municipality_may_not_see_the_log(world, log):
    other = await world.principal(
        await add_member(world.sessions, world.rade_team, "c-rade", "coordinator")
    )
    with pytest.raises(AccessDenied):
        await log.who_has_seen(other, world.case.id)


# --- the coordinator's review ------------------------------------------------------------------------


async def assign(world: World, person: Person) -> None:
    async with world.sessions() as session, session.begin():
        await session.execute(
            update(Case)
            .where(Case.id == world.case.id)
            .values(
                assignee_tenant_id=person.tenant_id, assignee_aad_object_id=person.aad_object_id
            )
        )


async def test_the_review_flags_an_identifiable_read_by_someone_not_assigned(world, log):
    assignee = await add_member(world.sessions, world.moss_team, "m-assigned", "member")
    other = await add_member(world.sessions, world.moss_team, "m-curious", "member")
    await assign(world, assignee)
    for person, view in (
        (assignee, "identifiable"),
        (other, "anonymised"),
        (other, "identifiable"),
    ):
        await world.cases.open_case(
            await world.principal(person), "TE-2026-0001", None, view, WHERE
        )
    coordinator = await world.principal(
        await add_member(world.sessions, world.moss_team, "c-moss", "coordinator")
    )
    now = utcnow()

    [review] = await log.access_review(
        coordinator, [world.moss], now - timedelta(hours=1), now + timedelta(hours=1)
    )

    assert (review.case_id, review.case_number, review.assignee) == (
        world.case.id,
        "TE-2026-0001",
        assignee,
    )
    assert [(r.who.aad_object_id, r.action, r.flagged) for r in review.reads] == [
        ("m-assigned", "case.view_identifiable", False),
        ("m-curious", "case.view_anonymised", False),
        ("m-curious", "case.view_identifiable", True),
    ]
    assert [r.who for r in review.flagged] == [other]
    assert review.readers == (assignee, other)


async def test_the_review_covers_only_its_period_and_its_municipalities(world, log):
    await send_report(world.cases, world.gate, world.rade, "draft-rade-1")
    both = await world.coordinator()
    await world.cases.open_case(both, "TE-2026-0001", world.moss, "identifiable", WHERE)
    await world.cases.open_case(both, "TE-2026-0001", world.rade, "identifiable", WHERE)
    now = utcnow()

    moss_only = await log.access_review(
        both, [world.moss], now - timedelta(hours=1), now + timedelta(hours=1)
    )
    later = await log.access_review(
        both, [world.rade], now + timedelta(hours=1), now + timedelta(hours=2)
    )

    assert [r.municipality_id for r in moss_only] == [world.moss]
    assert [r.flagged[0].who.aad_object_id for r in moss_only] == ["coord-1"]  # nobody assigned
    assert later == []


async def test_the_review_is_the_coordinators_and_is_logged(world, log):
    member = await world.principal(
        await add_member(world.sessions, world.moss_team, "m-1", "member")
    )
    rade_coordinator = await world.principal(
        await add_member(world.sessions, world.rade_team, "c-rade", "coordinator")
    )
    now = utcnow()

    with pytest.raises(AccessDenied):
        await log.access_review(member, [world.moss], now - timedelta(days=1), now)
    with pytest.raises(AccessDenied):
        await log.access_review(rade_coordinator, [world.moss], now - timedelta(days=1), now)
    await log.access_review(rade_coordinator, [world.rade], now - timedelta(days=1), now)

    assert [
        (e.actor_aad_object_id, e.action, e.allowed) for e in await entries(world.sessions)
    ] == [
        ("m-1", "access.review", False),
        ("c-rade", "access.review", False),
        ("c-rade", "access.review", True),
    ]


async def test_nothing_in_the_log_is_lost_when_a_read_is_refused(world, sessions):
    outsider = await world.principal(Person("not-allowed-tenant", "x-1"))
    with pytest.raises(AccessDenied):
        await world.cases.open_case_by_id(outsider, world.case.id, "identifiable", WHERE)
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(AccessLogEntry)) == 1
