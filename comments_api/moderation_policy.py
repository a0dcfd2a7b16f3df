"""The moderation seam: one function decides whether a new or edited comment is published.

`assess()` is the only place the create and edit services ask; the spam scorer plugs in here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from comments_api.models import Status

__all__ = ["Assessment", "CommentDraft", "assess"]


@dataclass(frozen=True)
class CommentDraft:
    """What is known about a comment before it is stored."""

    thread_key: str
    author_name: str
    author_email: str | None
    author_url: str | None
    body_md: str
    body_html: str
    links: tuple[str, ...] = ()
    parent_id: int | None = None
    client_hash: str | None = None
    user_id: int | None = None
    member: bool = False
    verified: bool = False
    seconds_to_submit: float | None = None
    is_edit: bool = False
    extra: dict[str, str] = field(default_factory=dict)


class Assessment(NamedTuple):
    """The verdict: a status to store, a spam score (0 = clean) and human-readable reasons."""

    status: Status
    score: float
    reasons: tuple[str, ...]


def assess(draft: CommentDraft, policy: str = "hold-guests") -> Assessment:
    """Apply the moderation policy (`hold-guests`, `hold-all` or `publish`) to a draft."""
    if policy == "publish":
        return Assessment(Status.APPROVED, 0.0, ())
    if policy == "hold-all":
        return Assessment(Status.PENDING, 0.0, ("every comment is held for a moderator",))
    if draft.member or draft.verified:
        return Assessment(Status.APPROVED, 0.0, ())
    return Assessment(Status.PENDING, 0.0, ("guest comments are held for a moderator",))
