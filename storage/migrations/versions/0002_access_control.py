"""access control: tenants, access log, assignment, retention

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 18:22:46.634218
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op



revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('access_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_tenant_id', sa.String(length=64), nullable=False),
    sa.Column('actor_aad_object_id', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('allowed', sa.Boolean(), nullable=False),
    sa.Column('case_id', sa.String(length=32), nullable=True),
    sa.Column('case_number', sa.String(length=20), nullable=True),
    sa.Column('municipality_id', sa.String(length=32), nullable=True),
    sa.Column('conversation_id', sa.String(length=300), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.create_index('ix_access_log_actor', ['actor_tenant_id', 'actor_aad_object_id', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_log_at'), ['at'], unique=False)
        batch_op.create_index('ix_access_log_case', ['case_id', 'at'], unique=False)

    op.create_table('tenants',
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('tenant_id')
    )
    _make_access_log_append_only()
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('personal_erased_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('assignee_tenant_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('assignee_aad_object_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('display_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('source', sa.String(length=20), nullable=False, server_default='command'))
        batch_op.alter_column('team_id', existing_type=sa.String(length=32), nullable=True)
        batch_op.create_index('ix_memberships_person', ['tenant_id', 'aad_object_id'], unique=False)



def _make_access_log_append_only() -> None:
    # The application never changes the log; the database makes sure nobody else does either.
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "CREATE FUNCTION access_log_is_append_only() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'access_log is append-only'; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
            "ON access_log FOR EACH STATEMENT EXECUTE FUNCTION access_log_is_append_only()"
        )
    else:
        for event in ('UPDATE', 'DELETE'):
            op.execute(
                f"CREATE TRIGGER access_log_no_{event.lower()} BEFORE {event} ON access_log "
                "BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER access_log_append_only ON access_log")
        op.execute("DROP FUNCTION access_log_is_append_only()")
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_index('ix_memberships_person')
        batch_op.alter_column('team_id', existing_type=sa.String(length=32), nullable=False)
        batch_op.drop_column('source')
        batch_op.drop_column('display_name')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
        batch_op.drop_column('assignee_aad_object_id')
        batch_op.drop_column('assignee_tenant_id')
        batch_op.drop_column('personal_erased_at')

    op.drop_table('tenants')
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.drop_index('ix_access_log_case')
        batch_op.drop_index(batch_op.f('ix_access_log_at'))
        batch_op.drop_index('ix_access_log_actor')

    op.drop_table('access_log')
