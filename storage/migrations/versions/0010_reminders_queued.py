"""reminders go through the outbox: a row an earlier version left 'claimed' is 'pending' again

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 20:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A send under way, or one held for a retry, when the bot was upgraded: queued anew when due.
    op.execute("UPDATE reminders SET state = 'pending', claimed_until = NULL WHERE state = 'claimed'")


def downgrade() -> None:
    # The earlier version claims 'pending' rows; it does not know 'queued'.
    op.execute("UPDATE reminders SET state = 'pending' WHERE state = 'queued'")
