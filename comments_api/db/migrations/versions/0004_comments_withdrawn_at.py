"""Comments record when their author withdrew them.

Until now a withdrawal was inferred from the audit log, which exports leave out. Existing
comments are marked from the same inference: deleted, and the last change of status in the log
is not a moderator's deletion (or there is none); or wiped by a deletion of the author's data.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from comments_api.db.migrations.columns import drop_plain_columns
from comments_api.db.tables import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Mirrors privacy.DELETED_AUTHOR: a comment wiped at its author's request keeps no text.
ERASED_AUTHOR = "[deleted]"


def upgrade() -> None:
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("withdrawn_at", UTCDateTime(), nullable=True))
    op.execute(
        sa.text(
            "UPDATE comments SET withdrawn_at = updated_at WHERE "
            "(status = 'deleted' AND COALESCE(("
            "  SELECT event.to_status FROM moderation_events AS event"
            "  WHERE event.comment_id = comments.id"
            "  AND (event.from_status IS NULL OR event.from_status <> event.to_status)"
            "  ORDER BY event.id DESC LIMIT 1"
            "), '') <> 'deleted') "
            "OR (author_name = :erased AND body_md = '')"
        ).bindparams(erased=ERASED_AUTHOR)
    )


def downgrade() -> None:
    drop_plain_columns("comments", "withdrawn_at")
