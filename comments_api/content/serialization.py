"""Public JSON: the one function that decides what a comment looks like to the world."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from comments_api.db.tables import Status

__all__ = [
    "MAX_IF_NONE_MATCH",
    "dump_json",
    "etag_matches",
    "iso",
    "public_comment",
    "thread_document",
]

APPROVED = Status.APPROVED.value
# What is left of a published comment that a moderator removed: its place in the thread (id,
# parent, time), so that its replies keep theirs.
REMOVED: dict[str, Any] = {
    "author": "",
    "website": None,
    "edited": None,
    "edited_by": None,
    "html": "",
    "verified": False,
    "member": False,
    "removed": True,
}


# The longest If-None-Match the list accepts (longer ones are refused with a 422).
MAX_IF_NONE_MATCH = 1000


def etag_matches(header: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names this ETag (or `*`), weak or strong."""
    if not header:
        return False
    candidates = {value.strip().removeprefix("W/") for value in header.split(",")}
    return "*" in candidates or etag in candidates


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, to the second."""
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def public_comment(row: Sequence[Any]) -> dict[str, Any]:
    """A row of `storage.PUBLIC_COLUMNS` as the public comment object.

    A comment that a moderator removed after it was published keeps only its place.
    """
    (
        identifier,
        thread,
        parent,
        author,
        website,
        created,
        edited,
        edited_by,
        html,
        verified,
        member,
        status,
        removed_at,
    ) = row
    comment = {
        "id": identifier,
        "thread": thread,
        "parent": parent,
        "author": author,
        "website": website,
        "created": iso(created),
        "edited": iso(edited),
        "edited_by": edited_by,
        "html": html,
        "verified": bool(verified),
        "member": bool(member),
        "removed": False,
    }
    removed = status != APPROVED and removed_at is not None
    return {**comment, **REMOVED} if removed else comment


def dump_json(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def thread_document(
    thread_key: str, closed: bool, rows: Sequence[Sequence[Any]]
) -> tuple[bytes, str]:
    """The list answer for a thread as bytes, and its strong ETag."""
    comments = [public_comment(row) for row in rows]
    count = sum(not comment["removed"] for comment in comments)
    body = dump_json({"thread": thread_key, "count": count, "closed": closed, "comments": comments})
    return body, '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
