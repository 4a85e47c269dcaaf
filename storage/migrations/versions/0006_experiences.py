"""experiences shared in the network (with full-text search) and training cases

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 21:05:44.869783
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "experiences",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("network_team_id", sa.String(length=32), nullable=False),
        sa.Column("author_tenant_id", sa.String(length=64), nullable=False),
        sa.Column("author_aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("situation", sa.String(length=1000), nullable=False),
        sa.Column("done", sa.String(length=1000), nullable=False),
        sa.Column("worked", sa.String(length=1000), nullable=False),
        sa.Column("not_worked", sa.String(length=1000), nullable=False),
        sa.Column("differently", sa.String(length=1000), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("useful_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("from_case", sa.Boolean(), nullable=False),
        sa.Column("service_url", sa.String(length=500), nullable=True),
        sa.Column("post_conversation_id", sa.String(length=400), nullable=True),
        sa.Column("post_activity_id", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["network_team_id"], ["teams.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("experiences", schema=None) as batch_op:
        batch_op.create_index(
            "ix_experiences_network", ["network_team_id", "created_at"], unique=False
        )

    op.create_table(
        "training_cases",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=True),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("situation", sa.String(length=40), nullable=False),
        sa.Column("violence", sa.String(length=40), nullable=False),
        sa.Column("barrier", sa.String(length=40), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("enriched", sa.Boolean(), nullable=False),
        sa.Column("requested_by_tenant_id", sa.String(length=64), nullable=False),
        sa.Column("requested_by_aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("service_url", sa.String(length=500), nullable=True),
        sa.Column("post_conversation_id", sa.String(length=400), nullable=True),
        sa.Column("post_activity_id", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "seed"),
    )
    op.create_table(
        "experience_marks",
        sa.Column("experience_id", sa.String(length=32), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["experience_id"], ["experiences.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("experience_id", "tenant_id", "aad_object_id"),
    )
    op.create_table(
        "experience_tags",
        sa.Column("experience_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["experience_id"], ["experiences.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("experience_id", "kind", "code"),
    )
    with op.batch_alter_table("experience_tags", schema=None) as batch_op:
        batch_op.create_index("ix_experience_tags_code", ["kind", "code"], unique=False)

    _search_index()


def _search_index() -> None:
    # Norwegian full-text search, one way per database (storage/experiences.py reads both).
    if op.get_bind().dialect.name == "postgresql":
        # The `norwegian` configuration: Snowball's Norwegian stemmer and stop words.
        op.execute(
            "CREATE INDEX ix_experiences_search ON experiences "
            "USING gin (to_tsvector('norwegian', search_text))"
        )
    else:
        # SQLite has no Norwegian stemmer: the application feeds this table the Snowball stems
        # of each experience (domain/search_text.py), and stems the queries the same way.
        op.execute(
            "CREATE VIRTUAL TABLE experience_search USING fts5("
            "experience_id UNINDEXED, stems, tokenize = 'unicode61 remove_diacritics 0')"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_experiences_search")
    else:
        op.execute("DROP TABLE experience_search")
    with op.batch_alter_table("experience_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_experience_tags_code")

    op.drop_table("experience_tags")
    op.drop_table("experience_marks")
    op.drop_table("training_cases")
    with op.batch_alter_table("experiences", schema=None) as batch_op:
        batch_op.drop_index("ix_experiences_network")

    op.drop_table("experiences")
