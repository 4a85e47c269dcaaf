"""cases: how the case reached the team (a report in Teams, or an enquiry by phone, letter, in
person or e-mail) and on which day

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 21:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        # Every case before this came as a report in Teams.
        batch.add_column(
            sa.Column("contact_channel", sa.String(20), nullable=False, server_default="teams")
        )
        batch.add_column(sa.Column("contacted_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("contacted_on")
        batch.drop_column("contact_channel")
