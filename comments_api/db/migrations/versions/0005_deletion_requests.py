"""Deletion links carry a random secret; the address waits in `deletion_requests` until used.

Links mailed before this revision carried the address itself (signed, not encrypted) and no
longer work; whoever holds one asks for a new link.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from comments_api.db.tables import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deletion_requests",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_deletion_requests"),
    )


def downgrade() -> None:
    op.drop_table("deletion_requests")
