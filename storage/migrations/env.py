"""Alembic environment. Migrations run on a connection handed over by storage.migrate, which
runs them inside the application's own async engine (SQLite or PostgreSQL)."""

from __future__ import annotations

from alembic import context

from storage.models import Base, compared_by_alembic

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `tryggest db upgrade`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    # The full-text search structures made by raw SQL (migration 0006) are no model's.
    include_name=compared_by_alembic,
)
with context.begin_transaction():
    context.run_migrations()
