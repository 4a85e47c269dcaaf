"""storage/pg_connections.py: the dialogue state's own PostgreSQL connections, reused after a
clean statement, never after an error or an unfinished transaction, and never more at once than
allowed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from storage.db import make_engine
from storage.pg_connections import PostgresConnections, connect_arguments


@pytest.fixture
async def connections(pg_url: str | None) -> AsyncIterator[PostgresConnections]:
    if pg_url is None:
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    engine = make_engine(pg_url)
    found = PostgresConnections(connect_arguments(engine.dialect, engine.url), size=2)
    yield found
    found.close()
    await engine.dispose()


async def backend(connection: asyncpg.Connection) -> int:
    return int(await connection.fetchval("SELECT pg_backend_pid()"))


async def test_a_connection_is_used_again_after_a_clean_statement(
    connections: PostgresConnections,
) -> None:
    async with connections.connection() as first:
        used = await backend(first)
    async with connections.connection() as second:
        again = await backend(second)
    assert again == used


async def test_after_an_error_the_connection_is_closed_and_the_next_is_a_new_one(
    connections: PostgresConnections,
) -> None:
    with pytest.raises(asyncpg.UndefinedTableError):
        async with connections.connection() as failing:
            used = await backend(failing)
            await failing.execute("SELECT * FROM no_such_table")
    assert failing.is_closed()
    async with connections.connection() as next_one:
        assert await backend(next_one) != used


async def test_a_connection_left_inside_a_transaction_is_not_used_again(
    connections: PostgresConnections,
) -> None:
    async with connections.connection() as left:
        used = await backend(left)
        await left.execute("BEGIN")
    assert left.is_closed()
    async with connections.connection() as next_one:
        assert await backend(next_one) != used
        assert not next_one.is_in_transaction()


async def test_no_more_than_the_allowed_connections_are_in_use_at_once(
    connections: PostgresConnections,
) -> None:
    holding = asyncio.Event()
    release = asyncio.Event()
    in_use = 0
    most = 0

    async def hold() -> None:
        nonlocal in_use, most
        async with connections.connection() as connection:
            in_use += 1
            most = max(most, in_use)
            if in_use == 2:
                holding.set()
            await release.wait()
            await backend(connection)
            in_use -= 1

    holders = [asyncio.create_task(hold()) for _ in range(3)]
    await asyncio.wait_for(holding.wait(), timeout=10)
    await asyncio.sleep(0.05)  # the third would be in by now, were it let in
    assert in_use == 2
    release.set()
    await asyncio.wait_for(asyncio.gather(*holders), timeout=10)
    assert most == 2


def test_the_arguments_are_the_engines_own_but_sqlalchemys_options() -> None:
    engine = make_engine(
        "postgresql://tryggest:secret@db.example:6543/cases"
        "?ssl=require&prepared_statement_cache_size=50"
    )
    arguments = connect_arguments(engine.dialect, engine.url)
    assert arguments == {
        "host": "db.example",
        "port": 6543,
        "user": "tryggest",
        "password": "secret",
        "database": "cases",
        "ssl": "require",
    }


def test_under_a_new_event_loop_the_old_loops_connections_are_not_used(pg_url: str | None) -> None:
    if pg_url is None:
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    engine = make_engine(pg_url)
    connections = PostgresConnections(connect_arguments(engine.dialect, engine.url), size=2)

    async def use() -> tuple[asyncpg.Connection, int]:
        async with connections.connection() as connection:
            return connection, await backend(connection)

    # An asyncpg connection belongs to the loop it was opened in; a test's loop ends with it.
    first, first_backend = asyncio.run(use())
    second, second_backend = asyncio.run(use())
    connections.close()
    asyncio.run(engine.dispose())

    assert first.is_closed()
    assert second is not first
    assert second_backend != first_backend
