"""`comments-api create-user`: how the first moderator comes to exist."""

from __future__ import annotations

import sys

from comments_api.auth.accounts import Accounts
from comments_api.config import Settings
from comments_api.content.comment_input import check_email
from comments_api.db.storage import Storage
from comments_api.db.tables import Role
from comments_api.errors import Invalid

__all__ = ["create_user"]


def create_user(
    settings: Settings, storage: Storage, email: str, role: str, name: str | None
) -> int:
    """Create the user (or change their role and name) and say what was done."""
    try:
        address = check_email(email.strip())
    except Invalid as error:
        print(f"comments-api: {error.errors[0].message}", file=sys.stderr)
        return 1
    display_name = " ".join(name.split()) if name else None
    if name is not None and not display_name:
        print("comments-api: --name must not be empty", file=sys.stderr)
        return 1
    user = Accounts(settings, storage).save_user(address, Role(role), display_name)
    badge = ", verified" if user.verified else ""
    print(
        f"{user.email}: role {user.role}, name {user.display_name!r}{badge}. "
        "They sign in with a link e-mailed to that address."
    )
    return 0
