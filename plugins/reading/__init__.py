"""Reading aids on every post: reading time, table of contents, heading anchors, related posts.

Enable with `PLUGINS = [..., "reading"]`; all of it is computed once per build, at build time,
and the theme shows it (`article.reading_time`, `article.toc`, `article.related_posts`,
`article.newer_post` and `article.older_post`).
"""

from __future__ import annotations

import logging
from itertools import chain
from typing import Any

from pelican import signals

from .headings import add_heading_anchors, configure_heading_ids, section_headings
from .related import RELATED_POSTS, RelatedPosts, related_posts
from .timing import reading_minutes
from .toc import TocChoice, parse_toc_choice, wants_toc

__all__ = ["RELATED_POSTS", "TocChoice", "reading_minutes", "register", "related_posts"]

logger = logging.getLogger(__name__)
_related = RelatedPosts()


def use_heading_ids(pelican: Any) -> None:
    """Give headings stable ids (Markdown's toc extension) before any post is read."""
    configure_heading_ids(pelican.settings)


def attach_reading_aids(generator: Any) -> None:
    """Give every post its reading time, heading anchors, contents and related posts."""
    published = list(generator.articles)
    related = _related(published, RELATED_POSTS)
    # Previous and next posts, in the order of the site's list of posts (newest first).
    for position, article in enumerate(published):
        article.newer_post = published[position - 1] if position > 0 else None
        article.older_post = published[position + 1] if position + 1 < len(published) else None
    for article in chain(generator.articles, generator.translations, generator.drafts):
        headings = section_headings(article._content)
        try:
            choice = parse_toc_choice(article.metadata.get("toc"))
        except ValueError as error:
            logger.warning("%s: Toc: %s", article.relative_source_path, error)
            choice = TocChoice.AUTO
        article.reading_time = reading_minutes(article._content)
        article.toc = headings if wants_toc(choice, len(headings)) else []
        article._content = add_heading_anchors(article._content)
        article.related_posts = related.get(article, [])


def register() -> None:
    """Connect the plugin to Pelican's signals."""
    signals.initialized.connect(use_heading_ids)
    signals.article_generator_finalized.connect(attach_reading_aids)
