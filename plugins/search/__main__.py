"""The background search index of `SEARCH_INDEX_IN_BACKGROUND`: `python -m search OUTPUT
CHUNK_POSITIONS STATE_FILE` indexes OUTPUT unless its HTML is as when STATE_FILE was written."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from . import _index_if_changed

if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="search: %(message)s")
    output, chunk_positions, state = sys.argv[1:4]
    _index_if_changed(Path(output), int(chunk_positions), Path(state))
