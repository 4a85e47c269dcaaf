"""storage.db.insert_if_absent on both databases: a row is added once, whatever columns are
given, and the statement is built once per table and database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

from sqlalchemy import Table, select

from storage import db
from storage.db import insert_if_absent
from storage.models import Tenant
from tests.support import OTHER_TENANT, TENANT

WHEN = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)


async def test_a_row_is_inserted_once_and_the_second_time_reports_false(sessions):
    async with sessions() as session, session.begin():
        first = await insert_if_absent(session, Tenant, {"tenant_id": TENANT, "name": "A"})
        again = await insert_if_absent(session, Tenant, {"tenant_id": TENANT, "name": "B"})
    async with sessions() as session:
        names = (await session.execute(select(Tenant.name))).scalars().all()
    assert (first, again) == (True, False)
    assert names == ["A"]


async def test_columns_left_out_get_their_defaults_and_each_call_its_own_values(sessions):
    async with sessions() as session, session.begin():
        await insert_if_absent(session, Tenant, {"tenant_id": TENANT, "name": "A"})
        await insert_if_absent(
            session, Tenant, {"tenant_id": OTHER_TENANT, "name": "B", "created_at": WHEN}
        )
    async with sessions() as session:
        rows = (await session.execute(select(Tenant).order_by(Tenant.name))).scalars().all()
    assert [(t.tenant_id, t.name) for t in rows] == [(TENANT, "A"), (OTHER_TENANT, "B")]
    assert rows[0].created_at is not None and rows[0].created_at != WHEN
    assert rows[1].created_at == WHEN


async def test_the_statement_is_built_once_per_table_and_database(sessions):
    async with sessions() as session, session.begin():
        await insert_if_absent(session, Tenant, {"tenant_id": TENANT, "name": "A"})
        dialect = session.get_bind().dialect.name
        table = cast(Table, Tenant.__table__)
        built = db._INSERTS_IF_ABSENT[(dialect, table)]
        await insert_if_absent(session, Tenant, {"tenant_id": OTHER_TENANT, "name": "B"})
        assert db._INSERTS_IF_ABSENT[(dialect, table)] is built
