"""An article page with its comments loads at most 5 files from our host, 30 KB gzipped in all."""

from __future__ import annotations

import gzip
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.site.building import BuiltSite, published_posts

pytestmark = [pytest.mark.slow, pytest.mark.browser]

MAX_REQUESTS = 5
MAX_GZIPPED_BYTES = 30_000


def gzipped(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=9, mtime=0))


def test_an_article_with_comments_loads_five_files_and_30_kb_at_most(
    site: BuiltSite, browser: Any
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        ours: list[Any] = []
        page.on(
            "requestfinished",
            lambda request: (
                ours.append(request) if urlsplit(request.url).netloc == site.host else None
            ),
        )
        slug = published_posts()[0].slug
        page.goto(site.url(site.settings["ARTICLE_URL"].format(slug=slug)), wait_until="load")
        page.wait_for_load_state("networkidle")
        assert page.locator("section#comments form").count() == 1, "the comments form is there"
        sizes = {urlsplit(request.url).path: gzipped(request.response().body()) for request in ours}
        loaded = sorted(sizes)
        assert len(ours) <= MAX_REQUESTS, f"{len(ours)} requests to our host: {loaded}"
        assert {path.rsplit("/", 1)[1] for path in loaded} >= {
            f"{slug}.html",
            "site.css",
            "comments.js",
            "comments.css",
        }, loaded
        assert sum(sizes.values()) <= MAX_GZIPPED_BYTES, f"gzipped sizes: {sizes}"
    finally:
        context.close()
