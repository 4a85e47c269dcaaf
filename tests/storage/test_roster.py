"""The roster of an operational team follows Teams' word, and only Teams' word: an empty answer
takes nobody's access, a roster that names others takes away only who it leaves out."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from storage.gate import AccessGate
from storage.models import AccessLogEntry, Membership
from storage.organisation import FROM_COMMAND, OrganisationRepository, TeamRef
from tests.conftest import add_municipality

ROSTER = [("aad-marte", "Marte Johansen"), ("aad-ole", "Ole Berg"), ("aad-kari", "Kari Nilsen")]


async def moss_team(sessions: Any) -> tuple[OrganisationRepository, TeamRef]:
    """Moss's operational team (coordinator coord-1 from add_municipality) after one roster
    sync of three people, and Jonas added by a coordinator's command."""
    _, team_id = await add_municipality(sessions, "Moss")
    organisation = OrganisationRepository(sessions, AccessGate(sessions))
    [team] = await organisation.teams_by_id([team_id])
    await organisation.sync_roster(team, ROSTER)
    async with sessions() as session, session.begin():
        session.add(
            Membership(
                team_id=team_id,
                tenant_id=team.tenant_id,
                aad_object_id="aad-jonas",
                role="member",
                source=FROM_COMMAND,
            )
        )
    return organisation, team


async def people(sessions: Any, team_id: str) -> set[tuple[str, str, str]]:
    async with sessions() as session:
        rows = await session.execute(
            select(Membership.aad_object_id, Membership.role, Membership.source).where(
                Membership.team_id == team_id
            )
        )
        return {(aad, role, source) for aad, role, source in rows.all()}


async def system_entries(sessions: Any) -> list[str]:
    async with sessions() as session:
        rows = await session.execute(
            select(AccessLogEntry.detail)
            .where(AccessLogEntry.actor_aad_object_id == "bot")
            .order_by(AccessLogEntry.id)
        )
        return [detail["system"] for detail in rows.scalars()]


async def test_one_empty_roster_answer_removes_nobody(sessions):
    organisation, team = await moss_team(sessions)
    before = await people(sessions, team.id)

    change = await organisation.sync_roster(team, [])

    assert change.empty_roster
    assert (change.added, change.removed, change.members) == (0, 0, 4)
    assert await people(sessions, team.id) == before
    assert await system_entries(sessions) == ["roster_sync"]  # only the first, real one


async def test_a_roster_of_people_without_an_entra_id_counts_as_empty(sessions):
    organisation, team = await moss_team(sessions)
    before = await people(sessions, team.id)

    change = await organisation.sync_roster(team, [("", "Gjest")])

    assert change.empty_roster
    assert await people(sessions, team.id) == before


async def test_a_roster_that_names_others_takes_away_only_the_roster_member_it_omits(sessions):
    organisation, team = await moss_team(sessions)

    change = await organisation.sync_roster(team, ROSTER[:2])

    assert not change.empty_roster
    assert (change.added, change.removed, change.members) == (0, 1, 3)
    assert await people(sessions, team.id) == {
        ("coord-1", "coordinator", "command"),
        ("aad-marte", "member", "roster"),
        ("aad-ole", "member", "roster"),
        ("aad-jonas", "member", "command"),  # added by a person: a sync never takes it
    }


async def test_someone_left_unnamed_and_an_empty_roster_takes_nobody_away(sessions):
    organisation, team = await moss_team(sessions)
    before = await people(sessions, team.id)

    assert await organisation.remove_absent_from_team(team, []) == 0

    assert await people(sessions, team.id) == before
    assert await system_entries(sessions) == ["roster_sync"]


async def test_someone_left_unnamed_and_the_roster_takes_away_who_it_omits(sessions):
    organisation, team = await moss_team(sessions)

    gone = await organisation.remove_absent_from_team(team, ["aad-marte", "aad-ole", "coord-1"])

    assert gone == 2  # Kari (roster) and Jonas (command)
    assert {aad for aad, _, _ in await people(sessions, team.id)} == {
        "coord-1",
        "aad-marte",
        "aad-ole",
    }
