"""Every HTML page the API serves carries the same security headers, whichever route made it.

The form-error page and the pages behind e-mailed links (approve, unsubscribe, delete my data)
carry buttons that post; framed or sniffed, they could be used against the person who opened
them. One middleware owns the headers; these tests walk every route the app has.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.html_pages import KNOWN_PAGES, Page, every_html_page, pages_behind_real_links
from tests.harness import Desk, Service

pytestmark = pytest.mark.anyio


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """Headers do not depend on the database: SQLite only."""
    return f"sqlite:///{tmp_path / 'comments.sqlite3'}"


def problems_with_headers(page: Page) -> list[str]:
    headers = page.response.headers
    policy = headers.get("content-security-policy", "")
    problems = []
    if "frame-ancestors 'none'" not in policy:
        problems.append(f"Content-Security-Policy without frame-ancestors 'none': {policy!r}")
    if "default-src 'none'" not in policy:
        problems.append(f"Content-Security-Policy without default-src 'none': {policy!r}")
    expected = {
        "x-content-type-options": {"nosniff"},
        "x-frame-options": {"DENY"},
        "referrer-policy": {"same-origin", "no-referrer"},
        "cache-control": {"no-store"},
    }
    for name, allowed in expected.items():
        if headers.get(name) not in allowed:
            problems.append(f"{name}: {headers.get(name)!r}, expected one of {sorted(allowed)}")
    return [f"{page.route} ({page.response.status_code}): {problem}" for problem in problems]


async def test_every_html_page_of_every_route_sends_the_security_headers(desk: Desk) -> None:
    comment = await desk.guest_comment()
    pages = await every_html_page(desk.service.app, desk.moderator, desk.csrf, comment)

    assert {page.route for page in pages} >= KNOWN_PAGES, "the walk missed pages it knows"
    problems = [problem for page in pages for problem in problems_with_headers(page)]
    assert problems == [], "\n".join(problems)


async def test_the_pages_behind_e_mailed_links_send_them_too(desk: Desk) -> None:
    comment = await desk.guest_comment()
    pages = await pages_behind_real_links(desk.service, comment)

    problems = [problem for page in pages for problem in problems_with_headers(page)]
    assert problems == [], "\n".join(problems)
    assert all(page.response.headers["referrer-policy"] == "no-referrer" for page in pages), (
        "a page whose address holds a token never sends it on"
    )


async def test_the_form_error_page_sends_them(service: Service) -> None:
    response = await service.client.post(
        "/api/v1/threads/first-post/comments", data={"author": "Ann", "email": "a@b", "body": ""}
    )
    assert response.status_code == 422
    assert problems_with_headers(Page("POST form error", response)) == []
