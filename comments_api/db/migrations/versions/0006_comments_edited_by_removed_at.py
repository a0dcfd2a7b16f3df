"""Comments record who last edited them and when a moderator removed a published one.

Until now only authors could edit, so existing edited comments were edited by their author.
A published comment a moderator took down is found the way revision 0004 found withdrawals: it
is rejected, spam or deleted (not by its author), and the last change of status in the audit
log moved it from approved; it stays in its thread as a "removed by a moderator" note.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from comments_api.db.migrations.columns import drop_plain_columns
from comments_api.db.tables import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("edited_by", sa.String(16), nullable=True))
        batch.add_column(sa.Column("removed_at", UTCDateTime(), nullable=True))
    op.execute("UPDATE comments SET edited_by = 'author' WHERE edited_at IS NOT NULL")
    op.execute(
        "UPDATE comments SET removed_at = updated_at WHERE "
        "status IN ('rejected', 'spam', 'deleted') AND withdrawn_at IS NULL AND COALESCE(("
        "  SELECT event.from_status FROM moderation_events AS event"
        "  WHERE event.comment_id = comments.id"
        "  AND (event.from_status IS NULL OR event.from_status <> event.to_status)"
        "  ORDER BY event.id DESC LIMIT 1"
        "), '') = 'approved'"
    )


def downgrade() -> None:
    drop_plain_columns("comments", "removed_at", "edited_by")
