"""Outbox, moderation audit log, bans, the spam filter's counts, notices, used links.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from comments_api.db.tables import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("recipient", sa.String(254), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=True),
        sa.Column("headers_json", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_until", UTCDateTime(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
    )
    op.create_index("ix_outbox_sent_at_next_attempt_at", "outbox", ["sent_at", "next_attempt_at"])
    op.create_table(
        "moderation_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(254), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name="fk_moderation_events_comment_id_comments",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_moderation_events"),
    )
    op.create_index("ix_moderation_events_comment_id", "moderation_events", ["comment_id"])
    op.create_table(
        "bans",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.String(254), nullable=False),
        sa.Column("actor", sa.String(254), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_bans"),
        sa.UniqueConstraint("kind", "value", name="uq_bans_kind_value"),
    )
    op.create_table(
        "spam_tokens",
        sa.Column("token", sa.String(300), nullable=False),
        sa.Column("spam_count", sa.Integer(), nullable=False),
        sa.Column("legitimate_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("token", name="pk_spam_tokens"),
    )
    op.create_table(
        "spam_lessons",
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("is_spam", sa.Boolean(), nullable=False),
        sa.Column("learned_text", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name="fk_spam_lessons_comment_id_comments",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("comment_id", name="pk_spam_lessons"),
    )
    op.create_table(
        "spam_model",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_spam_model"),
    )
    op.create_table(
        "notices",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "comment_id", name="pk_notices"),
    )
    op.create_table(
        "used_tokens",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_used_tokens"),
    )
    # Comments stored before this revision were never announced; do not announce them now.
    for kind in ("moderators", "replies"):
        op.execute(
            sa.text(
                "INSERT INTO notices (kind, comment_id, created_at) "
                "SELECT :kind, id, created_at FROM comments"
            ).bindparams(kind=kind)
        )


def downgrade() -> None:
    op.drop_table("used_tokens")
    op.drop_table("notices")
    op.drop_table("spam_model")
    op.drop_table("spam_lessons")
    op.drop_table("spam_tokens")
    op.drop_table("bans")
    op.drop_index("ix_moderation_events_comment_id", table_name="moderation_events")
    op.drop_table("moderation_events")
    op.drop_index("ix_outbox_sent_at_next_attempt_at", table_name="outbox")
    op.drop_table("outbox")
