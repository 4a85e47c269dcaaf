"""Fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL is at 127.0.0.1:5432 (user postgres, trust auth) on developer machines and in CI. Each
test run gets a database of its own; where none is reachable the PostgreSQL half is skipped with
a message, except under CI=true, where that is a failure.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import make_engine, make_sessionmaker
from storage.gate import allow_tenant
from storage.migrate import upgrade
from storage.models import Base, Membership, Municipality, Team, TeamMunicipality
from tests.support import TENANT, FakeConnector

PG_ADMIN_URL = os.environ.get("TRYGGEST_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
DATA_KEY = "test:" + "A" * 43  # 32 zero-ish bytes, base64: a fixed key for tests only


async def _create_pg_database() -> str:
    import asyncpg

    name = f"tryggest_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    conn = await asyncpg.connect(PG_ADMIN_URL.replace("postgresql://", "postgres://"), timeout=5)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


async def _drop_pg_database(url: str) -> None:
    import asyncpg

    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(PG_ADMIN_URL.replace("postgresql://", "postgres://"), timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str | None]:
    """A fresh, migrated PostgreSQL database for this run, or None when there is none."""
    try:
        url = asyncio.run(_create_pg_database())
    except Exception as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true and is not reachable: {error}")
        yield None
        return

    async def migrate() -> None:
        engine = make_engine(url)
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(migrate())
    yield url
    asyncio.run(_drop_pg_database(url))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, pg_url: str | None) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tryggest.db'}"
    if pg_url is None:
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432: PostgreSQL half skipped")
    return pg_url


# For a test of what only SQLite has (its own connection, its threads, this process's writer
# turn): run on SQLite alone, rather than skipped on PostgreSQL.
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    if engine.dialect.name == "sqlite":
        await upgrade(engine)
    else:
        await _empty_all_tables(engine)
    yield engine
    await engine.dispose()


async def _empty_all_tables(engine: AsyncEngine) -> None:
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with engine.begin() as conn:
        # The access log refuses TRUNCATE from the application; a test run resets it as the
        # superuser with triggers off, which no application connection can do.
        await conn.execute(text("SET LOCAL session_replication_role = replica"))
        await conn.execute(text(f"TRUNCATE {names} CASCADE"))


@pytest.fixture
def sessions(engine: AsyncEngine) -> Any:
    return make_sessionmaker(engine)


async def add_municipality(
    sessions: Any,
    name: str,
    tenant_id: str = TENANT,
    team_name: str | None = None,
    phone: str = "69 24 00 00",
) -> tuple[str, str]:
    """A municipality with its own operational team; returns (municipality id, team id)."""
    await allow_tenant(sessions, tenant_id, f"Tenant of {name}")
    async with sessions() as session, session.begin():
        municipality = Municipality(tenant_id=tenant_id, name=name)
        team = Team(
            tenant_id=tenant_id,
            kind="operational",
            name=team_name or f"TryggEst-teamet i {name}",
            phone=phone,
        )
        session.add_all([municipality, team])
        await session.flush()
        session.add(TeamMunicipality(team_id=team.id, municipality_id=municipality.id))
        session.add(
            Membership(
                team_id=team.id, tenant_id=tenant_id, aad_object_id="coord-1", role="coordinator"
            )
        )
        return municipality.id, team.id


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    fake = FakeConnector()
    await fake.start()
    yield fake
    await fake.close()


# The clock of the bot under test: reports are dated, and numbered, in 2026 whatever the year.
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def settings_for(database_url: str, **overrides: Any) -> Any:
    from bot.config import Settings

    # The outbox is delivered when a test says so (`deliver`), so that what reaches the fake
    # connector, and in which order, is the test's to decide.
    values = {
        "DATABASE_URL": database_url,
        "TRYGGEST_DATA_KEYS": DATA_KEY,
        "TRYGGEST_OUTBOX_DELIVERY": "false",
        # Reminders too: a test runs the sweep with the time it wants (`remind`).
        "TRYGGEST_SCHEDULER": "false",
        **overrides,
    }
    return Settings(_env_file=None, **values)


async def start_bot(database_url: str, **overrides: Any) -> Any:
    """The real application on a real port on 127.0.0.1."""
    from aiohttp.test_utils import TestServer

    from bot.app import create_app

    server = TestServer(
        create_app(settings_for(database_url, **overrides), now=lambda: NOW), host="127.0.0.1"
    )
    await server.start_server()
    return server


async def deliver(server: Any) -> int:
    """Deliver what the bot's outbox holds now (channel posts, card updates, the reporter's
    updates), as the background delivery would; how many items were handled."""
    from bot.app import SERVICES_KEY

    delivery = server.app[SERVICES_KEY].outbox
    assert delivery is not None
    return int(await delivery.run_once())


async def remind(server: Any, now: datetime) -> dict[str, int]:
    """Run the bot's reminder sweep as if it were `now` (after planning what is due by then)."""
    from bot.app import SERVICES_KEY

    services = server.app[SERVICES_KEY]
    assert services.reminders is not None and services.plan_reminders is not None
    await services.plan_reminders(now)
    return dict(await services.reminders.run_once(now))


# The app id of `authenticated_bot_url`'s bot.
BOT_APP_ID = "00000000-0000-0000-0000-00000000b07"


@pytest.fixture
async def authenticated_bot_url(engine: AsyncEngine, database_url: str) -> AsyncIterator[str]:
    """A bot with an app id: requests go through the real token validation."""
    server = await start_bot(
        database_url,
        MicrosoftAppId=BOT_APP_ID,
        MicrosoftAppPassword="not-a-real-secret",
        MicrosoftAppType="MultiTenant",
    )
    yield str(server.make_url("")).rstrip("/")
    await server.close()


@pytest.fixture
async def bot_server(engine: AsyncEngine, database_url: str) -> AsyncIterator[Any]:
    server = await start_bot(database_url)
    yield server
    await server.close()


@pytest.fixture
def bot_url(bot_server: Any) -> str:
    return str(bot_server.make_url("")).rstrip("/")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The answer parser's accuracy on the held-out part of the corpus, per question."""
    from tests.corpus.answer_corpus import held_out_accuracy, load

    ran = any(
        "test_answer_corpus" in getattr(report, "nodeid", "")
        for reports in terminalreporter.stats.values()
        for report in reports
    )
    if not ran:
        return
    tallies = held_out_accuracy(load())
    right = sum(t.right for t in tallies.values())
    total = sum(t.total for t in tallies.values())
    terminalreporter.section("answer parser, held-out corpus")
    for step, tally in tallies.items():
        terminalreporter.write_line(
            f"{step:<18} {tally.right:>3}/{tally.total:<3} {tally.share:6.1%}"
        )
    terminalreporter.write_line(f"{'all questions':<18} {right:>3}/{total:<3} {right / total:6.1%}")
