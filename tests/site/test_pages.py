"""The built site, read as a browser or a crawler would: parsed HTML, XML and text."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import Tag
from lxml import etree

from tests.site.building import BuiltSite, build_site, draft_posts, published_posts

pytestmark = pytest.mark.slow

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
TYPOGRIFY_TRACES = ("<span", 'class="caps"', 'class="amp"', "&#", "&nbsp;", "&amp;")


def post_url(site: BuiltSite, slug: str) -> str:
    return site.url(site.settings["ARTICLE_URL"].format(slug=slug))


def words(element: Tag) -> str:
    return " ".join(element.get_text().split())


def test_the_build_logs_no_warnings(site: BuiltSite) -> None:
    assert site.warnings == []


def test_every_published_post_has_a_page_and_drafts_have_none(site: BuiltSite) -> None:
    for post in published_posts():
        assert site.file_for(post_url(site, post.slug)), f"no page for {post.path.name}"
    for draft in draft_posts():
        assert not list(site.output.rglob(f"*{draft.slug}*")), f"{draft.slug} was written"


def test_drafts_are_mentioned_nowhere_in_the_output(site: BuiltSite) -> None:
    drafts = draft_posts()
    assert drafts, "the sample content should include a draft"
    for path in site.output.rglob("*"):
        if path.suffix not in {".html", ".xml", ".txt", ".json"}:
            continue
        text = path.read_text(encoding="utf-8")
        for draft in drafts:
            assert draft.slug not in text, f"{path.name} mentions the draft {draft.slug}"
            assert draft.value("title") not in text, f"{path.name} shows the draft's title"


def test_article_pages_show_their_parts_in_reading_order(site: BuiltSite) -> None:
    for post in published_posts():
        soup = site.soup(site.file_for(post_url(site, post.slug)))
        main = soup.find("main")
        label = main.select_one(".content-type")
        title = main.find("h1")
        standfirst = main.select_one(".standfirst")
        byline = main.select_one(".byline")
        time = byline.find("time")
        comments_link = main.find("a", href="#comments")
        body = main.select_one(".post-body")
        tags = main.select_one("ul.tags")
        post_nav = main.select_one("nav.post-nav")
        comments = main.find("section", id="comments")
        parts = [label, title, standfirst, byline, time, comments_link, body, tags, post_nav]
        assert all(part is not None for part in [*parts, comments]), post.path.name

        assert words(label) == "Blog post"
        assert len(soup.find_all("h1")) == 1
        assert words(title) == " ".join(post.value("title").split())
        assert words(standfirst), "the standfirst (Summary) is empty"
        datetime.fromisoformat(time["datetime"])
        for author in post.value("authors").split(","):
            assert author.strip() in words(byline)
        assert words(comments_link).startswith("Read comments (")
        assert [words(a) for a in tags.find_all("a")], "the tags are listed as links"
        assert comments.get("aria-labelledby") == "comments-heading"
        assert comments.find("h2", id="comments-heading") is not None

        order = {id(element): index for index, element in enumerate(soup.find_all(True))}
        positions = [order[id(part)] for part in [*parts, comments]]
        assert positions == sorted(positions), f"{post.path.name}: parts out of order"


def test_posts_link_to_their_neighbours_newest_first(site: BuiltSite) -> None:
    by_date = sorted(published_posts(), key=lambda post: post.value("date"), reverse=True)
    for newer, older in zip(by_date, by_date[1:], strict=False):
        newer_page = site.soup(site.file_for(post_url(site, newer.slug)))
        older_page = site.soup(site.file_for(post_url(site, older.slug)))
        assert newer_page.select_one("nav.post-nav a[rel=prev]")["href"] == post_url(
            site, older.slug
        )
        assert older_page.select_one("nav.post-nav a[rel=next]")["href"] == post_url(
            site, newer.slug
        )


def test_the_home_page_lists_every_post_newest_first(site: BuiltSite) -> None:
    soup = site.soup("index.html")
    links = [a["href"] for a in soup.select("main .entry-title a")]
    by_date = sorted(published_posts(), key=lambda post: post.value("date"), reverse=True)
    assert links == [post_url(site, post.slug) for post in by_date]


def test_every_page_has_a_skip_link_first_and_landmarks(site: BuiltSite) -> None:
    for path in site.html_files():
        soup = site.soup(path)
        assert soup.html.get("lang") == "en", path.name
        first_focusable = soup.body.find(["a", "button", "input", "select", "textarea"])
        assert words(first_focusable) == "Skip to content", path.name
        target = first_focusable["href"].lstrip("#")
        assert soup.find(id=target).name == "main", path.name
        assert len(soup.find_all("main")) == 1, path.name
        assert soup.find("header", class_="site-header") is not None, path.name
        assert soup.find("footer", class_="site-footer") is not None, path.name
        assert soup.find("nav", attrs={"aria-label": "Main"}) is not None, path.name
        assert soup.find("h1") is not None, f"{path.name} has no h1"


def test_no_typogrify_markup_in_titles_meta_attributes_or_json_ld(site: BuiltSite) -> None:
    assert site.soup("pdsa-cycles-in-weeks-not-months.html").select("h1 span.caps"), (
        "typogrify should be on: the title's PDSA is set in small caps in the page body"
    )
    for path in site.html_files():
        soup = site.soup(path)
        title = soup.title.get_text()
        assert not any(trace in title for trace in TYPOGRIFY_TRACES), f"{path.name}: {title}"
        for element in soup.find_all(True):
            for name, value in element.attrs.items():
                values = value if isinstance(value, list) else [value]
                for text in values:
                    assert not any(trace in text for trace in TYPOGRIFY_TRACES), (
                        f"{path.name}: <{element.name} {name}={text!r}>"
                    )
        for script in soup.find_all("script", type="application/ld+json"):
            for text in json_strings(json.loads(script.string)):
                assert not any(trace in text for trace in TYPOGRIFY_TRACES), f"{path.name}: {text}"


def json_strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in json_strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in json_strings(item)]
    return []


def test_articles_describe_themselves_with_canonical_opengraph_and_json_ld(
    site: BuiltSite,
) -> None:
    for post in published_posts():
        url = post_url(site, post.slug)
        soup = site.soup(site.file_for(url))
        assert soup.find("link", rel="canonical")["href"] == url
        assert soup.find("meta", property="og:url")["content"] == url
        assert soup.find("meta", property="og:type")["content"] == "article"
        headline = words(soup.find("h1"))
        assert " ".join(soup.find("meta", property="og:title")["content"].split()).startswith(
            headline
        )
        scripts = soup.find_all("script", type="application/ld+json")
        assert len(scripts) == 1
        data = json.loads(scripts[0].string)
        assert data["@type"] == "BlogPosting"
        assert " ".join(data["headline"].split()) == headline
        assert data["url"] == url
        assert data["datePublished"] == soup.select_one(".byline time")["datetime"]
        assert [author["name"] for author in data["author"]] == [
            name.strip() for name in post.value("authors").split(",")
        ]


def test_every_page_has_an_absolute_canonical_url(site: BuiltSite) -> None:
    for path in site.html_files():
        canonical = site.soup(path).find("link", rel="canonical")["href"]
        assert canonical.startswith(site.siteurl + "/"), path.name
        assert site.file_for(canonical) == path, f"{path.name}: canonical {canonical}"


def test_pages_load_nothing_from_other_hosts(site: BuiltSite) -> None:
    for path in site.html_files():
        soup = site.soup(path)
        page_url = site.url(path.relative_to(site.output).as_posix())
        loaded = [
            link["href"]
            for link in soup.find_all("link", href=True)
            if {"stylesheet", "icon", "preload", "modulepreload", "manifest"}
            & set(link.get("rel", []))
        ]
        loaded += [element["src"] for element in soup.find_all(src=True)]
        loaded += [element["srcset"] for element in soup.find_all(srcset=True)]
        assert not soup.find_all("iframe"), path.name
        for url in loaded:
            host = urlsplit(urljoin(page_url, url)).netloc
            assert host == site.host, f"{path.name} loads {url} from another host"
        assert not soup.find_all("style"), f"{path.name}: inline <style> (use the stylesheet)"
    for stylesheet in site.output.rglob("*.css"):
        css = stylesheet.read_text(encoding="utf-8")
        assert "@import" not in css, stylesheet.name
        for reference in re.findall(r"url\(\s*['\"]?([^'\")]+)", css):
            assert not re.match(r"^([a-z]+:)?//", reference), f"{stylesheet.name}: {reference}"


def test_the_theme_runs_no_javascript_of_its_own_but_on_the_search_page(site: BuiltSite) -> None:
    widget = site.settings.get("COMMENTS_API_URL")
    search_scripts = [site.url("theme/js/search.js")]
    for path in site.html_files():
        soup = site.soup(path)
        scripts = [s for s in soup.find_all("script") if s.get("type") != "application/ld+json"]
        for script in scripts:
            assert script.get("src") and script.has_attr("defer"), f"{path.name}: {script}"
        sources = [script["src"] for script in scripts]
        if path.name == "search.html":
            # The theme's search, which loads Pagefind's library itself once a reader types.
            assert sources == search_scripts, sources
        else:
            # Only the comments widget, which the comments plugin adds to article pages.
            for source in sources:
                assert "/comments/" in source or (widget and source.startswith(widget)), source
        for element in soup.find_all(True):
            handlers = [name for name in element.attrs if name.lower().startswith("on")]
            assert not handlers, f"{path.name}: <{element.name}> has {handlers}"
    theme_scripts = sorted(p.relative_to(site.output).as_posix() for p in site.output.rglob("*.js"))
    assert [name for name in theme_scripts if name.startswith("theme/")] == ["theme/js/search.js"]


def test_every_link_on_the_site_leads_somewhere(site: BuiltSite) -> None:
    for path in site.html_files():
        soup = site.soup(path)
        page_url = site.url(path.relative_to(site.output).as_posix())
        for element in soup.find_all(["a", "link", "img", "script"]):
            target = element.get("href") or element.get("src")
            if not target:
                continue
            url = urljoin(page_url, target)
            if urlsplit(url).netloc != site.host:
                continue
            if target.startswith("#"):
                if target != "#":
                    assert soup.find(id=target[1:]), f"{path.name}: no #{target[1:]}"
                continue
            assert site.file_for(url), f"{path.name} links to {target}, which is missing"


def test_feeds_are_valid_atom_listing_every_published_post(site: BuiltSite) -> None:
    all_posts = etree.parse(str(site.output / site.settings["FEED_ALL_ATOM"])).getroot()
    assert all_posts.tag == f"{ATOM}feed"
    listed = {link.get("href") for link in all_posts.iterfind(f"{ATOM}entry/{ATOM}link")}
    assert listed == {post_url(site, post.slug) for post in published_posts()}

    categories = {post.value("category") for post in published_posts()}
    assert len(categories) >= 3
    for category in categories:
        soup = site.soup("index.html")
        link = soup.find("a", string=category)
        category_page = site.soup(site.file_for(link["href"]))
        feed_href = category_page.find(
            "link",
            type="application/atom+xml",
            title=True,
            href=lambda href: "all.atom" not in href,
        )["href"]
        feed = etree.parse(str(site.file_for(feed_href))).getroot()
        listed = {link.get("href") for link in feed.iterfind(f"{ATOM}entry/{ATOM}link")}
        expected = {
            post_url(site, post.slug)
            for post in published_posts()
            if post.value("category") == category
        }
        assert listed == expected, category


def test_the_sitemap_lists_every_published_post_and_page(site: BuiltSite) -> None:
    sitemap = etree.parse(str(site.output / "sitemap.xml")).getroot()
    assert sitemap.tag == f"{SITEMAP}urlset"
    locations = [loc.text for loc in sitemap.iterfind(f"{SITEMAP}url/{SITEMAP}loc")]
    assert all(location.startswith(site.siteurl + "/") for location in locations)
    assert all(site.file_for(location) for location in locations)
    for post in published_posts():
        assert post_url(site, post.slug) in locations
    assert site.url("pages/about.html") in locations
    assert site.url("pages/comments-policy.html") in locations
    assert site.url("404.html") not in locations


def test_robots_txt_allows_crawling_and_names_the_sitemap(site: BuiltSite) -> None:
    lines = (site.output / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {site.url('sitemap.xml')}" in lines
    assert "Disallow: /" not in lines


def test_the_404_page_and_the_favicon_exist(site: BuiltSite) -> None:
    soup = site.soup("404.html")
    assert "not found" in words(soup.find("h1")).lower()
    assert soup.find("main").find("a", href=site.url(""))
    assert (site.output / "favicon.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"


def test_comments_policy_explains_removal_email_and_reporting(site: BuiltSite) -> None:
    soup = site.soup("pages/comments-policy.html")
    headings = [words(h2).lower() for h2 in soup.find("main").find_all("h2")]
    assert any("remove" in heading for heading in headings)
    assert any("e-mail" in heading for heading in headings)
    assert any("report" in heading for heading in headings)
    assert "never shown" in words(soup.find("main"))


def test_lists_paginate_with_newer_and_older_links(tmp_path_factory, site: BuiltSite) -> None:
    output = tmp_path_factory.mktemp("paginated")
    paginated = build_site(output, site.siteurl, DEFAULT_PAGINATION=2)
    first, second = paginated.soup("index.html"), paginated.soup("index2.html")
    older = first.select_one("nav.pagination a[rel=next]")
    assert older["href"] == paginated.url("index2.html")
    assert second.select_one("nav.pagination a[rel=prev]")["href"] == paginated.url("")
    assert "Page 2 of" in words(second.select_one("nav.pagination"))
    assert len(second.select("main article.entry")) == 2
    count = len(published_posts())
    assert len(list(output.glob("index*.html"))) == (count + 1) // 2


def test_a_draft_preview_says_it_is_a_draft_and_links_no_missing_tag_page(tmp_path: Path) -> None:
    preview = build_site(tmp_path / "preview", "", DRAFT_SAVE_AS="drafts/{slug}.html")
    (draft,) = draft_posts()
    soup = preview.soup(preview.output / "drafts" / f"{draft.slug}.html")
    banner = soup.select_one(".post-header .draft-banner")
    assert banner is not None and "Draft preview." in words(banner)
    assert "Status: draft" in words(banner)
    assert soup.select_one('meta[name="robots"]')["content"] == "noindex"
    tags = soup.select(".post-footer .tags li")
    assert [words(tag) for tag in tags] == [t.strip() for t in draft.value("tags").split(",")]
    assert not soup.select(".post-footer .tags a"), "a draft's tags link to pages not built"
    assert soup.find("a", href="#comments") is None, "a draft offers comments it cannot take"
    published = preview.soup(preview.file_for(post_url(preview, published_posts()[0].slug)))
    assert published.select_one(".draft-banner") is None
    assert published.select_one('meta[name="robots"]') is None
