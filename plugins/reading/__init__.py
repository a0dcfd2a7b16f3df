"""Reading aids on every post: reading time, table of contents, heading anchors, related posts.

Enable with `PLUGINS = [..., "reading"]`; all of it is computed once per build, at build time,
and the theme shows it (`article.reading_time`, `article.toc`, `article.related_posts`,
`article.newer_post` and `article.older_post`).
"""

from __future__ import annotations

import hashlib
import logging
from itertools import chain
from typing import Any

from pelican import signals

from .headings import SectionHeading, add_heading_anchors, configure_heading_ids, section_headings
from .related import RELATED_POSTS, RelatedPosts, related_posts
from .timing import reading_minutes
from .toc import TocChoice, parse_toc_choice, wants_toc

__all__ = ["RELATED_POSTS", "TocChoice", "reading_minutes", "register", "related_posts"]

logger = logging.getLogger(__name__)
_related = RelatedPosts()

# Rebuilds in one process (`invoke livereload`) ask again for every post: what a body gives
# (reading time, sections, the body with its heading links) is kept by a digest of the body,
# for as many posts as a large site has. The body with links is the post's own from then on,
# so the kept copy costs no memory of its own.
KEPT = 50_000
_aids: dict[bytes, tuple[int, tuple[SectionHeading, ...], str]] = {}


def body_aids(content: str) -> tuple[int, tuple[SectionHeading, ...], str]:
    """Reading minutes, section headings and the body with heading links, of this body."""
    key = hashlib.sha256(content.encode("utf-8", "surrogatepass")).digest()
    found = _aids.get(key)
    if found is None:
        if len(_aids) >= KEPT:
            _aids.clear()
        found = (
            reading_minutes(content),
            tuple(section_headings(content)),
            add_heading_anchors(content),
        )
        _aids[key] = found
    return found


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
        minutes, headings, anchored = body_aids(article._content)
        try:
            choice = parse_toc_choice(article.metadata.get("toc"))
        except ValueError as error:
            logger.warning("%s: Toc: %s", article.relative_source_path, error)
            choice = TocChoice.AUTO
        article.reading_time = minutes
        article.toc = list(headings) if wants_toc(choice, len(headings)) else []
        article._content = anchored
        article.related_posts = related.get(article, [])


def register() -> None:
    """Connect the plugin to Pelican's signals."""
    signals.initialized.connect(use_heading_ids)
    signals.article_generator_finalized.connect(attach_reading_aids)
