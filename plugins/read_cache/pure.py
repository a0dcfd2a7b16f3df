"""Two of Pelican's functions whose answers depend only on what they are given, remembered.

Pelican works out a post's path relative to the content folder
(`Content.get_relative_source_path`) each time it formats one of the post's addresses: some
ten times a post in every build, two `abspath` and a `relpath` each time. It slugifies a tag's,
category's or author's name (`slugify`: strip tags, normalise, transliterate, substitute) each
time it makes one and each time two of them are compared. Together that was about a tenth of
a rebuild at 1,000 posts.

Both are remembered here by their arguments while a build runs, and the answers kept for the
next build in the same process (the live preview's). What Pelican does with the answers is
unchanged, so the output is too.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import pelican.contents
import pelican.urlwrappers
import pelican.utils

__all__ = ["install", "uninstall"]

# Answers kept across builds, at most this many of each (then they start again).
KEPT = 100_000

_relative_paths: dict[tuple[str, str, str], str | None] = {}
_slugs: dict[tuple[str, tuple[tuple[str, str], ...], bool, bool], str] = {}
_original_relative_path: Any = None
_original_slugify: Any = None


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


def _slugify(
    value: str,
    regex_subs: Iterable[tuple[str, str]] = (),
    preserve_case: bool = False,
    use_unicode: bool = False,
) -> str:
    substitutions = tuple((source, target) for source, target in regex_subs)
    key = (str(value), substitutions, bool(preserve_case), bool(use_unicode))
    found = _slugs.get(key)
    if found is None:
        if len(_slugs) >= KEPT:
            _slugs.clear()
        found = _slugs[key] = _original_slugify(value, substitutions, preserve_case, use_unicode)
    return found


def install() -> None:
    """From now on Pelican's contents and tags use the remembering versions."""
    global _original_relative_path, _original_slugify
    if _original_relative_path is None:
        _original_relative_path = pelican.contents.Content.get_relative_source_path
        pelican.contents.Content.get_relative_source_path = _relative_source_path
    if _original_slugify is None:
        _original_slugify = pelican.utils.slugify
        pelican.contents.slugify = _slugify
        pelican.urlwrappers.slugify = _slugify


def uninstall() -> None:
    """Pelican's own functions again (what was remembered is kept for the next build)."""
    global _original_relative_path, _original_slugify
    if _original_relative_path is not None:
        pelican.contents.Content.get_relative_source_path = _original_relative_path
        _original_relative_path = None
    if _original_slugify is not None:
        pelican.contents.slugify = _original_slugify
        pelican.urlwrappers.slugify = _original_slugify
        _original_slugify = None
