"""Site search without a server: Pagefind indexes the built site as the build's last step.

Enable with `PLUGINS = [..., "search"]`. The theme marks what is indexed: a published post's
`<article data-pagefind-body>` (so drafts, lists and comments are not), its category and
authors as filters and its date and category as result details. `search.html` and the theme's
`search.js` load Pagefind's search library from the bundle written to `output/pagefind/` once a
reader types, and show the results in the theme's own markup.

`SEARCH_INDEX_CHUNK_POSITIONS` (default 3,000; 0 keeps Pagefind's own 20,000) sets how many
word positions each chunk of the index holds (see `chunks.py`): smaller chunks mean a search
fetches less beyond the words it looks up.
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path
from typing import Any

from pagefind_bin import get_executable
from pelican import signals

from .chunks import split_chunks

__all__ = ["BUNDLE_FOLDER", "index_site", "register"]

logger = logging.getLogger(__name__)

BUNDLE_FOLDER = "pagefind"
DEFAULT_CHUNK_POSITIONS = 3000


def index_site(output: Path, chunk_positions: int = DEFAULT_CHUNK_POSITIONS) -> None:
    """Write the search index of the built site in `output` to `output/pagefind/`."""
    command = [str(get_executable()), "--site", str(output), "--output-subdir", BUNDLE_FOLDER]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        logger.error(
            "Pagefind could not index %s (exit %s): %s",
            output,
            result.returncode,
            (result.stderr or result.stdout).strip(),
        )
        return
    indexed = [line.strip() for line in result.stdout.splitlines() if "Indexed" in line]
    logger.info("Search index written to %s: %s", output / BUNDLE_FOLDER, "; ".join(indexed))
    if chunk_positions:
        split_chunks(output / BUNDLE_FOLDER, chunk_positions)


def index_after_build(pelican: Any) -> None:
    """The build is finished (every generator has written): index what it wrote."""
    chunk_positions = int(
        pelican.settings.get("SEARCH_INDEX_CHUNK_POSITIONS", DEFAULT_CHUNK_POSITIONS)
    )
    index_site(Path(pelican.output_path), chunk_positions)


def register() -> None:
    """Connect the plugin to Pelican's signals."""
    signals.finalized.connect(index_after_build)
