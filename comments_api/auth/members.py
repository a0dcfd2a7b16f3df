"""Comments from signed-in members: their name and address come from the account."""

from __future__ import annotations

import json

from comments_api.db.tables import User

__all__ = ["with_member_identity"]


def with_member_identity(
    payload: dict[str, str] | bytes, user: User | None
) -> dict[str, str] | bytes:
    """The submitted fields with `author` and `email` taken from the signed-in account.

    Members never type them; whatever was sent in their place is replaced.
    """
    if user is None:
        return payload
    identity = {"author": user.display_name, "email": user.email}
    if isinstance(payload, dict):
        return {**payload, **identity}
    try:
        data = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return payload  # the parser reports malformed JSON
    if not isinstance(data, dict):
        return payload
    return json.dumps({**data, **identity}).encode()
