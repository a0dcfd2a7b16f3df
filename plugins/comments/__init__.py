"""Comments on every post: the section, the build-time snapshot, the manifest and the widget.

Enable with `PLUGIN_PATHS = ["plugins"]` and `PLUGINS = ["comments"]`; the settings are
described in the README ("Comments settings").
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from itertools import chain
from typing import Any

from pelican import signals

from .manifest import CONTEXT_KEY, CommentsOutputGenerator, manifest
from .section import ArticleComments, RenderedSections, counts_head
from .settings import CommentsSettings, read_settings
from .snapshot import fetch_snapshot
from .threads import Thread, thread_for

__all__ = [
    "ArticleComments",
    "CommentsSettings",
    "Thread",
    "manifest",
    "read_settings",
    "register",
]

logger = logging.getLogger(__name__)

COUNTS_HEAD_KEY = "comments_counts_head"
_sections = RenderedSections()


def attach_comments(generator: Any) -> None:
    """Give every article its `comments` (mode, count, thread, html, head) for the theme, and
    the lists of posts `comments_counts_head`, the script that keeps their counts live."""
    settings = read_settings(generator.settings)
    snapshot = (fetch_snapshot(settings) if settings.snapshot else None) or {}
    now = datetime.now(UTC)
    published = list(
        chain(
            generator.articles,
            generator.translations,
            generator.hidden_articles,
            generator.hidden_translations,
        )
    )
    unpublished = list(chain(generator.drafts, generator.drafts_translations))
    threads: dict[str, Thread] = {}
    for article in published + unpublished:
        thread = thread_for(article, settings, now)
        draft = article in unpublished
        article.comments = _sections.section(thread, snapshot.get(thread.key, []), settings, draft)
        if draft or thread.mode == "off":
            continue
        if thread.key in threads and threads[thread.key].url != thread.url:
            logger.warning(
                "%s: comment thread %r is already used by %s; give this post its own "
                "`Comments-Thread:`",
                article.relative_source_path,
                thread.key,
                threads[thread.key].url,
            )
            continue
        threads.setdefault(thread.key, thread)
    _sections.build_done()
    generator.context[CONTEXT_KEY] = list(threads.values())
    generator.context[COUNTS_HEAD_KEY] = counts_head(settings)


def output_generator(pelican: Any) -> type[CommentsOutputGenerator]:
    """Add the generator that writes the manifest and copies the widget."""
    return CommentsOutputGenerator


def register() -> None:
    """Connect the plugin to Pelican's signals."""
    signals.article_generator_finalized.connect(attach_comments)
    signals.get_generators.connect(output_generator)
