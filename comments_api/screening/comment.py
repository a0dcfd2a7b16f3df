"""What the spam filter is given: the comment as written and the facts only the caller knows."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CommentDraft", "SpamContext"]


@dataclass(frozen=True)
class CommentDraft:
    """The comment as submitted: Markdown body, display name and optional website."""

    body: str
    author_name: str = ""
    website: str | None = None


@dataclass(frozen=True)
class SpamContext:
    """Facts from storage; the defaults describe an unknown first-time guest."""

    is_member: bool = False
    author_is_new: bool = True
    duplicate_exists: bool = False
