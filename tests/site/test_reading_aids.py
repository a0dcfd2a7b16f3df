"""Reading aids on a post: reading time, contents, heading links and related posts."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

import plugins.reading
from plugins.reading.headings import add_heading_anchors
from tests.site.building import BuiltSite, build_site

KNOWN_POST = "pdsa-cycles-in-weeks-not-months.html"

POST = """Title: {title}
Date: {date}
Slug: {slug}
Category: {category}
Tags: {tags}
Authors: Priya Raman
Summary: A post for the reading-aids test.
{extra}
{body}
"""


def words(tag: Any) -> str:
    return " ".join(tag.get_text(" ").split())


def write_post(content: Path, slug: str, **fields: str) -> None:
    values = {
        "title": slug.replace("-", " ").capitalize(),
        "date": "2024-05-01 10:00",
        "category": "Methods",
        "tags": "measurement",
        "extra": "",
        "body": "A paragraph of text.",
        **fields,
    }
    (content / "posts" / f"{slug}.md").write_text(POST.format(slug=slug, **values))


def sections(count: int, paragraph: str = "Some text.") -> str:
    return "\n\n".join(f"## Part {number}\n\n{paragraph}" for number in range(1, count + 1))


def test_the_reading_time_sits_under_the_byline(site: BuiltSite) -> None:
    header = site.soup(KNOWN_POST).find("header", class_="post-header")
    byline = header.find(class_="byline")
    reading_time = byline.find_next_sibling("p")
    assert words(reading_time) == "3 min read"


def test_a_post_with_four_sections_lists_them_in_its_contents(site: BuiltSite) -> None:
    soup = site.soup(KNOWN_POST)
    contents = soup.find("nav", attrs={"aria-labelledby": "toc-heading"})
    assert contents is not None and words(contents.find("h2")) == "Contents"
    body_headings = soup.find(class_="post-body").find_all("h2")
    assert len(body_headings) == 4
    entries = contents.find_all("a")
    assert [words(a) for a in entries] == [words(h2) for h2 in body_headings]
    assert [a["href"] for a in entries] == [f"#{h2['id']}" for h2 in body_headings]


def test_a_post_with_three_sections_has_no_contents(site: BuiltSite) -> None:
    soup = site.soup("spring-meet-up-notes.html")
    assert len(soup.find(class_="post-body").find_all("h2")) == 3
    assert soup.find("nav", class_="toc") is None


def test_every_section_heading_has_a_link_to_itself(site: BuiltSite) -> None:
    body = site.soup(KNOWN_POST).find(class_="post-body")
    for heading in body.find_all("h2"):
        anchor = heading.find_next_sibling("a")
        assert anchor is not None and anchor["href"] == f"#{heading['id']}", words(heading)
        assert words(anchor) == f"# Link to the section “{words(heading)}”"


def test_a_heading_link_adds_no_character_beyond_ascii_to_the_post() -> None:
    # Python stores a str with one character past Latin-1 at two bytes or more a character:
    # the link's quotation marks, or the apostrophe smartypants wrote, would double every post.
    content = '<p>Before.</p>\n<h2 id="what-we-didnt-do">What we didn&#8217;t do</h2>'

    anchored = add_heading_anchors(content)

    assert anchored.isascii(), anchored
    label = re.search(r'<span class="visually-hidden">([^<]*)</span>', anchored)
    assert label is not None
    assert html.unescape(label[1]) == "Link to the section \u201cWhat we didn\u2019t do\u201d"


def test_a_body_read_again_gets_its_aids_without_working_them_out_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As in a rebuild in one process: each post is read again into a new, equal string.
    body = '<h2 id="one">One</h2><p>Some words.</p><h2 id="two">Two</h2><p>More.</p>'
    first = plugins.reading.body_aids("".join(body))
    anchored = []
    monkeypatch.setattr(
        plugins.reading,
        "add_heading_anchors",
        lambda content: anchored.append(content) or add_heading_anchors(content),
    )

    again = plugins.reading.body_aids("".join([body[:10], body[10:]]))
    other = plugins.reading.body_aids(body.replace("More.", "Much more."))

    assert again == first
    assert [heading.id for heading in again[1]] == ["one", "two"]
    assert again[2] == add_heading_anchors(body)
    assert len(anchored) == 1 and "Much more." in anchored[0]
    assert other[2] != first[2]


def test_related_posts_share_tags_first_then_the_category_newest_first(site: BuiltSite) -> None:
    related = site.soup(KNOWN_POST).find("section", attrs={"aria-labelledby": "related-heading"})
    links = [a["href"].rsplit("/", 1)[1] for a in related.find_all("a")]
    assert links == [
        # two shared tags (small tests of change, measurement), though another category
        "fewer-missed-appointments-at-riverside.html",
        # one shared tag each, same category: the newer first
        "measuring-what-matters-to-patients.html",
        "run-charts-without-the-spreadsheet-dread.html",
    ]


def test_the_toc_key_turns_the_contents_on_and_off(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    write_post(content, "long-and-plain", body=sections(5))
    write_post(content, "long-without", body=sections(5), extra="Toc: off\n")
    write_post(content, "short-with", body=sections(2), extra="Toc: on\n")
    write_post(content, "short-plain", body=sections(2))
    site = build_site(tmp_path / "output", "http://127.0.0.1:9", PATH=str(content), PAGE_PATHS=[])

    def has_contents(slug: str) -> bool:
        return site.soup(f"{slug}.html").find("nav", class_="toc") is not None

    assert has_contents("long-and-plain")
    assert not has_contents("long-without")
    assert has_contents("short-with")
    assert not has_contents("short-plain")


def test_a_toc_value_that_is_neither_on_nor_off_is_named_in_a_warning(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    write_post(content, "unsure", body=sections(5), extra="Toc: maybe\n")
    site = build_site(tmp_path / "output", "http://127.0.0.1:9", PATH=str(content), PAGE_PATHS=[])
    assert any("unsure.md: Toc: 'maybe' is neither on nor off" in m for m in site.warnings), (
        site.warnings
    )


def test_reading_time_grows_with_the_length_of_the_post(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    write_post(content, "short", body="word " * 100)
    write_post(content, "long", body="word " * 1400)
    site = build_site(tmp_path / "output", "http://127.0.0.1:9", PATH=str(content), PAGE_PATHS=[])
    assert words(site.soup("short.html").find(class_="reading-time")) == "1 min read"
    assert words(site.soup("long.html").find(class_="reading-time")) == "7 min read"


def test_a_heading_named_like_the_comments_section_keeps_the_comments_link(
    tmp_path: Path,
) -> None:
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    write_post(content, "clash", body="## Comments\n\nText.\n\n## Content\n\nMore.")
    site = build_site(tmp_path / "output", "http://127.0.0.1:9", PATH=str(content), PAGE_PATHS=[])
    soup = site.soup("clash.html")
    for page_id in ("comments", "content"):
        assert len(soup.find_all(id=page_id)) == 1, page_id
    assert soup.find("section", id="comments") is not None


@pytest.mark.slow
@pytest.mark.browser
def test_a_reader_follows_a_heading_link_and_gets_its_address(
    site: BuiltSite, browser: Any
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, reduced_motion="reduce")
    try:
        page = context.new_page()
        page.goto(site.url(KNOWN_POST))
        heading = page.locator(".post-body h2").nth(2)
        link = page.get_by_role("link", name=f"Link to the section “{heading.inner_text()}”")
        link.focus()
        expect(link).to_be_visible()
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(f"#{heading.get_attribute('id')}$"))
        assert heading.evaluate("h => Math.abs(h.getBoundingClientRect().top) < 40")
    finally:
        context.close()
