"""reminders, network gatherings, half-year report submissions and download links

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 20:43:18.113694
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op



revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('download_tokens',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('aad_object_id', sa.String(length=64), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('period', sa.String(length=6), nullable=False),
    sa.Column('file_format', sa.String(length=10), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('gatherings',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('network_team_id', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=True),
    sa.Column('online_url', sa.String(length=1000), nullable=True),
    sa.Column('agenda', sa.String(length=4000), nullable=True),
    sa.Column('rvts_region', sa.String(length=20), nullable=True),
    sa.Column('invited_team_ids', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('organiser_tenant_id', sa.String(length=64), nullable=False),
    sa.Column('organiser_aad_object_id', sa.String(length=64), nullable=False),
    sa.Column('graph_event_id', sa.String(length=300), nullable=True),
    sa.Column('service_url', sa.String(length=500), nullable=True),
    sa.Column('post_conversation_id', sa.String(length=400), nullable=True),
    sa.Column('post_activity_id', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['network_team_id'], ['teams.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('report_submissions',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('period', sa.String(length=6), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('submitted_by_tenant_id', sa.String(length=64), nullable=False),
    sa.Column('submitted_by_aad_object_id', sa.String(length=64), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('team_id', 'period')
    )
    op.create_table('gathering_responses',
    sa.Column('gathering_id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('aad_object_id', sa.String(length=64), nullable=False),
    sa.Column('answer', sa.String(length=10), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('gathering_id', 'tenant_id', 'aad_object_id')
    )
    op.create_table('reminders',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recipient_tenant_id', sa.String(length=64), nullable=True),
    sa.Column('recipient_aad_object_id', sa.String(length=64), nullable=True),
    sa.Column('team_id', sa.String(length=32), nullable=True),
    sa.Column('case_id', sa.String(length=32), nullable=True),
    sa.Column('gathering_id', sa.String(length=32), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index('ix_reminders_case', ['case_id', 'state'], unique=False)
        batch_op.create_index('ix_reminders_due', ['state', 'due_at'], unique=False)
        batch_op.create_index('ix_reminders_gathering', ['gathering_id', 'state'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index('ix_reminders_gathering')
        batch_op.drop_index('ix_reminders_due')
        batch_op.drop_index('ix_reminders_case')

    op.drop_table('reminders')
    op.drop_table('gathering_responses')
    op.drop_table('report_submissions')
    op.drop_table('gatherings')
    op.drop_table('download_tokens')
