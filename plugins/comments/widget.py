"""The widget's files as they ship: the readable sources in static/, minified by a tool.

tdewolff's minifier (the one Hugo uses) also shortens local names, so the sources can use
names that explain themselves and still fit the widget's weight budget.
"""

from __future__ import annotations

from pathlib import Path

import minify

STATIC = Path(__file__).parent / "static"
# comments.js and comments.css on article pages; counts.js on lists of posts.
WIDGET_FILES = ("comments.js", "comments.css", "counts.js")
MEDIA_TYPES = {".js": "application/javascript", ".css": "text/css"}


def shipped(name: str) -> str:
    """The text of one widget file as written to the output folder."""
    source = (STATIC / name).read_text(encoding="utf-8")
    return str(minify.string(MEDIA_TYPES[Path(name).suffix], source)).strip() + "\n"
