"""Public JSON: the one function that decides what a comment looks like to the world."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

__all__ = ["dump_json", "iso", "public_comment", "thread_document"]


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, to the second."""
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def public_comment(row: Sequence[Any]) -> dict[str, Any]:
    """A row of `storage.PUBLIC_COLUMNS` as the public comment object."""
    (identifier, thread, parent, author, website, created, edited, html, verified, member) = row
    return {
        "id": identifier,
        "thread": thread,
        "parent": parent,
        "author": author,
        "website": website,
        "created": iso(created),
        "edited": iso(edited),
        "html": html,
        "verified": bool(verified),
        "member": bool(member),
    }


def dump_json(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def thread_document(
    thread_key: str, closed: bool, rows: Sequence[Sequence[Any]]
) -> tuple[bytes, str]:
    """The list answer for a thread as bytes, and its strong ETag."""
    comments = [public_comment(row) for row in rows]
    body = dump_json(
        {"thread": thread_key, "count": len(comments), "closed": closed, "comments": comments}
    )
    return body, '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
