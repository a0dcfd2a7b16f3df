"""What a reader's search fetches, on a site of 1,000 generated posts (goal: ≤ 100 KB).

    .venv/bin/python bench/search.py                 # 1,000 posts, three queries
    .venv/bin/python bench/search.py --posts 200 --query huddle

It generates the posts with bench/build.py's seeded generator, builds them with our theme,
plugins and settings (so the search plugin writes the Pagefind index), serves the output on a
loopback port and, in Chromium, types each query into the search page like a reader. It
counts every byte the page fetched from /pagefind/ once the results showed, split into
Pagefind's library (its script, worker and WebAssembly: the same for every query, cached after
the first query) and the index itself (metadata, index chunks, filters, the five results'
fragments), as served here
(uncompressed) and gzipped (as a static host would send the uncompressed ones). The
baseline, measured in the same run: the bytes of the search page and the site's stylesheet.
Bytes, not time, so the figures do not depend on the machine's load.

`--sweep` also looks up every word of the generator's vocabulary and 30 seeded pairs of them
through Pagefind's library (no typing), once with the index as Pagefind cuts it and once as the
search plugin cuts it (SEARCH_INDEX_CHUNK_POSITIONS), and prints the median and largest index
bytes of each.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import random
import shutil
import statistics
import sys
import tempfile
import threading
from collections import defaultdict
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.build import WORDS, generate_content, settings_for  # noqa: E402
from plugins.search import DEFAULT_CHUNK_POSITIONS, index_site  # noqa: E402

GOAL_BYTES = 100_000
VERBOSE = False
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic"]


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def gzipped(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=9, mtime=0))


def kind(path: str) -> str:
    """Pagefind's library (the same for every query) or the index (depends on the query)."""
    name = path.rsplit("/", 1)[1]
    if name.endswith((".js", ".css")) or name.startswith("wasm."):
        return "library"
    return "index"


def measure(siteurl: str, queries: list[str]) -> dict[str, dict[str, tuple[int, int, int]]]:
    """Per query: {kind: (files, bytes as served, bytes gzipped)}, each query in a fresh page."""
    from playwright.sync_api import expect, sync_playwright

    results: dict[str, dict[str, tuple[int, int, int]]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for query in ["(page)"] + queries:
            context = browser.new_context()
            page = context.new_page()
            fetched: list[Any] = []
            page.on("requestfinished", lambda request, seen=fetched: seen.append(request))
            page.goto(f"{siteurl}/search.html", wait_until="networkidle")
            if query != "(page)":
                fetched.clear()
                box = page.get_by_role("searchbox", name="Search the posts")
                box.click()
                box.press_sequentially(query, delay=30)
                expect(page.get_by_role("status")).to_contain_text(f"for {query}")
                page.wait_for_load_state("networkidle")
            totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
            for request in fetched:
                path = urlsplit(request.url).path
                body = request.response().body()
                group = kind(path) if path.startswith("/pagefind/") else "page"
                served = len(body)
                packed = (
                    served
                    if path.endswith((".pf_index", ".pf_fragment", ".pf_filter", ".pf_meta"))
                    else gzipped(body)
                )
                if VERBOSE and query != "(page)":
                    print(f"  {query:<16} {path:<60} {served:>8} {packed:>8}")
                for position, value in enumerate((1, served, packed)):
                    totals[group][position] += value
            results[query] = {group: (t[0], t[1], t[2]) for group, t in totals.items()}
            context.close()
        browser.close()
    return results


INDEX_SUFFIXES = (".pf_index", ".pf_fragment", ".pf_filter", ".pf_meta")
LOOK_UP = """async (query) => {
  const pagefind = await import("/pagefind/pagefind.js");
  await pagefind.init();
  await pagefind.filters();
  const search = await pagefind.search(query);
  await Promise.all(search.results.slice(0, 5).map((result) => result.data()));
}"""


def sweep(siteurl: str, queries: list[str]) -> dict[str, int]:
    """Index bytes each query fetches through Pagefind's library, each in a fresh context."""
    from playwright.sync_api import sync_playwright

    fetched_bytes: dict[str, int] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for query in queries:
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"{siteurl}/archives.html")
            seen: list[Any] = []
            page.on("requestfinished", lambda request, seen=seen: seen.append(request))
            page.evaluate(LOOK_UP, query)
            page.wait_for_load_state("networkidle")
            fetched_bytes[query] = sum(
                len(request.response().body())
                for request in seen
                if urlsplit(request.url).path.endswith(INDEX_SUFFIXES)
            )
            context.close()
        browser.close()
    return fetched_bytes


