"""The API's own pages (sign-in, errors, e-mailed links, moderation) are the blog's pages.

Each names the blog (COMMENTS_SITE_NAME) in its header, linking back to it, and shows the
blog's icon, instead of a bare "Comments" that could be anybody's.
"""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from comments_api import Settings
from tests.api.html_pages import every_html_page, pages_behind_real_links
from tests.harness import BLOG, Desk, Service, ServiceFactory
from tests.helpers import ROOT

pytestmark = pytest.mark.anyio

# FastAPI's own pages for the contract, which are not the blog's.
CONTRACT_PAGES = ("/docs", "/redoc")


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """The pages do not depend on the database: SQLite only."""
    return f"sqlite:///{tmp_path / 'comments.sqlite3'}"


def header_problems(route: str, html: str, name: str) -> list[str]:
    page = BeautifulSoup(html, "lxml")
    problems = []
    home = page.select_one("header.site a")
    if home is None or home.get_text(strip=True) != name or home["href"] != f"{BLOG}/":
        problems.append(f"the header's first link is {home}, not {name!r} to {BLOG}/")
    icon = page.find("link", rel="icon")
    if icon is None or icon["href"] != "/favicon.svg":
        problems.append(f"the icon is {icon}")
    title = page.title.get_text() if page.title else ""
    if not title.endswith(f" – {name}"):
        problems.append(f"the title {title!r} does not name the blog")
    return [f"{route}: {problem}" for problem in problems]


async def test_every_page_names_the_blog_links_to_it_and_shows_its_icon(desk: Desk) -> None:
    comment = await desk.guest_comment()
    pages = [
        *await every_html_page(desk.service.app, desk.moderator, desk.csrf, comment),
        *await pages_behind_real_links(desk.service, comment),
    ]
    ours = [page for page in pages if not page.route.split()[1].startswith(CONTRACT_PAGES)]
    assert len(ours) > 10
    problems = [
        problem
        for page in ours
        for problem in header_problems(page.route, page.response.text, "Improvement Network Blog")
    ]
    assert problems == [], "\n".join(problems)


async def test_the_blog_name_is_a_setting(make_service: ServiceFactory) -> None:
    renamed = await make_service(site_name="Ward Notes")
    page = await renamed.client.get("/auth/sign-in")
    assert header_problems("GET /auth/sign-in", page.text, "Ward Notes") == []


def test_the_default_name_is_the_blogs_sitename() -> None:
    site = runpy.run_path(str(ROOT / "pelicanconf.py"))
    assert Settings().site_name == site["SITENAME"]


async def test_the_icon_is_the_themes(service: Service) -> None:
    response = await service.client.get("/favicon.svg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.content == (ROOT / "theme" / "static" / "favicon.svg").read_bytes()
