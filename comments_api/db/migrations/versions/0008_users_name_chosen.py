"""Members choose their display name; names taken from e-mail addresses are withdrawn.

Until now a member was first named after the part of their address before the @, which the
list, the snapshot and the feeds then showed. Such names (unchanged since) are replaced by
"Member", on the account and on the member's comments, and the member is asked for a name at
their next sign-in. Names people chose themselves stay.

Also indexes `comments.parent_id`, so that finding a comment's replies (and, on SQLite, the
check of a deleted comment's replies) reads the replies, not the whole table.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from comments_api.db.migrations.columns import drop_plain_columns

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Frozen copies: this revision must keep meaning the same whatever the code says later.
UNCHOSEN_NAME = "Member"
PARENT_INDEX = "ix_comments_parent_id"


def _derived_name(email: str) -> str:
    """The name the service used to give a new member: their address before the @."""
    return email.split("@", 1)[0][:80] or "member"


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("name_chosen", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.create_index(PARENT_INDEX, "comments", ["parent_id"])
    connection = op.get_bind()
    users = connection.execute(sa.text("SELECT id, email, display_name FROM users")).all()
    for user_id, email, display_name in users:
        derived = _derived_name(email)
        if display_name.casefold() != derived.casefold():
            continue
        parameters = {"user_id": user_id, "derived": display_name, "unchosen": UNCHOSEN_NAME}
        connection.execute(
            sa.text(
                "UPDATE users SET display_name = :unchosen, name_chosen = :chosen "
                "WHERE id = :user_id"
            ),
            {**parameters, "chosen": False},
        )
        connection.execute(
            sa.text(
                "UPDATE comments SET author_name = :unchosen "
                "WHERE user_id = :user_id AND author_name = :derived"
            ),
            parameters,
        )


def downgrade() -> None:
    op.drop_index(PARENT_INDEX, table_name="comments")
    drop_plain_columns("users", "name_chosen")
