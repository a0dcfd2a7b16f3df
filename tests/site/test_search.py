"""Site search: the Pagefind index written by the build, and a reader searching in Chromium."""

from __future__ import annotations

import functools
import gzip
import json
import os
import re
import shutil
import sys
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from playwright.sync_api import expect

import plugins.search as search
from plugins.search.chunks import (
    encoded,
    encoded_chunk,
    positions,
    read_file,
    read_words,
    split_chunks,
)
from tests.helpers import ROOT
from tests.site.building import (
    BuiltSite,
    QuietHandler,
    build_site,
    draft_posts,
    published_posts,
)

FRAGMENT_MAGIC = b"pagefind_dcd"


def indexed_pages(output: Path) -> list[dict[str, Any]]:
    """What Pagefind stored for each page it indexed (its fragment files, gzipped JSON)."""
    pages = []
    for fragment in sorted((output / "pagefind" / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(fragment.read_bytes())
        assert data.startswith(FRAGMENT_MAGIC), fragment.name
        pages.append(json.loads(data[len(FRAGMENT_MAGIC) :]))
    return pages


@pytest.mark.slow
def test_the_index_holds_every_published_post_and_no_draft_nor_comment(tmp_path: Path) -> None:
    site = build_site(tmp_path / "output", "http://127.0.0.1:9", DRAFT_SAVE_AS="drafts/{slug}.html")
    drafts = draft_posts()
    assert drafts and all((site.output / "drafts" / f"{d.slug}.html").exists() for d in drafts)
    pages = indexed_pages(site.output)
    assert sorted(page["url"] for page in pages) == sorted(
        f"/{post.slug}.html" for post in published_posts()
    )
    for page in pages:
        assert page["meta"]["title"] and page["meta"]["date"] and page["meta"]["category"]
        assert page["filters"]["category"] == [page["meta"]["category"]]
        assert page["filters"]["author"], page["url"]
        assert "Leave a comment" not in page["content"], f"{page['url']}: comments indexed"


@pytest.mark.slow
def test_a_build_that_empties_the_output_starts_pagefind_once_the_posts_are_written(
    tmp_path: Path,
) -> None:
    """As publishconf.py builds: Pagefind indexes while Pelican writes the lists and tags."""
    from pelican import signals

    written: list[tuple[str, bool]] = []

    def note(path: str, context: Any = None) -> None:
        plugin = sys.modules["search"]  # the plugin as Pelican loaded it, from PLUGIN_PATHS
        written.append((os.path.relpath(path, tmp_path / "output"), plugin._early is not None))

    signals.content_written.connect(note)
    try:
        site = build_site(tmp_path / "output", "http://127.0.0.1:9", DELETE_OUTPUT_DIRECTORY=True)
    finally:
        signals.content_written.disconnect(note)
    posts = {f"{post.slug}.html" for post in published_posts()}
    last_post = max(index for index, (path, _) in enumerate(written) if path in posts)
    # Pagefind starts as the last post's page is written (this test's receiver may hear of that
    # page before or after the plugin does), and runs while the rest is written.
    assert not any(running for _, running in written[:last_post])
    later = written[last_post + 1 :]
    assert later and all(running for _, running in later)
    assert any(path.startswith("tag/") for path, _ in later), "started at the end"
    pages = indexed_pages(site.output)
    assert sorted(page["url"] for page in pages) == sorted(f"/{name}" for name in posts)
    assert (tmp_path / "output-cache" / search.STATE_FILE).exists()


@pytest.mark.slow
def test_a_rebuild_indexes_again_only_when_a_page_changed(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    output = tmp_path / "output"
    build_site(output, "http://127.0.0.1:9", PATH=str(content))
    entry = output / "pagefind" / "pagefind-entry.json"
    indexed_at = entry.stat().st_mtime_ns

    build_site(output, "http://127.0.0.1:9", PATH=str(content))
    assert entry.stat().st_mtime_ns == indexed_at, "an unchanged rebuild wrote the index again"

    post = next(
        path
        for path in sorted((content / "posts").glob("*.md"))
        if "Status: draft" not in path.read_text()
    )
    post.write_text(
        re.sub(r"^Title: (.*)$", r"Title: \1 in Zanzibar", post.read_text(), count=1, flags=re.M)
    )
    build_site(output, "http://127.0.0.1:9", PATH=str(content))
    titles = [page["meta"]["title"] for page in indexed_pages(output)]
    assert [title for title in titles if title.endswith("in Zanzibar")], titles


def wait_for_child(parent: int, name: str) -> int:
    """The pid of `parent`'s child whose command line has `name`, once it runs."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == parent and name in (stat.parent / "cmdline").read_text():
                    return int(stat.parent.name)
            except (OSError, ValueError, IndexError):
                continue
        time.sleep(0.01)
    raise AssertionError(f"no {name} under process {parent}")


def group_ends(group: int, seconds: float = 10) -> bool:
    """Whether the process group is gone within `seconds` (its dead are reaped by init)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def ended_soon(pid: int, seconds: float = 10) -> bool:
    """The process `pid` has ended (gone, or a zombie) within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not Path(f"/proc/{pid}").exists() or is_zombie(pid):
            return True
        time.sleep(0.01)
    return False


@pytest.mark.slow
def test_a_new_build_stops_the_background_index_of_the_last_and_indexes_afresh(
    tmp_path: Path,
) -> None:
    """Under `invoke livereload` the index is written in a process of its own after a build;
    the next build, writing pages again, stops it rather than waiting for it."""
    output = tmp_path / "output"
    build_site(output, "http://127.0.0.1:9")
    cache = tmp_path / "cache"
    state = cache / search.STATE_FILE
    build = SimpleNamespace(
        output_path=str(output),
        settings={"SEARCH_INDEX_IN_BACKGROUND": True, "CACHE_PATH": str(cache)},
    )
    # Enough pages that Pagefind is still at work when the next build starts.
    post = output / f"{published_posts()[0].slug}.html"
    for number in range(400):
        (output / f"copy-{number}.html").write_bytes(post.read_bytes())

    search.index_after_build(build)
    indexing = search._indexing
    assert indexing is not None
    pagefind = wait_for_child(indexing.pid, "pagefind")
    search.before_writing([])  # the next build starts writing its pages
    assert indexing.poll() is not None
    # SIGKILL has been sent to Pagefind too; its exit can take a moment to finish.
    assert ended_soon(pagefind), "Pagefind still runs"
    assert group_ends(indexing.pid), "the indexing's process group outlived it"
    assert not state.exists(), "a stopped index was recorded as written"

    search.index_after_build(build)
    search.wait_for_index()
    assert search._indexing is not None and search._indexing.returncode == 0
    assert state.read_text() == search.pages_fingerprint(output, search.DEFAULT_CHUNK_POSITIONS)
    urls = {page["url"] for page in indexed_pages(output)}
    assert urls >= {f"/{post.slug}.html" for post in published_posts()} | {"/copy-399.html"}


def test_only_the_search_page_loads_pagefind_and_every_page_links_to_it(site: BuiltSite) -> None:
    for path in site.html_files():
        if path.is_relative_to(site.output / "pagefind"):
            continue
        soup = site.soup(path)
        loads = [
            tag.get("src") or tag.get("href") or "" for tag in soup.find_all(["script", "link"])
        ]
        # search.js imports Pagefind's library from the address the page gives it.
        loads += [tag["data-bundle"] for tag in soup.find_all(attrs={"data-bundle": True})]
        uses_pagefind = any("/pagefind/" in address for address in loads)
        assert uses_pagefind == (path.name == "search.html"), path.name
        nav = soup.find("nav", attrs={"aria-label": "Main"})
        assert nav.find("a", string="Search")["href"] == site.url("search.html"), path.name


@pytest.fixture
def search_page(site: BuiltSite, browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    page.goto(site.url("search.html"))
    yield page
    context.close()


def result_count(message: str) -> int:
    """The number in the search's "12 results for …" line."""
    return int(message.split()[0])


@pytest.mark.slow
@pytest.mark.browser
def test_a_reader_types_a_word_from_a_post_and_sees_it_first(search_page: Any) -> None:
    page = search_page
    expect(page.get_by_text("Search needs JavaScript")).to_be_hidden()
    box = page.get_by_role("searchbox", name="Search the posts")
    box.click()
    box.press_sequentially("huddles", delay=40)
    first = page.get_by_role("listitem").filter(has=page.get_by_role("heading")).first
    expect(first.get_by_role("heading", level=2)).to_have_text("A year of safety huddles on Ward 7")
    expect(first.locator("mark").first).to_have_text("huddles")
    expect(first).to_contain_text("21 May 2024 · Improvement stories")
    # The address now holds the search, so a reader can share or reload it.
    assert page.url.endswith("search.html?q=huddles")
    first.get_by_role("link", name="A year of safety huddles on Ward 7").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("A year of safety huddles on Ward 7")
    page.go_back()
    expect(page.get_by_role("searchbox", name="Search the posts")).to_have_value("huddles")
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^\d+ results? for huddles$"))


@pytest.mark.slow
@pytest.mark.browser
def test_a_reader_narrows_the_results_to_one_category(search_page: Any) -> None:
    page = search_page
    box = page.get_by_role("searchbox", name="Search the posts")
    box.click()
    box.press_sequentially("measurement", delay=40)
    box.press("Enter")
    message = page.get_by_role("status")
    expect(message).to_have_text(re.compile(r"^\d+ results for measurement$"))
    found_everywhere = result_count(message.inner_text())
    narrow = page.get_by_text("Narrow by category or author")
    narrow.focus()
    page.keyboard.press("Enter")
    categories = page.get_by_role("group", name="Category")
    methods = categories.get_by_label(re.compile(r"^Methods \(\d+\)$"))
    label = categories.locator("label").filter(has_text=re.compile(r"^\s*Methods \("))
    in_methods = int(re.findall(r"\((\d+)\)", label.inner_text())[0])
    methods.focus()
    page.keyboard.press("Space")
    expect(message).not_to_have_text(f"{found_everywhere} results for measurement")
    expect(message).to_have_text(re.compile(r"^\d+ results? for measurement$"))
    found_in_methods = result_count(message.inner_text())
    assert 0 < found_in_methods < found_everywhere
    # The box just ticked keeps the keyboard's place, ticked.
    focused = page.evaluate("document.activeElement.parentElement.textContent")
    assert focused.startswith("Methods ("), focused
    expect(categories.get_by_label(re.compile(r"^Methods \(\d+\)$"))).to_be_checked()
    shown = page.locator(".search-result")
    expect(shown).to_have_count(min(found_in_methods, 5))
    for index in range(shown.count()):
        expect(shown.nth(index)).to_contain_text("· Methods")
    # The count beside the filter said how many there would be.
    assert found_in_methods == in_methods


@pytest.mark.slow
@pytest.mark.browser
def test_without_javascript_the_search_page_says_so_and_links_the_archives(
    site: BuiltSite, browser: Any
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site.url("search.html"))
        message = page.get_by_text("Search needs JavaScript")
        expect(message).to_be_visible()
        message.get_by_role("link", name="archives").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Archives")
    finally:
        context.close()


def chunk_names(bundle: Path) -> set[str]:
    return {path.stem for path in (bundle / "index").glob("*.pf_index")}


def served(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


SEARCH_EVERYTHING = """async (words) => {
  const pagefind = await import("/pagefind/pagefind.js");
  await pagefind.init();
  await pagefind.filters();
  const found = {};
  for (const query of words) {
    const search = await pagefind.search(query);
    const pages = await Promise.all(search.results.map((result) => result.data()));
    found[query] = {
      // Scores are sums of 32-bit floats, which may differ in their last digits when the words
      // come from different chunks.
      results: search.results.map((result, n) => [
        pages[n].url,
        Number(result.score.toPrecision(5)),
        pages[n].excerpt,
      ]),
      filters: search.filters,
    };
  }
  return found;
}"""


@pytest.mark.parametrize("count", [0, 1, 23, 24, 255, 256, 65_536])
def test_a_chunk_written_from_its_words_encodings_is_the_chunk_pagefind_would_write(
    tmp_path: Path, count: int
) -> None:
    # Words as Pagefind's chunks hold them: text, then pages with their positions (a page with
    # over 65,535 positions and one with many pages, for every size of CBOR head).
    words = [[f"w{n:06d}", [[n % 7, list(range(n % 5 + 1))]]] for n in range(count)]
    if count:
        words[0][1] = [[page, [page * 3]] for page in range(300)]
        words[-1][1] = [[0, list(range(70_000))]]
    path = tmp_path / "chunk.pf_index"
    path.write_bytes(encoded([words]))

    kept = read_words(path)

    assert [word[0] for word in kept] == [word[0] for word in words]
    assert [word[1] for word in kept] == [positions(word) for word in words]
    assert encoded_chunk(kept) == encoded([words])


@pytest.mark.slow
@pytest.mark.browser
def test_smaller_index_chunks_find_exactly_what_pagefinds_own_chunks_find(
    tmp_path: Path, browser: Any
) -> None:
    own = build_site(tmp_path / "own", "http://127.0.0.1:9", SEARCH_INDEX_CHUNK_POSITIONS=0)
    split = tmp_path / "split"
    shutil.copytree(own.output, split)
    before = chunk_names(split / "pagefind")
    assert split_chunks(split / "pagefind", 300)
    after = chunk_names(split / "pagefind")
    assert len(after) > 3 * len(before), (len(before), len(after))
    sizes = [
        sum(
            positions(word)
            for word in read_file(split / "pagefind" / "index" / f"{name}.pf_index")[0]
        )
        for name in after
    ]
    # Between half and twice the size asked for, but the last (and a word larger on its own).
    assert sorted(sizes)[1] >= 150 and sorted(sizes)[-2] <= 600 + 300, sorted(sizes)
    # Every word of every post, prefixes, two words, a miss: the same pages, in the same order,
    # with the same scores (to five digits), excerpts and filter counts.
    words = sorted(
        {
            word.lower()
            for post in published_posts()
            for line in [post.value("title"), *post.lines[post.body_start :]]
            for word in re.findall(r"[A-Za-z]{3,}", line)
        }
    )
    queries = [*words, "hud", "mea", "act", "safety huddles", "measurement methods", "zzzqx"]
    assert len(words) > 300
    found = {}
    servers = []
    try:
        for name, folder in (("own", own.output), ("split", split)):
            server, address = served(folder)
            servers.append(server)
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"{address}/archives.html")
            found[name] = page.evaluate(SEARCH_EVERYTHING, queries)
            context.close()
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
    assert any(found["own"][query]["results"] for query in queries)
    # Pagefind looks a word up in one chunk, with the longer words that begin with it, so a word
    # that is itself the shared beginning at a cut (the words either side both start with it)
    # finds only one side's extensions. The cuts go where that beginning is shortest.
    meta = read_file(next((split / "pagefind").glob("pagefind.*.pf_meta")))
    beginnings = [chunk[1][:-1] for chunk in meta[2][:-1]]
    cut_inside = [
        query
        for query in queries
        if any(
            term and beginning.startswith(term)
            for term in query.split()
            for beginning in beginnings
        )
    ]
    assert len(cut_inside) <= len(queries) // 20, cut_inside
    for query in queries:
        if query not in cut_inside:
            assert found["split"][query] == found["own"][query], query
