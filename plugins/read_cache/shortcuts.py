"""Shortcuts through work Pelican repeats, none of which changes what it answers.

Pelican works out a post's path relative to the content folder
(`Content.get_relative_source_path`) each time it formats one of the post's addresses: some
ten times a post in every build, two `abspath` and a `relpath` each time. It slugifies a tag's,
category's or author's name (`slugify`: strip tags, normalise, transliterate, substitute) each
time it makes one and each time two of them are compared. Both answers depend only on the
arguments: they are remembered by them while a build runs, and kept for the next build in the
same process (the live preview's).

Each time it hands a post's body to a page or a feed (`_update_content`), and once for its
static files (`get_static_links`), Pelican scans the whole body for links to other content
(`{filename}posts/other.md`). With Pelican's own pattern for them (`INTRASITE_LINK_REGEX`),
every such link starts with `{` or `|`: a body with neither is returned as it is, and has no
static links, without the scan.

Together that was about a sixth of a rebuild at 1,000 posts. What Pelican does with the answers
is unchanged, so the output is too.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from typing import Any

import pelican.contents
import pelican.urlwrappers
import pelican.utils
from pelican.contents import Content
from pelican.settings import DEFAULT_CONFIG

__all__ = ["install", "uninstall"]

# Answers kept across builds, at most this many of each (then they start again).
KEPT = 100_000
# Every link this pattern finds starts with one of these characters.
DEFAULT_LINK_PATTERN = DEFAULT_CONFIG["INTRASITE_LINK_REGEX"]
LINK_STARTS = ("{", "|")

# Pelican's own, which the shortcuts fall back on (pelican.utils keeps its slugify).
_original_relative_path = Content.get_relative_source_path
_original_slugify = pelican.utils.slugify
_original_update_content = Content._update_content
_original_static_links = Content.get_static_links
_relative_paths: dict[tuple[str, str, str], str | None] = {}


def _relative_source_path(self: Any, source_path: str | None = None) -> str | None:
    source = source_path or self.source_path
    if source is None:
        return None
    root = self.settings["PATH"]
    # abspath makes a relative path absolute from the working folder.
    here = "" if os.path.isabs(source) and os.path.isabs(root) else os.getcwd()
    key = (source, root, here)
    found = _relative_paths.get(key, _relative_paths)
    if found is _relative_paths:
        if len(_relative_paths) >= KEPT:
            _relative_paths.clear()
        found = _relative_paths[key] = _original_relative_path(self, source)
    return found  # type: ignore[return-value]


@functools.lru_cache(maxsize=KEPT)
def _slug(value: str, substitutions: tuple[tuple[str, str], ...], case: bool, unicode: bool) -> str:
    return _original_slugify(value, substitutions, case, unicode)  # type: ignore[no-any-return]


def _slugify(
    value: str,
    regex_subs: Iterable[tuple[str, str]] = (),
    preserve_case: bool = False,
    use_unicode: bool = False,
) -> str:
    substitutions = tuple((source, target) for source, target in regex_subs)
    return _slug(str(value), substitutions, bool(preserve_case), bool(use_unicode))


def _without_links(content: Any, settings: dict[str, Any]) -> bool:
    """Whether Pelican's scan for links to other content would find none in `content`."""
    return (
        isinstance(content, str)
        and settings.get("INTRASITE_LINK_REGEX") == DEFAULT_LINK_PATTERN
        and not any(start in content for start in LINK_STARTS)
    )


def _update_content(self: Any, content: str, siteurl: str) -> str:
    if content and _without_links(content, self.settings):
        return content
    return _original_update_content(self, content, siteurl)  # type: ignore[no-any-return]


def _get_static_links(self: Any) -> set[str]:
    if _without_links(self._content, self.settings):
        return set()
    return _original_static_links(self)  # type: ignore[no-any-return]


# Where each shortcut stands in for Pelican's function while a build runs.
_SHORTCUTS = (
    (Content, "get_relative_source_path", _relative_source_path, _original_relative_path),
    (pelican.contents, "slugify", _slugify, _original_slugify),
    (pelican.urlwrappers, "slugify", _slugify, _original_slugify),
    (Content, "_update_content", _update_content, _original_update_content),
    (Content, "get_static_links", _get_static_links, _original_static_links),
)


def install() -> None:
    """From now on Pelican's contents and tags take the shortcuts."""
    for owner, name, shortcut, _ in _SHORTCUTS:
        setattr(owner, name, shortcut)


def uninstall() -> None:
    """Pelican's own functions again (what was remembered is kept for the next build)."""
    for owner, name, _, original in _SHORTCUTS:
        setattr(owner, name, original)
