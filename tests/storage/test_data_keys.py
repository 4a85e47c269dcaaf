"""The keys given are proven against what the database holds before anything is read or
written: a missing key, or another key under a known id, is refused by name, never by value
(SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import pytest
from sqlalchemy import LargeBinary, select

from storage.crypto import FieldCipher, parse_keys
from storage.data_keys import (
    ENCRYPTED_COLUMNS,
    KeyCheckFailed,
    holds_encrypted_data,
    key_check_problem,
    stored_key_ids,
    verify_data_keys,
)
from storage.db import make_engine
from storage.models import Base, DataKeyCheck
from tests.conftest import sqlite_only
from tests.storage.test_rotation import write_with


def spec(key_id: str, fill: bytes) -> str:
    return f"{key_id}:" + base64.urlsafe_b64encode(fill * 32).decode()


OLD_K1 = spec("k1", b"o")
NEW_K1 = spec("k1", b"n")
K2 = spec("k2", b"2")


def cipher(keys: str) -> FieldCipher:
    return FieldCipher(parse_keys(keys))


async def check_rows(sessions: Any) -> list[str]:
    async with sessions() as session:
        return list((await session.execute(select(DataKeyCheck.key_id))).scalars())


async def test_a_first_start_seals_a_check_value_with_the_first_key(sessions):
    await verify_data_keys(sessions, cipher(K2))

    assert await check_rows(sessions) == ["k2"]
    await verify_data_keys(sessions, cipher(K2))  # and the next start is held to it


async def test_another_key_under_the_id_of_the_check_value_is_refused_by_id(sessions):
    await verify_data_keys(sessions, cipher(OLD_K1))

    with pytest.raises(KeyCheckFailed) as refused:
        await verify_data_keys(sessions, cipher(NEW_K1))

    assert refused.value.needed == ("k1",)
    assert NEW_K1.split(":")[1] not in str(refused.value)
    assert OLD_K1.split(":")[1] not in str(refused.value)


async def test_values_from_before_the_check_values_are_proven_by_one_of_them(sessions):
    await write_with(sessions, OLD_K1, cases=1, states=1)  # no check value written

    with pytest.raises(KeyCheckFailed) as refused:
        await verify_data_keys(sessions, cipher(NEW_K1))
    assert refused.value.needed == ("k1",)
    assert await check_rows(sessions) == []

    await verify_data_keys(sessions, cipher(OLD_K1))
    assert await check_rows(sessions) == ["k1"]


async def test_a_new_first_key_is_accepted_beside_the_key_of_the_data(sessions):
    await write_with(sessions, OLD_K1, cases=1, states=1)
    await verify_data_keys(sessions, cipher(OLD_K1))

    await verify_data_keys(sessions, cipher(f"{K2},{OLD_K1}"))

    assert sorted(await check_rows(sessions)) == ["k1", "k2"]


async def test_keys_that_leave_out_the_key_of_stored_values_are_refused_naming_it(sessions):
    await write_with(sessions, OLD_K1, cases=1, states=0)

    with pytest.raises(KeyCheckFailed) as refused:
        await verify_data_keys(sessions, cipher(K2))

    assert refused.value.needed == ("k1",)
    assert "k1" in str(refused.value) and "k2" in str(refused.value)
    assert await check_rows(sessions) == []  # nothing written under a key that was refused


async def test_a_check_value_of_a_key_not_given_is_refused_too(sessions):
    """Another instance started with a newer first key: this one's keys no longer suffice."""
    await verify_data_keys(sessions, cipher(f"{K2},{OLD_K1}"))

    with pytest.raises(KeyCheckFailed) as refused:
        await verify_data_keys(sessions, cipher(OLD_K1))

    assert refused.value.needed == ("k2",)


async def test_two_instances_starting_with_different_keys_under_a_new_id_cannot_both_start(
    sessions,
):
    results = await asyncio.gather(
        verify_data_keys(sessions, cipher(OLD_K1)),
        verify_data_keys(sessions, cipher(NEW_K1)),
        return_exceptions=True,
    )

    refused = [r for r in results if isinstance(r, KeyCheckFailed)]
    assert len(refused) == 1 and results.count(None) == 1


async def test_the_key_ids_of_every_encrypted_column_are_found(sessions):
    from domain.access import Person
    from domain.casework import AddNote
    from storage.casework import CaseWork
    from storage.gate import AccessGate, Where
    from storage.models import Case, Membership, Team
    from tests.support import TENANT

    await write_with(sessions, OLD_K1, cases=1, states=0)
    await write_with_state(sessions, K2)
    async with sessions() as session, session.begin():
        team_id = (await session.execute(select(Team.id))).scalar_one()
        case_id = (await session.execute(select(Case.id))).scalar_one()
        session.add(
            Membership(team_id=team_id, tenant_id=TENANT, aad_object_id="c", role="coordinator")
        )
    gate = AccessGate(sessions)
    k3 = spec("k3", b"3")
    work = CaseWork(sessions, cipher(k3), gate)
    await work.apply(await gate.principal(Person(TENANT, "c")), case_id, AddNote("x"), Where())

    async with sessions() as session:
        found = await stored_key_ids(session)

    assert sorted(found) == ["k1", "k2", "k3"]


async def write_with_state(sessions: Any, keys: str) -> None:
    from storage.state_store import SqlStorage, StoredState

    await SqlStorage(sessions, cipher(keys)).write({"conversation/x": StoredState({"a": 1})})


def test_every_binary_column_is_an_encrypted_column_the_check_knows_or_the_check_itself():
    known = {(c.value.class_.__tablename__, c.value.key) for c in ENCRYPTED_COLUMNS}
    binary = {
        (table.name, column.name)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, LargeBinary)
    }
    assert binary - known == {("data_key_checks", "sealed")}


async def test_readiness_reads_only_the_check_values_and_names_a_missing_key(sessions):
    await verify_data_keys(sessions, cipher(OLD_K1))
    await verify_data_keys(sessions, cipher(f"{K2},{OLD_K1}"))

    assert await key_check_problem(sessions, cipher(f"{K2},{OLD_K1}")) is None
    assert await key_check_problem(sessions, cipher(OLD_K1)) == "needs data key k2"
    assert await key_check_problem(sessions, cipher(f"{K2},{NEW_K1}")) == (
        "data key k1 does not match the database"
    )


async def test_a_database_with_a_case_holds_encrypted_data_and_an_empty_one_none(engine, sessions):
    assert not await holds_encrypted_data(engine)
    await write_with(sessions, OLD_K1, cases=1, states=0)
    assert await holds_encrypted_data(engine)


@sqlite_only
async def test_a_database_without_tables_holds_no_encrypted_data(tmp_path, database_url):
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        assert not await holds_encrypted_data(engine)
    finally:
        await engine.dispose()
