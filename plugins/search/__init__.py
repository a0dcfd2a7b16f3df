"""Site search without a server: Pagefind indexes the built site as the build's last step.

Enable with `PLUGINS = [..., "search"]`. The theme marks what is indexed: a published post's
`<article data-pagefind-body>` (so drafts, lists and comments are not), its category and
authors as filters and its date and category as result details. `search.html` and the theme's
`search.js` load Pagefind's search library from the bundle written to `output/pagefind/` once a
reader types, and show the results in the theme's own markup.

A build that empties the output first (`DELETE_OUTPUT_DIRECTORY`, as publishconf.py builds)
writes every page, so Pagefind starts as soon as the last post's page is written and indexes
while Pelican writes the lists, tags and static files; the build waits for it at the end.

A build whose HTML files are the same as when the index was written (same names, sizes and
modification times, as an incremental rebuild leaves them) keeps the index as it is.
`SEARCH_INDEX_IN_BACKGROUND = True` (what `invoke livereload` sets) writes the index in a
process of its own once the pages are written, so the new pages are served at once, the next
build does not share a core with it, and search catches up a moment later. A new build that
starts writing while an indexing still runs stops it (its index would be of pages about to
change) and indexes again when it ends.

`SEARCH_INDEX_CHUNK_POSITIONS` (default 3,000; 0 keeps Pagefind's own 20,000) sets how many
word positions each chunk of the index holds (see `chunks.py`): smaller chunks mean a search
fetches less beyond the words it looks up.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import signal
import subprocess
import sys
from contextlib import suppress
from pathlib import Path
from typing import Any

from pagefind_bin import get_executable
from pelican import signals

from .chunks import split_chunks

__all__ = ["BUNDLE_FOLDER", "index_site", "register"]

logger = logging.getLogger(__name__)

BUNDLE_FOLDER = "pagefind"
DEFAULT_CHUNK_POSITIONS = 3000


def _pagefind(output: Path) -> list[str]:
    return [str(get_executable()), "--site", str(output), "--output-subdir", BUNDLE_FOLDER]


def index_site(output: Path, chunk_positions: int = DEFAULT_CHUNK_POSITIONS) -> bool:
    """Write the search index of the built site in `output` to `output/pagefind/`."""
    result = subprocess.run(_pagefind(output), capture_output=True, text=True, timeout=600)
    return _indexed(result.returncode, result.stdout, result.stderr, output, chunk_positions)


def _indexed(code: int, stdout: str, stderr: str, output: Path, chunk_positions: int) -> bool:
    """Report what Pagefind did, and cut its index into smaller chunks."""
    if code != 0:
        logger.error(
            "Pagefind could not index %s (exit %s): %s", output, code, (stderr or stdout).strip()
        )
        return False
    indexed = [line.strip() for line in stdout.splitlines() if "Indexed" in line]
    logger.info("Search index written to %s: %s", output / BUNDLE_FOLDER, "; ".join(indexed))
    if chunk_positions:
        split_chunks(output / BUNDLE_FOLDER, chunk_positions)
    return True


STATE_FILE = "search-index.txt"
_indexing: subprocess.Popen[bytes] | None = None


def pages_fingerprint(output: Path, chunk_positions: int) -> str:
    """Names, sizes and modification times of the HTML files, and of the index's entry file."""
    digest = hashlib.sha256(f"{chunk_positions}".encode())
    bundle = output / BUNDLE_FOLDER
    for path in sorted(output.rglob("*.html")):
        if bundle not in path.parents:
            stat = path.stat()
            digest.update(f"{path.relative_to(output)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    entry = bundle / "pagefind-entry.json"
    digest.update(f"{entry.stat().st_mtime_ns if entry.exists() else 'none'}".encode())
    return digest.hexdigest()


def _index_if_changed(output: Path, chunk_positions: int, state: Path) -> None:
    before = pages_fingerprint(output, chunk_positions)
    if state.exists() and state.read_text() == before:
        logger.info("Search index kept: no HTML file changed since it was written")
        return
    if index_site(output, chunk_positions):  # a failed index is tried again next build
        state.parent.mkdir(parents=True, exist_ok=True)
        state.write_text(pages_fingerprint(output, chunk_positions))


def wait_for_index() -> None:
    """Return once a background indexing (SEARCH_INDEX_IN_BACKGROUND) has finished."""
    if _indexing is not None:
        _indexing.wait()


def stop_indexing() -> None:
    """Stop a background indexing still running, Pagefind with it; its index is not kept."""
    global _indexing
    if _indexing is not None and _indexing.poll() is None:
        with suppress(ProcessLookupError):  # its session: the indexing and Pagefind
            os.killpg(_indexing.pid, signal.SIGKILL)
        _indexing.wait()
        logger.info("Search index of the previous build stopped: the pages change again")
    _indexing = None


def index_after_build(pelican: Any) -> None:
    """The build is finished (every generator has written): index what it wrote."""
    global _indexing
    chunk_positions = int(
        pelican.settings.get("SEARCH_INDEX_CHUNK_POSITIONS", DEFAULT_CHUNK_POSITIONS)
    )
    state = Path(pelican.settings.get("CACHE_PATH") or "cache") / STATE_FILE
    output = Path(pelican.output_path)
    if not pelican.settings.get("SEARCH_INDEX_IN_BACKGROUND", False):
        if not _index_started_early(output, chunk_positions, state):
            _index_if_changed(output, chunk_positions, state)
        return
    stop_indexing()
    # A program of its own (python -m search), in a session of its own so that stopping it
    # stops Pagefind too; it inherits none of the build's threads, locks or sockets.
    plugins_folder = str(Path(__file__).resolve().parent.parent)
    path = os.pathsep.join(filter(None, [plugins_folder, os.environ.get("PYTHONPATH")]))
    arguments = [str(output.resolve()), str(chunk_positions), str(state.resolve())]
    _indexing = subprocess.Popen(
        [sys.executable, "-m", Path(__file__).resolve().parent.name, *arguments],
        env={**os.environ, "PYTHONPATH": path},
        start_new_session=True,
    )
    atexit.unregister(stop_indexing)  # once, however many builds: a preview that ends
    atexit.register(stop_indexing)  # leaves no indexing behind


# A build that emptied the output first writes every page: Pagefind starts as soon as the last
# post's page is written (only those pages are indexed), while the lists and tags are written.
_posts_to_write: set[str] = set()
_early_output: Path | None = None
_early: subprocess.Popen[str] | None = None


def before_writing(generators: Any) -> None:
    """A new build writes pages: an indexing of the previous one would be out of date."""
    global _early, _early_output
    stop_indexing()
    _stop(_early)
    _early = None
    _posts_to_write.clear()
    articles = next((g for g in generators if hasattr(g, "articles")), None)
    settings = articles.settings if articles is not None else {}
    if (
        articles is None
        or not settings.get("DELETE_OUTPUT_DIRECTORY")
        or settings.get("SEARCH_INDEX_IN_BACKGROUND", False)
    ):
        return
    _early_output = Path(articles.output_path)
    _posts_to_write.update(
        os.path.normpath(os.path.join(articles.output_path, post.save_as))
        for post in [*articles.translations, *articles.articles]
        if post.save_as
    )


def _page_written(path: str, context: Any = None) -> None:
    """Pelican wrote a file: once it was the last post's page, Pagefind starts."""
    global _early
    if not _posts_to_write:
        return
    _posts_to_write.discard(os.path.normpath(path))
    if not _posts_to_write and _early_output is not None:
        _early = subprocess.Popen(
            _pagefind(_early_output), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        logger.debug("Search index: Pagefind started, every post's page is written")


def _stop(process: subprocess.Popen[str] | None) -> None:
    if process is not None and process.poll() is None:
        process.kill()
        process.communicate()


def _index_started_early(output: Path, chunk_positions: int, state: Path) -> bool:
    """Finish the indexing `_page_written` started; False when none was started."""
    global _early
    process, _early = _early, None
    _posts_to_write.clear()
    if process is None:
        return False
    try:
        stdout, stderr = process.communicate(timeout=600)
    except subprocess.TimeoutExpired:
        _stop(process)
        stdout, stderr = "", "timed out after 600 s"
    if _indexed(process.returncode, stdout, stderr, output, chunk_positions):
        state.parent.mkdir(parents=True, exist_ok=True)
        state.write_text(pages_fingerprint(output, chunk_positions))
    return True


def register() -> None:
    """Connect the plugin to Pelican's signals."""
    signals.all_generators_finalized.connect(before_writing)
    signals.content_written.connect(_page_written)
    signals.finalized.connect(index_after_build)
