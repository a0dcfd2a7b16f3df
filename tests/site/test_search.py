"""Site search: the Pagefind index written by the build, and a reader searching in Chromium."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.site.building import BuiltSite, build_site, draft_posts, published_posts

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
