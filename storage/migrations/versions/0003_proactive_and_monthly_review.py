"""proactive messages: conversation references; the monthly access review's send claims

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 19:11:28.869332
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op



revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One row per person: their personal chat with the bot (ids only).
    op.create_table('conversation_references',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('aad_object_id', sa.String(length=64), nullable=False),
    sa.Column('service_url', sa.String(length=500), nullable=False),
    sa.Column('channel_id', sa.String(length=50), nullable=False),
    sa.Column('conversation_id', sa.String(length=300), nullable=False),
    sa.Column('bot_id', sa.String(length=200), nullable=False),
    sa.Column('locale', sa.String(length=20), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'aad_object_id')
    )
    # The key is the claim: INSERT … ON CONFLICT DO NOTHING before a review is sent.
    op.create_table('access_review_sends',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('aad_object_id', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id', 'aad_object_id', 'period')
    )


def downgrade() -> None:
    op.drop_table('access_review_sends')
    op.drop_table('conversation_references')
