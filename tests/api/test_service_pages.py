"""A person who opens the service's own address, or mistypes one, gets a page with a way on."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.harness import BLOG, Service

pytestmark = pytest.mark.anyio

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """The pages do not depend on the database: SQLite only."""
    return f"sqlite:///{tmp_path / 'comments.sqlite3'}"


def links(html: str) -> dict[str, str]:
    main = BeautifulSoup(html, "lxml").main
    return {a.get_text(" ", strip=True): a["href"] for a in main.find_all("a")}


async def test_the_services_address_says_what_it_is_and_links_on(service: Service) -> None:
    response = await service.client.get("/", headers=BROWSER)
    assert response.status_code == 200
    page = BeautifulSoup(response.text, "lxml")
    assert page.h1.get_text() == "Comments service of Improvement Network Blog"
    assert links(response.text) == {
        "Improvement Network Blog: the blog": BLOG,
        "The moderation queue": "/moderation",
        "The API's reference": "/docs",
    }
    contract = (await service.client.get("/openapi.json")).json()
    assert "/" not in contract["paths"]


async def test_a_mistyped_moderation_address_is_a_page_back_to_the_queue(service: Service) -> None:
    response = await service.client.get("/moderation/queu", headers=BROWSER)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "no-store" in response.headers["cache-control"]
    page = BeautifulSoup(response.text, "lxml")
    assert page.h1.get_text() == "There is no page at this address"
    assert links(response.text)["The moderation queue"] == "/moderation"


@pytest.mark.parametrize(
    ("path", "headers"),
    [("/api/v1/no-such-route", BROWSER), ("/no-such-page", {"Accept": "application/json"})],
)
async def test_the_api_and_programs_still_get_the_json_error(
    service: Service,
    path: str,
    headers: dict[str, str],
) -> None:
    response = await service.client.get(path, headers=headers)
    assert response.status_code == 404
    assert response.json()["detail"] == "Nothing here: check the address against /docs."
