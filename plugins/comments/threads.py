"""Which posts take comments: the `Comments:` and `Comments-Thread:` metadata, and age."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from markupsafe import Markup

from .settings import MODES, CommentsSettings

logger = logging.getLogger(__name__)


# What the API keeps of a post's summary (its manifest schema allows this many characters).
SUMMARY_CHARACTERS = 2000


@dataclass(frozen=True)
class Thread:
    """One post's comment thread as the build sees it."""

    key: str
    mode: str  # "open", "closed" or "off"
    title: str
    url: str
    summary: str = ""  # plain text, for the screening to tell comments about the post

    def manifest_entry(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "url": self.url,
            "closed": self.mode == "closed",
            "summary": self.summary,
        }


def thread_mode(article: Any, settings: CommentsSettings, now: datetime) -> str:
    """The post's mode: its `Comments:` metadata, closed once older than the limit."""
    declared = str(article.metadata.get("comments", settings.default_mode)).strip().lower()
    if declared not in MODES:
        logger.warning(
            "%s: `Comments: %s` is not understood; write open, closed or off (using %s)",
            article.relative_source_path,
            declared,
            settings.default_mode,
        )
        declared = settings.default_mode
    if declared == "open" and settings.close_after_days is not None:
        date = article.date
        reference = now.astimezone(date.tzinfo) if date.tzinfo else now.replace(tzinfo=None)
        if reference - date > timedelta(days=settings.close_after_days):
            return "closed"
    return declared


def thread_for(article: Any, settings: CommentsSettings, now: datetime) -> Thread:
    """The thread of a post: key from `Comments-Thread:` (default: the slug), URL, mode."""
    default_key = (
        article.slug
        if getattr(article, "in_default_lang", True)
        else (f"{article.slug}-{article.lang}")
    )
    key = str(article.metadata.get("comments-thread") or default_key).strip()
    return Thread(
        key=key,
        mode=thread_mode(article, settings, now),
        title=" ".join(Markup(article.title).striptags().split()),  # typogrify adds &nbsp;
        url=f"{settings.site_url}/{article.url}",
        summary=" ".join(Markup(getattr(article, "summary", "") or "").striptags().split())[
            :SUMMARY_CHARACTERS
        ],
    )
