"""the team's own recurring meeting, and the meetings of it that will not be held

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "team_meetings",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("rhythm", sa.String(length=20), nullable=False),
        sa.Column("first_starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=True),
        sa.Column("online_url", sa.String(length=1000), nullable=True),
        sa.Column("created_by_tenant_id", sa.String(length=64), nullable=False),
        sa.Column("created_by_aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("graph_event_id", sa.String(length=500), nullable=True),
        sa.Column("join_url", sa.String(length=2000), nullable=True),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_team_meetings_team", "team_meetings", ["team_id", "ended_at"])
    op.create_table(
        "team_meeting_cancellations",
        sa.Column("meeting_id", sa.String(length=32), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by_tenant_id", sa.String(length=64), nullable=False),
        sa.Column("by_aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["team_meetings.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("meeting_id", "starts_at"),
    )


def downgrade() -> None:
    op.drop_table("team_meeting_cancellations")
    op.drop_index("ix_team_meetings_team", table_name="team_meetings")
    op.drop_table("team_meetings")
