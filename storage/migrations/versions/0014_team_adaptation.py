"""teams: the team's local adaptation (its own risk checklist, partner services, tiltakskort)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 23:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("teams") as batch:
        batch.add_column(sa.Column("adaptation", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("teams") as batch:
        batch.drop_column("adaptation")