def print_sweep(label: str, fetched_bytes: dict[str, int]) -> None:
    one = [size for query, size in fetched_bytes.items() if " " not in query]
    two = [size for query, size in fetched_bytes.items() if " " in query]
    over = sum(size > GOAL_BYTES for size in fetched_bytes.values())
    print(
        f"{label:<34} one word: median {statistics.median(one) / 1000:5.1f} KB, "
        f"largest {max(one) / 1000:5.1f}; two words: median {statistics.median(two) / 1000:5.1f},"
        f" largest {max(two) / 1000:5.1f}; over 100 KB: {over} of {len(fetched_bytes)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--query", action="append", help="a query to type (repeatable)")
    parser.add_argument("--files", action="store_true", help="list every file a query fetched")
    parser.add_argument(
        "--sweep", action="store_true", help="every vocabulary word and 30 pairs, both chunkings"
    )
    arguments = parser.parse_args()
    global VERBOSE
    VERBOSE = arguments.files
    queries = arguments.query or ["huddle", "discharge flow", "pharmacy"]

    from pelican import Pelican

    words: list[str] = []
    ours: dict[str, int] = {}
    pagefinds: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="bench-search-") as folder:
        content, output = Path(folder) / "content", Path(folder) / "output"
        generate_content(content, arguments.posts, arguments.seed)
        output.mkdir()
        server = ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(output))
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        siteurl = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            settings = settings_for("ours", content, output, None) | {"SITEURL": siteurl}
            Pelican(settings).run()
            bundle = output / "pagefind"
            files = [path for path in bundle.rglob("*") if path.is_file()]
            print(
                f"{arguments.posts} posts; index on disk: {len(files)} files, "
                f"{sum(p.stat().st_size for p in files) / 1024:.0f} KiB"
            )
            results = measure(siteurl, queries)
            if arguments.sweep:
                rng = random.Random(arguments.seed)
                words = [*WORDS, *(" ".join(rng.sample(WORDS, 2)) for _ in range(30))]
                ours = sweep(siteurl, words)
                shutil.rmtree(bundle)
                index_site(output, chunk_positions=0)
                pagefinds = sweep(siteurl, words)
        finally:
            server.shutdown()
            server.server_close()

    page = results.pop("(page)")
    baseline = sum(value[2] for value in page.values())
    print(
        f"search page before typing (baseline): {baseline / 1000:.1f} KB gzipped "
        f"({', '.join(f'{g}: {v[0]} files {v[2] / 1000:.1f} KB' for g, v in page.items())})"
    )
    print(
        f"{'query':<16} {'index files':>11} {'index KB':>9} {'library KB':>13} "
        f"{'total KB gz':>11} {'vs page':>8}  goal ≤ 100 KB (index / first query in all)"
    )
    for query, groups in results.items():
        index = groups.get("index", (0, 0, 0))
        library = groups.get("library", (0, 0, 0))
        total = index[2] + library[2]
        verdicts = ["ok" if size <= GOAL_BYTES else "over" for size in (index[2], total)]
        print(
            f"{query:<16} {index[0]:>11} {index[2] / 1000:>9.1f} {library[2] / 1000:>13.1f} "
            f"{total / 1000:>11.1f} {total / baseline:>8.2f}  {' / '.join(verdicts)}"
        )

    if arguments.sweep:
        print(f"\nPagefind's library looking up {len(words)} queries (index bytes, not typed):")
        print_sweep("chunks as Pagefind cuts them", pagefinds)
        print_sweep(f"chunks of ~{DEFAULT_CHUNK_POSITIONS:,} positions (ours)", ours)


if __name__ == "__main__":
    main()
