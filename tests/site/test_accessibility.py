"""axe-core finds no WCAG 2.2 A/AA violations in Chromium, in light and dark mode."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.helpers import axe_violations, describe_violations
from tests.site.building import BuiltSite, published_posts

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PAGES = {
    "home": "",
    "article": "{first_post}",
    "not found": "404.html",
    "search": "search.html",
}


@pytest.fixture(params=["light", "dark"])
def color_scheme(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def page(browser: Any, color_scheme: str) -> Iterator[Any]:
    context = browser.new_context(color_scheme=color_scheme, reduced_motion="reduce")
    try:
        yield context.new_page()
    finally:
        context.close()


def page_url(site: BuiltSite, name: str) -> str:
    first_post = site.settings["ARTICLE_URL"].format(slug=published_posts()[0].slug)
    return site.url(PAGES[name].format(first_post=first_post))


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_has_no_accessibility_violations(site: BuiltSite, page: Any, name: str) -> None:
    failed_requests: list[str] = []

    def record_failure(response: Any) -> None:
        if urlsplit(response.url).netloc == site.host and response.status >= 400:
            failed_requests.append(f"{response.status} {response.url}")

    page.on("response", record_failure)
    response = page.goto(page_url(site, name), wait_until="load")
    assert response is not None and response.ok
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    assert failed_requests == [], "the page requests missing files (favicon?)"


def test_search_results_and_filters_have_no_accessibility_violations(
    site: BuiltSite, page: Any
) -> None:
    page.goto(site.url("search.html"))
    box = page.get_by_role("searchbox", name="Search the posts")
    box.click()
    box.press_sequentially("measurement", delay=20)
    box.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("for measurement")
    page.get_by_text("Narrow by category or author").click()
    expect(page.get_by_role("group", name="Category")).to_be_visible()
    expect(page.locator(".search-result mark").first).to_be_visible()
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)


def test_dark_mode_changes_the_colours(site: BuiltSite, browser: Any) -> None:
    backgrounds = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        try:
            page = context.new_page()
            page.goto(site.url(""))
            backgrounds[scheme] = page.evaluate("getComputedStyle(document.body).backgroundColor")
        finally:
            context.close()
    assert backgrounds["light"] != backgrounds["dark"]


def test_the_layout_fits_a_320_pixel_screen(site: BuiltSite, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        for name in sorted(PAGES):
            page.goto(page_url(site, name))
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"the {name} page scrolls sideways at 320 px"
    finally:
        context.close()


def test_the_skip_link_is_the_first_thing_the_keyboard_reaches(
    site: BuiltSite, browser: Any
) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(site.url(""))
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "[document.activeElement.textContent, document.activeElement.getAttribute('href')]"
        )
        assert focused == ["Skip to content", "#content"]
        assert page.evaluate("document.activeElement.getBoundingClientRect().top >= 0")
    finally:
        context.close()


def article_page(browser: Any, site: BuiltSite, slug: str, width: int) -> Any:
    context = browser.new_context(viewport={"width": width, "height": 740}, reduced_motion="reduce")
    page = context.new_page()
    page.goto(site.url(site.settings["ARTICLE_URL"].format(slug=slug)))
    return page


def test_a_wide_table_scrolls_in_a_labelled_region_the_keyboard_reaches(
    site: BuiltSite, browser: Any
) -> None:
    page = article_page(browser, site, "measuring-what-matters-to-patients", 360)
    try:
        region = page.get_by_role("region", name="Table 1, scrolls sideways")
        expect(region).to_have_count(1)
        expect(region.locator("table")).to_have_count(1)
        assert region.evaluate("box => box.scrollWidth > box.clientWidth"), "it does scroll"
        assert "gradient" in region.evaluate("box => getComputedStyle(box).backgroundImage"), (
            "a shadow at the cut edge shows there is more"
        )
        for _ in range(40):
            page.keyboard.press("Tab")
            if region.evaluate("box => box === document.activeElement"):
                break
        expect(region).to_be_focused()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("box => box.scrollLeft > 0", arg=region.element_handle())
    finally:
        page.context.close()


def test_definition_list_terms_stand_out_from_their_definitions(
    site: BuiltSite, browser: Any
) -> None:
    page = article_page(browser, site, "measuring-what-matters-to-patients", 1280)
    try:
        term = page.locator(".post-body dt").first
        definition = page.locator(".post-body dd").first
        weights = [
            int(e.evaluate("e => getComputedStyle(e).fontWeight")) for e in (term, definition)
        ]
        assert weights[0] >= 600 > weights[1], weights
        indents = [e.evaluate("e => e.getBoundingClientRect().left") for e in (term, definition)]
        assert indents[1] > indents[0], "definitions sit under their term"
    finally:
        page.context.close()
