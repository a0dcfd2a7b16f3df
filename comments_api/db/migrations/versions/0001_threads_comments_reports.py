"""Threads, comments and reader reports.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from comments_api.db.tables import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "threads",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("url", sa.String(1000), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("retired_at", UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("approved_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_threads"),
    )
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("thread_key", sa.String(200), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(80), nullable=False),
        sa.Column("author_email", sa.String(254), nullable=True),
        sa.Column("author_url", sa.String(300), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("member", sa.Boolean(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("body_md", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("spam_score", sa.Float(), nullable=False),
        sa.Column("held_reasons", sa.Text(), nullable=False),
        sa.Column("notify", sa.Boolean(), nullable=False),
        sa.Column("client_hash", sa.String(64), nullable=True),
        sa.Column("edit_token_hash", sa.String(64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("edited_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["thread_key"],
            ["threads.key"],
            name="fk_comments_thread_key_threads",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["comments.id"],
            name="fk_comments_parent_id_comments",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_comments"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_comments_thread_status_id", "comments", ["thread_key", "status", "id"])
    op.create_index("ix_comments_status_id", "comments", ["status", "id"])
    op.create_index("ix_comments_user_id", "comments", ["user_id"])
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("client_hash", sa.String(64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name="fk_reports_comment_id_comments",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reports"),
    )
    op.create_index("ix_reports_comment_id", "reports", ["comment_id"])


def downgrade() -> None:
    op.drop_index("ix_reports_comment_id", table_name="reports")
    op.drop_table("reports")
    op.drop_index("ix_comments_user_id", table_name="comments")
    op.drop_index("ix_comments_status_id", table_name="comments")
    op.drop_index("ix_comments_thread_status_id", table_name="comments")
    op.drop_table("comments")
    op.drop_table("threads")
