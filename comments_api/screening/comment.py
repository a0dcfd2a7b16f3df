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
    post_text: str = ""  # the post's title (and summary when known), to judge relevance
    campaign_threads: int = 0  # other threads where nearly the same text was posted lately
    threads_from_client_lately: int = 0  # other threads this client commented on just now
