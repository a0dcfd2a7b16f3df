"""Extra output: the thread manifest `comments/threads.json` and the widget's files."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from .threads import Thread
from .widget import WIDGET_FILES, shipped

logger = logging.getLogger(__name__)

OUTPUT_FOLDER = "comments"
CONTEXT_KEY = "comments_threads"


def manifest(threads: list[Thread]) -> dict[str, Any]:
    """The body of `PUT /api/v1/threads`: every post that takes comments, open or closed."""
    entries = [thread.manifest_entry() for thread in threads if thread.mode != "off"]
    return {"threads": sorted(entries, key=lambda entry: entry["key"])}


def write_if_changed(path: Path, text: str) -> None:
    """Leave a file that already holds `text` untouched (an unchanged rebuild rewrites nothing)."""
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    path.write_bytes(data)


class CommentsOutputGenerator:
    """Writes the manifest and the minified widget; returned to Pelican by `get_generators`."""

    def __init__(
        self,
        context: dict[str, Any],
        settings: dict[str, Any],
        path: str,
        theme: str,
        output_path: str,
        **_: Any,
    ) -> None:
        self.context = context
        self.output_path = Path(output_path)
        cache = settings.get("CACHE_PATH")
        self.cache_folder = Path(cache) if cache else None

    def generate_output(self, writer: Any) -> None:
        """Write output/comments/threads.json and the widget files, minified."""
        folder = self.output_path / OUTPUT_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        threads: list[Thread] = self.context.get(CONTEXT_KEY, [])
        body = json.dumps(manifest(threads), indent=2, ensure_ascii=False) + "\n"
        write_if_changed(folder / "threads.json", body)
        for name in WIDGET_FILES:
            write_if_changed(folder / name, shipped(name, self.cache_folder))
        logger.info("Wrote the comments manifest (%d threads) and widget", len(threads))
