"""The outbox also carries requests to rebuild the static site (the build hook), and comments
are found by when they last changed (the snapshot's changes since a cursor).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from comments_api.db.migrations.columns import drop_plain_columns
from comments_api.db.tables import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("kind", sa.String(16), nullable=False, server_default="mail"))
    op.add_column("outbox", sa.Column("last_attempt_at", UTCDateTime(), nullable=True))
    op.create_index("ix_comments_updated_at", "comments", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_comments_updated_at", table_name="comments")
    op.execute("DELETE FROM outbox WHERE kind <> 'mail'")
    drop_plain_columns("outbox", "kind", "last_attempt_at")
