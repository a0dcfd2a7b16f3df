"""Bans may end by themselves (network bans) and remember the comment they were made from.

"Ban author" used to ban the author's network too, without asking; those network bans end at
this upgrade (the person stays banned by account and e-mail address). Other bans keep no end
and no comment: they stay until a moderator lifts them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from comments_api.db.tables import UTCDateTime, utcnow

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bans") as batch:
        batch.add_column(sa.Column("expires_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("comment_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_bans_comment_id_comments", "comments", ["comment_id"], ["id"], ondelete="SET NULL"
        )
    upgraded_at = sa.bindparam("upgraded_at", utcnow(), type_=UTCDateTime())
    op.execute(
        sa.text("UPDATE bans SET expires_at = :upgraded_at WHERE kind = 'client'").bindparams(
            upgraded_at
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("bans") as batch:
        batch.drop_constraint("fk_bans_comment_id_comments", type_="foreignkey")
        batch.drop_column("comment_id")
        batch.drop_column("expires_at")
