"""The migrations build exactly the tables the models describe, on both databases: a column added
to a model without a migration (or the other way round) fails here, not in production."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from storage.models import Base, compared_by_alembic


def _differences(connection: Any) -> list[Any]:
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": False,
            "compare_server_default": False,
            # Full-text search made by raw SQL for one database only (migration 0006).
            "include_name": compared_by_alembic,
        },
    )
    return list(compare_metadata(context, Base.metadata))


async def test_the_migrated_database_has_what_the_models_describe(engine):
    async with engine.connect() as connection:
        differences = await connection.run_sync(_differences)

    assert differences == []
