"""Incremental writing: a rebuild renders only the pages whose inputs changed.

While a page renders, the plugin records what its templates read: the names of its context
(the article, the list of articles, settings), the fields of every article, page, tag,
category and author they looked at (title, summary, content, neighbours, related posts, the
comments snapshot the comments plugin attached), and whole objects handed to functions it
cannot see into. On the next build each page's reads are evaluated again; a page whose reads
all give the same digests, whose file is still the one written, under the same settings,
templates, plugins' code and libraries, is not rendered and its file is not touched. Files an
earlier build wrote and this one does not (a deleted post, a page of a shorter list, a
renamed tag) are removed, so the output matches a clean build.

With `DELETE_OUTPUT_DIRECTORY = True` Pelican empties the output before every build, so no page
could be kept: the plugin then stays out of the way (Pelican's own writer, nothing recorded).

Any Pelican site can use it: put this folder on `PLUGIN_PATHS` and add `"incremental"` to
`PLUGINS`, before plugins that read the finished output when the build ends (such as
`search`). `INCREMENTAL = False` turns it off. The records are kept in CACHE_PATH.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from pelican import signals
from pelican.contents import Content
from pelican.utils import memoized

from .digests import Unstable, object_key
from .writer import IncrementalWriter

__all__ = ["IncrementalWriter", "register"]

logger = logging.getLogger(__name__)

_writers: list[IncrementalWriter] = []


class _RunWriter(IncrementalWriter):
    def __init__(self, output_path: str, settings: dict[str, Any] | None = None) -> None:
        super().__init__(output_path, settings=settings)
        _writers[:] = [self]


def incremental_writer(pelican: Any) -> type[IncrementalWriter] | None:
    """Pelican asks for its writer once per build."""
    if not pelican.settings.get("INCREMENTAL", True):
        return None
    if pelican.settings.get("DELETE_OUTPUT_DIRECTORY"):
        logger.debug("incremental: off, the output is emptied before every build")
        return None
    return _RunWriter


def before_write(generator: Any, content: Any) -> None:
    """A plugin may change a post just before its page is written: digest it afresh."""
    if not _writers:
        return
    try:
        key = object_key(content)
    except Unstable:
        return
    if key is not None:
        _writers[0].build.forget(key)


def let_go_of_contents() -> None:
    """Pelican memoizes `Content.get_content` and `get_summary` in one dictionary per method,
    keyed by the post: one Pelican run again after each save would keep every post of every
    build (tens of MiB a save at 1,000 posts). The build has written its pages: let them go."""
    for value in vars(Content).values():
        if isinstance(value, memoized):
            value.cache.clear()


def after_build(pelican: Any) -> None:
    """Remove what no longer belongs in the output, keep the records, report."""
    let_go_of_contents()
    if not _writers:
        return
    writer = _writers.pop()
    build = writer.build
    removed = build.remove_stale_outputs()
    build.save()
    logger.info(
        "incremental: %d page(s) rendered, %d unchanged, %d stale file(s) removed%s",
        len(build.rendered),
        len(build.outputs) - len(build.rendered),
        len(removed),
        "".join(f"\n  removed {os.path.relpath(path, build.output_path)}" for path in removed),
    )


def register() -> None:
    signals.get_writer.connect(incremental_writer)
    signals.article_generator_write_article.connect(before_write)
    signals.page_generator_write_page.connect(before_write)
    signals.finalized.connect(after_build)
