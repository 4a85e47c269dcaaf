"""casework: the team's work on a case, channel posts, outbox delivery, name digests

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 20:09:37.438718
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op



revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_name_digests',
    sa.Column('case_id', sa.String(length=32), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id', 'digest')
    )
    with op.batch_alter_table('case_name_digests', schema=None) as batch_op:
        batch_op.create_index('ix_case_name_digests_team', ['team_id', 'digest'], unique=False)

    op.create_table('channel_posts',
    sa.Column('case_id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('service_url', sa.String(length=500), nullable=False),
    sa.Column('conversation_id', sa.String(length=400), nullable=False),
    sa.Column('activity_id', sa.String(length=200), nullable=False),
    sa.Column('posted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id')
    )
    with op.batch_alter_table('channel_posts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_channel_posts_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_channel_posts_team_id'), ['team_id'], unique=False)

    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secret', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=64), nullable=True))
        batch_op.create_index('uq_case_events_idempotency', ['case_id', 'idempotency_key'], unique=True)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('classification', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('assessed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('risk_level', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('risk_answers', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('position', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('measures', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('follow_up_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('outcome', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('shared_text', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('shared_text_approved_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_error', sa.String(length=200), nullable=True))

    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bot_id', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('service_url_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('posting_blocked_at', sa.DateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_column('posting_blocked_at')
        batch_op.drop_column('service_url_at')
        batch_op.drop_column('bot_id')

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('last_error')
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('data')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('shared_text_approved_at')
        batch_op.drop_column('shared_text')
        batch_op.drop_column('outcome')
        batch_op.drop_column('follow_up_on')
        batch_op.drop_column('measures')
        batch_op.drop_column('position')
        batch_op.drop_column('risk_answers')
        batch_op.drop_column('risk_level')
        batch_op.drop_column('assessed_at')
        batch_op.drop_column('classification')
        batch_op.drop_column('revision')

    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.drop_index('uq_case_events_idempotency')
        batch_op.drop_column('idempotency_key')
        batch_op.drop_column('secret')

    with op.batch_alter_table('channel_posts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_channel_posts_team_id'))
        batch_op.drop_index(batch_op.f('ix_channel_posts_conversation_id'))

    op.drop_table('channel_posts')
    with op.batch_alter_table('case_name_digests', schema=None) as batch_op:
        batch_op.drop_index('ix_case_name_digests_team')

    op.drop_table('case_name_digests')
