"""The widget's files as they ship: the readable sources in static/, minified by a tool."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import rcssmin
import rjsmin

STATIC = Path(__file__).parent / "static"
# comments.js and comments.css on article pages; counts.js on lists of posts.
WIDGET_FILES = ("comments.js", "comments.css", "counts.js")
MINIFIERS: dict[str, Callable[[str], str]] = {
    ".js": rjsmin.jsmin,
    ".css": rcssmin.cssmin,
}


def shipped(name: str) -> str:
    """The text of one widget file as written to the output folder."""
    source = (STATIC / name).read_text(encoding="utf-8")
    return MINIFIERS[Path(name).suffix](source).strip() + "\n"
