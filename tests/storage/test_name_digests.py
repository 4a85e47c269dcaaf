"""The names in a team's cases as keyed hashes (storage/name_digests.py): no plaintext kept, found
by a message that names the person, still found after a key rotation, and only for the case's
own team (SQLite and PostgreSQL)."""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import select, update

from domain.access import Person
from domain.case import NewCase
from domain.clock import utcnow
from domain.guard import message_words, name_words
from storage.cases import CaseRepository
from storage.crypto import FieldCipher, parse_keys
from storage.gate import AccessGate
from storage.models import Case, CaseNameDigest
from storage.name_digests import NameDigests
from tests.conftest import add_municipality
from tests.storage.case_support import PERSONAL
from tests.support import REPORTER_AAD, TENANT

K1 = "k1:" + base64.urlsafe_b64encode(b"1" * 32).decode()
K2 = "k2:" + base64.urlsafe_b64encode(b"2" * 32).decode()
NAME = "Kari Nordmann-Øvrebø"


def new_case(municipality_id: str, draft_id: str, name: str | None) -> NewCase:
    personal: dict[str, Any] = {**PERSONAL, "name": name}
    if name is None:
        personal.pop("name")
    return NewCase(
        draft_id=draft_id,
        municipality_id=municipality_id,
        consent_basis="consent" if name else "anonymous",
        acute_danger=False,
        gender="female",
        age_band="80+",
        vulnerabilities=["dementia"],
        violence_types=["physical"],
        perpetrator_relation="child",
        knowledge_source="saw",
        reporter_service="home_care",
        reporter=Person(TENANT, REPORTER_AAD),
        personal=personal,
    )


async def report(
    sessions: Any, keys: str, municipality_id: str, team_id: str, draft_id: str, name: str | None
) -> str:
    """A case sent to `team_id` through the repository, with the data keys `keys`."""
    gate = AccessGate(sessions)
    repository = CaseRepository(sessions, FieldCipher(parse_keys(keys)), gate)
    principal = await gate.principal(Person(TENANT, REPORTER_AAD))
    stored = await repository.create_from_report(
        principal, new_case(municipality_id, draft_id, name), team_id
    )
    return stored.id


async def digest_rows(sessions: Any) -> list[CaseNameDigest]:
    async with sessions() as session:
        return list((await session.execute(select(CaseNameDigest))).scalars())


def guard(sessions: Any, keys: str) -> NameDigests:
    return NameDigests(sessions, FieldCipher(parse_keys(keys)))


async def test_a_case_with_a_name_stores_digests_that_hold_no_word_of_the_name(sessions):
    moss, team = await add_municipality(sessions, "Moss")
    case_id = await report(sessions, K1, moss, team, "d1", NAME)

    rows = await digest_rows(sessions)

    assert rows and {r.case_id for r in rows} == {case_id} and {r.team_id for r in rows} == {team}
    stored = " ".join(f"{r.case_id} {r.digest} {r.team_id}" for r in rows).casefold()
    for word in [*NAME.casefold().replace("-", " ").split(), *name_words(NAME)]:
        assert word not in stored


async def test_an_anonymous_consultation_stores_no_digest(sessions):
    moss, team = await add_municipality(sessions, "Moss")
    await report(sessions, K1, moss, team, "d1", None)

    assert await digest_rows(sessions) == []


async def test_a_message_naming_the_person_finds_the_case(sessions):
    moss, team = await add_municipality(sessions, "Moss")
    case_id = await report(sessions, K1, moss, team, "d1", NAME)

    found = await guard(sessions, K1).matching_cases(
        [team], message_words("Har noen snakket med fru Ovrebo?")
    )

    assert found == {case_id}


async def test_a_message_naming_someone_else_finds_nothing(sessions):
    moss, team = await add_municipality(sessions, "Moss")
    await report(sessions, K1, moss, team, "d1", NAME)

    found = await guard(sessions, K1).matching_cases(
        [team], message_words("Takk, Kari! Nordmann-møtet er flyttet.")
    )

    assert found == set()


async def test_another_teams_case_is_not_found(sessions):
    moss, moss_team = await add_municipality(sessions, "Moss")
    _, rade_team = await add_municipality(sessions, "Råde")
    await report(sessions, K1, moss, moss_team, "d1", NAME)

    found = await guard(sessions, K1).matching_cases(
        [rade_team], message_words("Kari Nordmann-Øvrebø har ringt.")
    )

    assert found == set()


async def test_after_a_key_rotation_cases_under_the_old_and_the_new_key_are_found(sessions):
    moss, team = await add_municipality(sessions, "Moss")
    old = await report(sessions, K1, moss, team, "d1", NAME)
    new = await report(sessions, f"{K2},{K1}", moss, team, "d2", "Ahmed Zahid")

    found = await guard(sessions, f"{K2},{K1}").matching_cases(
        [team], message_words("Kari Nordmann-Øvrebø og Ahmed Zahid er flyttet.")
    )

    assert found == {old, new}


async def test_without_the_key_a_case_was_recorded_with_it_is_not_found(sessions):
    moss, team = await add_municipality(sessions, "Moss")
    await report(sessions, K1, moss, team, "d1", NAME)

    found = await guard(sessions, K2).matching_cases(
        [team], message_words("Kari Nordmann-Øvrebø har ringt.")
    )

    assert found == set()


async def test_recording_again_with_the_current_key_replaces_the_old_digests(sessions):
    moss, team = await add_municipality(sessions, "Moss")
    case_id = await report(sessions, K1, moss, team, "d1", NAME)
    before = {r.digest for r in await digest_rows(sessions)}

    async with sessions() as session, session.begin():
        await guard(sessions, f"{K2},{K1}").record(session, case_id, team, NAME)

    after = {r.digest for r in await digest_rows(sessions)}
    assert len(after) == len(before) and not after & before
    found = await guard(sessions, K2).matching_cases([team], message_words("fru Øvrebø"))
    assert found == {case_id}


async def test_a_case_whose_personal_data_is_erased_is_not_found(sessions):
    moss, team = await add_municipality(sessions, "Moss")
    case_id = await report(sessions, K1, moss, team, "d1", NAME)
    async with sessions() as session, session.begin():
        await session.execute(
            update(Case).where(Case.id == case_id).values(personal_erased_at=utcnow())
        )

    found = await guard(sessions, K1).matching_cases([team], message_words("fru Øvrebø"))

    assert found == set()


async def test_after_rotate_key_the_guard_finds_old_cases_with_the_new_key_alone(sessions):
    from storage.rotation import rotate_keys

    moss, team = await add_municipality(sessions, "Moss")
    case_id = await report(sessions, K1, moss, team, "d1", NAME)

    report_ = await rotate_keys(sessions, FieldCipher(parse_keys(f"{K2},{K1}")))

    assert report_.name_digests == 1
    found = await guard(sessions, K2).matching_cases(
        [team], message_words("Kari Nordmann-Øvrebø har ringt.")
    )
    assert found == {case_id}
