"""The widget's files as they ship: the readable sources in static/, minified by a tool.

tdewolff's minifier (the one Hugo uses) also shortens local names, so the sources can use
names that explain themselves and still fit the widget's weight budget. A build with a cache
folder keeps each minified file there, named by a hash of its source and the minifier's
version, so a build whose widget did not change does not load the minifier (a Go library,
some 3 MB of memory).
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from importlib import metadata
from pathlib import Path

STATIC = Path(__file__).parent / "static"
# comments.js and comments.css on article pages; counts.js on lists of posts.
WIDGET_FILES = ("comments.js", "comments.css", "counts.js")
MEDIA_TYPES = {".js": "application/javascript", ".css": "text/css"}
# The folder under the build's cache folder that holds the minified files.
CACHE_FOLDER = "widget"


def shipped(name: str, cache_folder: Path | None = None) -> str:
    """The text of one widget file as written to the output folder."""
    source = (STATIC / name).read_text(encoding="utf-8")
    if cache_folder is None:
        return _minified(name, source)
    stem, suffix = name.rsplit(".", 1)
    key = hashlib.sha256(f"{_minifier_version()}\0{name}\0{source}".encode()).hexdigest()[:32]
    folder = cache_folder / CACHE_FOLDER
    kept = folder / f"{stem}.{key}.{suffix}"
    try:
        return kept.read_text(encoding="utf-8")
    except OSError:
        pass
    text = _minified(name, source)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".{kept.name}.{os.getpid()}"
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, kept)
        for older in folder.glob(f"{stem}.*.{suffix}"):
            if older != kept:
                older.unlink(missing_ok=True)
    except OSError:  # a read-only cache folder: minified again next build
        pass
    return text


def _minified(name: str, source: str) -> str:
    import minify

    return str(minify.string(MEDIA_TYPES[Path(name).suffix], source)).strip() + "\n"


@cache
def _minifier_version() -> str:
    try:
        return metadata.version("tdewolff-minify")
    except metadata.PackageNotFoundError:
        return ""
