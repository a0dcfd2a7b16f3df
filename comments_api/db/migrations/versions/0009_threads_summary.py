"""Threads keep the post's summary from the manifest, so screening can tell on-topic comments.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from comments_api.db.migrations.columns import drop_plain_columns

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("threads", sa.Column("summary", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    # Not batch mode: on SQLite that copies the table, and dropping the old one would delete
    # every thread's comments through their foreign keys (see columns.py).
    drop_plain_columns("threads", "summary")
