"""An article page with its comments loads at most 5 files from our host, 30 KB gzipped in all."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.site.audited import APPROVED_COMMENT, AuditedSite, audited_site

pytestmark = [pytest.mark.slow, pytest.mark.browser]

MAX_REQUESTS = 5
MAX_GZIPPED_BYTES = 30_000


def gzipped(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=9, mtime=0))


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuditedSite]:
    with audited_site(Path(tmp_path_factory.mktemp("weight"))) as site:
        yield site


def test_an_article_with_comments_loads_five_files_and_30_kb_at_most(
    audited: AuditedSite, browser: Any
) -> None:
    site = audited.site
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
        page.goto(audited.pages()["article"], wait_until="load")
        page.wait_for_load_state("networkidle")
        comments = page.locator("section#comments")
        expect(comments.get_by_text(APPROVED_COMMENT)).to_be_visible()
        expect(comments.get_by_role("heading", name="Leave a comment")).to_be_visible()
        sizes = {urlsplit(request.url).path: gzipped(request.response().body()) for request in ours}
        loaded = sorted(sizes)
        assert len(ours) <= MAX_REQUESTS, f"{len(ours)} requests to our host: {loaded}"
        assert {path.rsplit("/", 1)[1] for path in loaded} >= {
            audited.article,
            "site.css",
            "comments.js",
            "comments.css",
        }, loaded
        assert sum(sizes.values()) <= MAX_GZIPPED_BYTES, f"gzipped sizes: {sizes}"
    finally:
        context.close()
