"""indexes for the half-year report: cases by municipality and date, reopened events

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cases_statistics",
            ["municipality_id", "created_at"],
            unique=False,
            postgresql_include=["id", "assessed_at", "closed_at", "outcome", "measures"],
        )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_case_events_reopened",
            ["at", "case_id"],
            unique=False,
            postgresql_where=sa.text("kind = 'reopened'"),
            sqlite_where=sa.text("kind = 'reopened'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index("ix_case_events_reopened")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_statistics")
