"""stand-in rosters: who the Agents Playground's team really has (local mode, the demo data)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stand_in_roster_members",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("teams_team_id", sa.String(length=200), nullable=False),
        sa.Column("aad_object_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "teams_team_id", "aad_object_id"),
    )


def downgrade() -> None:
    op.drop_table("stand_in_roster_members")
