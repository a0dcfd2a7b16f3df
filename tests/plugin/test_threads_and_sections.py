"""The plugin without a live API: modes, the manifest, the section and the no-JavaScript form."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema_rs
import pytest
from bs4 import BeautifulSoup

from comments_api import Settings
from comments_api.app import create_app
from comments_api.field_messages import FIELD_MESSAGES
from plugins.comments.widget import STATIC, WIDGET_FILES, shipped
from tests.helpers import ROOT
from tests.live_site import Build, build_site, content_folder, post

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """Posts in every mode, built with the development settings and the real theme."""
    root = tmp_path_factory.mktemp("site")
    content = content_folder(root / "content")
    post(content, "open-post", "An <em>open</em> post")
    post(content, "closed-post", "A closed post", comments="closed")
    post(content, "quiet-post", "A post without comments", comments="off")
    post(content, "old-post", "An old post", date="2001-02-03 10:00")
    post(content, "renamed-post", "A new title for an old thread", comments_thread="first-title")
    build = build_site(
        content,
        root / "output",
        COMMENTS_CLOSE_AFTER_DAYS=365,
        COMMENTS_SITE_URL="https://blog.example.org",
        COMMENTS_SIGN_IN=True,
    )
    assert build.result.returncode == 0, build.log
    return build


def soup(build: Build, name: str) -> BeautifulSoup:
    return BeautifulSoup(build.page(name), "lxml")


def test_manifest_lists_exactly_the_posts_that_take_comments(site: Build) -> None:
    threads = {entry["key"]: entry for entry in site.manifest()["threads"]}

    assert set(threads) == {"open-post", "closed-post", "old-post", "first-title"}
    assert threads["open-post"] == {
        "key": "open-post",
        "title": "An open post",
        "url": "https://blog.example.org/open-post.html",
        "closed": False,
        "summary": "A post for the comments tests.",  # the post's summary, as plain text
    }
    assert threads["closed-post"]["closed"] is True
    assert threads["old-post"]["closed"] is True, "older than COMMENTS_CLOSE_AFTER_DAYS"
    assert threads["first-title"]["url"].endswith("/renamed-post.html")


def test_manifest_is_the_body_the_threads_endpoint_takes(site: Build, tmp_path: Path) -> None:
    body = json.loads((site.output / "comments" / "threads.json").read_text())
    assert list(body) == ["threads"]
    for entry in body["threads"]:
        assert list(entry) == ["key", "title", "url", "closed", "summary"]
    # The API's own contract for `PUT /api/v1/threads`, as /openapi.json publishes it.
    contract = create_app(Settings(env="test", database_url=f"sqlite:///{tmp_path / 'c.db'}"))
    openapi = contract.openapi()
    request = openapi["paths"]["/api/v1/threads"]["put"]["requestBody"]["content"]
    schema = {**request["application/json"]["schema"], "components": openapi["components"]}
    validator = jsonschema_rs.validator_for(schema)
    assert [error.message for error in validator.iter_errors(body)] == []
    entry_without_key = {**body, "threads": [{"title": "No key", "url": "/x.html"}]}
    assert not validator.is_valid(entry_without_key), "the contract check cannot fail"


def test_each_post_links_the_feed_of_its_comments(site: Build) -> None:
    feed = "http://127.0.0.1:8001/api/v1/threads/open-post/feed.atom"
    page = soup(site, "open-post.html")
    link = page.select_one("section#comments a[type='application/atom+xml']")
    assert link["href"] == feed
    assert link.get_text() == "Follow the comments on this post (Atom feed)"
    alternate = page.head.find("link", rel="alternate", href=feed)
    assert alternate is not None and alternate["title"] == "Comments: An open post"
    quiet = soup(site, "quiet-post.html")
    assert quiet.find("a", type="application/atom+xml") is None, "a post without comments"


def test_open_post_has_heading_list_and_a_form_that_posts_to_the_api(site: Build) -> None:
    page = soup(site, "open-post.html")
    section = page.select_one("section#comments")
    assert section.select_one("h2#comments-heading").get_text() == "Comments (0)"
    assert page.find("a", href="#comments").get_text() == "Read comments (0)"
    assert section.select_one("ol.comment-list") is not None

    form = section.select_one("form.comment-form")
    assert form["method"] == "post"
    assert form["action"] == "http://127.0.0.1:8001/api/v1/threads/open-post/comments"
    names = {field["name"] for field in form.select("input, textarea") if field.has_attr("name")}
    assert names == {
        "author",
        "email",
        "website",
        "body",
        "notify",
        "company",
        "parent",
    }
    for field in form.select("input:not([type=hidden]), textarea"):
        assert form.select_one(f"label[for={field['id']}]") is not None, field


def test_email_hint_and_markdown_hint_are_tied_to_their_fields(site: Build) -> None:
    form = soup(site, "open-post.html").select_one("form.comment-form")
    email = form.select_one("input[name=email]")
    hint = form.select_one("#" + email["aria-describedby"])
    assert hint.get_text() == "This will not be publicly visible"
    body = form.select_one("textarea[name=body]")
    hint, count = (form.select_one("#" + name) for name in body["aria-describedby"].split())
    assert "Markdown" in hint.get_text()
    assert count.get_text() == "Up to 5,000 characters."
    assert count["aria-live"] == "polite", "the widget keeps it up to date as the reader types"
    notify = form.select_one("input[name=notify]")
    assert notify["type"] == "checkbox"
    assert form.select_one(f"label[for={notify['id']}]").get_text() == "Notify me of replies"


def test_the_form_tells_readers_what_the_api_says_about_each_field(site: Build) -> None:
    """The widget shows the `data-error` of a field the browser finds invalid: the API's words."""
    form = soup(site, "open-post.html").select_one("form.comment-form")
    told = {field["name"]: field["data-error"] for field in form.select("[data-error]")}

    assert told == {name: FIELD_MESSAGES[name] for name in ("author", "email", "website", "body")}


def test_honeypot_is_labelled_and_kept_out_of_the_way(site: Build) -> None:
    form = soup(site, "open-post.html").select_one("form.comment-form")
    company = form.select_one("input[name=company]")
    assert company["tabindex"] == "-1"
    assert company["autocomplete"] == "off"
    assert form.select_one(f"label[for={company['id']}]").get_text() == "Leave this field empty"
    css = (site.output / "comments" / "comments.css").read_text()
    assert ".comment-company{position:absolute" in css.replace("; ", ";")


def test_policy_and_sign_in_notices_are_shown(site: Build) -> None:
    form = soup(site, "open-post.html").select_one("form.comment-form")
    policy = form.select_one(".comment-policy")
    assert policy.get_text() == "Read our comments policy before posting your comment."
    assert policy.a["href"] == "/pages/comments-policy.html"
    assert (site.output / "pages" / "comments-policy.html").exists()
    assert form.select_one(".comment-sign-in").get_text() == (
        "If you have an account please sign in before posting your comment."
    )


def test_sign_in_link_opens_the_api_form_and_comes_back_to_the_comments(site: Build) -> None:
    link = soup(site, "open-post.html").select_one(".comment-sign-in a")
    address = urlsplit(link["href"])
    assert f"{address.scheme}://{address.netloc}{address.path}" == (
        "http://127.0.0.1:8001/auth/sign-in"
    )
    assert parse_qs(address.query) == {"next": ["https://blog.example.org/open-post.html#comments"]}
    assert address.fragment == "", "the fragment belongs to the post's address, inside `next`"


def test_signed_in_line_waits_hidden_for_the_widget(site: Build) -> None:
    form = soup(site, "open-post.html").select_one("form.comment-form")
    signed_in = form.select_one(".comment-user")
    assert signed_in.has_attr("hidden")
    assert signed_in.get_text(" ", strip=True) == "Signed in as · Moderate comments · Sign out"
    assert signed_in.select_one(".comment-moderate").has_attr("hidden"), "for moderators only"
    assert signed_in.select_one(".comment-moderate a")["href"].endswith("/moderation")
    assert signed_in.button["type"] == "button"


def test_development_settings_show_the_sign_in_prompt(tmp_path: Path) -> None:
    content = content_folder(tmp_path / "content")
    post(content, "open-post", "An open post")
    build = build_site(content, tmp_path / "output")
    assert build.result.returncode == 0, build.log
    link = BeautifulSoup(build.page("open-post.html"), "lxml").select_one(".comment-sign-in a")
    assert link["href"].startswith("http://127.0.0.1:8001/auth/sign-in?next=")


def test_sign_in_prompt_is_absent_when_sign_in_is_off(tmp_path: Path) -> None:
    content = content_folder(tmp_path / "content")
    post(content, "open-post", "An open post")
    build = build_site(content, tmp_path / "output", COMMENTS_SIGN_IN=False)
    assert build.result.returncode == 0, build.log
    assert "sign in before posting" not in build.page("open-post.html")
    assert "Signed in as" not in build.page("open-post.html")


def test_sign_in_url_setting_keeps_its_own_query(tmp_path: Path) -> None:
    content = content_folder(tmp_path / "content")
    post(content, "open-post", "An open post")
    build = build_site(
        content,
        tmp_path / "output",
        COMMENTS_SIGN_IN_URL="https://accounts.example.org/start?site=blog",
        COMMENTS_SITE_URL="https://blog.example.org",
    )
    assert build.result.returncode == 0, build.log
    link = BeautifulSoup(build.page("open-post.html"), "lxml").select_one(".comment-sign-in a")
    address = urlsplit(link["href"])
    assert address.netloc == "accounts.example.org"
    assert parse_qs(address.query) == {
        "site": ["blog"],
        "next": ["https://blog.example.org/open-post.html#comments"],
    }


def test_notices_for_the_no_javascript_redirect_are_targets(site: Build) -> None:
    section = soup(site, "open-post.html").select_one("section#comments")
    held = section.select_one("#comment-awaiting-moderation")
    published = section.select_one("#comment-published")
    reported = section.select_one("#comment-reported")
    assert "awaiting moderation" in held.get_text()
    assert "published" in published.get_text()
    assert reported.get_text() == "Thank you: a moderator will look at this comment."
    for notice in (held, published, reported):
        assert notice.has_attr("hidden") and "comments-notice" in notice["class"]
    css = (site.output / "comments" / "comments.css").read_text()
    assert ".comments-notice:target{display:block}" in css


def test_closed_post_shows_comments_are_closed_and_no_form(site: Build) -> None:
    for name in ("closed-post.html", "old-post.html"):
        section = soup(site, name).select_one("section#comments")
        assert section.select_one("h2#comments-heading").get_text() == "Comments (0)"
        assert section.select_one(".comments-closed").get_text() == "Comments are closed."
        assert section.select_one("form.comment-form") is None


def test_post_with_comments_off_shows_nothing_about_comments(site: Build) -> None:
    html = site.page("quiet-post.html")
    page = BeautifulSoup(html, "lxml")
    assert page.select_one("#comments") is None
    assert page.find("a", href="#comments") is None
    assert "comments.js" not in html and "comments.css" not in html


def test_widget_loads_deferred_on_article_pages_only(site: Build) -> None:
    head = soup(site, "open-post.html").head
    script = head.find("script", src="/comments/comments.js")
    assert script is not None and script.has_attr("defer")
    assert head.find("link", rel="stylesheet", href="/comments/comments.css") is not None
    assert head.find("script", src="/comments/counts.js") is None
    for name in ("index.html", "pages/comments-policy.html", "archives.html"):
        assert "comments.js" not in site.page(name), name


def test_lists_of_posts_load_only_the_counts_script(site: Build) -> None:
    for name in ("index.html", "category/notes.html", "tag/testing.html"):
        head = soup(site, name).head
        script = head.find("script", src="/comments/counts.js")
        assert script is not None and script.has_attr("defer"), name
        assert script["data-api"] == "http://127.0.0.1:8001", name
        assert "comments.css" not in str(head), name
    for name in ("archives.html", "pages/comments-policy.html", "open-post.html", "tags.html"):
        assert "counts.js" not in site.page(name), name


def test_counts_on_lists_name_their_thread_for_the_counts_script(site: Build) -> None:
    links = {
        link["href"]: link
        for link in soup(site, "index.html").select(".byline a[data-comments-thread]")
    }
    assert links["/open-post.html#comments"]["data-comments-thread"] == "open-post"
    assert links["/renamed-post.html#comments"]["data-comments-thread"] == "first-title"
    assert links["/open-post.html#comments"].get_text() == "0 comments"
    assert "/quiet-post.html#comments" not in links, "comments off: no count"


def test_widget_files_are_shipped_minified(site: Build) -> None:
    for name in WIDGET_FILES:
        written = (site.output / "comments" / name).read_text(encoding="utf-8")
        source = (STATIC / name).read_text(encoding="utf-8")
        assert written == shipped(name), name
        assert len(written) < len(source), f"{name} is not minified"
        assert "\n\n" not in written and "/*" not in written, name


SHIP_IN_A_PROCESS = """\
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from comments import widget
widget.STATIC = Path(sys.argv[2])
text = widget.shipped("comments.js", Path(sys.argv[3]))
print(json.dumps({"minifier loaded": "minify" in sys.modules, "text": text}))
"""


def test_a_build_whose_widget_did_not_change_takes_it_minified_from_the_cache(
    tmp_path: Path,
) -> None:
    static = tmp_path / "static"
    shutil.copytree(STATIC, static)
    cache = tmp_path / "cache"

    def ship() -> dict[str, Any]:
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                SHIP_IN_A_PROCESS,
                str(ROOT / "plugins"),
                str(static),
                str(cache),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        found: dict[str, Any] = json.loads(result.stdout)
        return found

    first, second = ship(), ship()
    assert first == {"minifier loaded": True, "text": shipped("comments.js")}
    assert second == {"minifier loaded": False, "text": first["text"]}

    source = static / "comments.js"
    source.write_text(source.read_text(encoding="utf-8") + "\nconsole.info('changed');\n")
    changed = ship()
    assert changed["minifier loaded"] is True
    assert changed["text"] != first["text"] and "changed" in changed["text"]
    assert len(list((cache / "widget").glob("comments.*.js"))) == 1, "the older file stays"


def test_draft_preview_says_comments_open_once_published(tmp_path: Path) -> None:
    content = content_folder(tmp_path / "content")
    post(content, "open-post", "An open post")
    post(content, "draft-post", "A post in the making", status="draft")
    build = build_site(content, tmp_path / "output", DRAFT_SAVE_AS="drafts/{slug}.html")
    assert build.result.returncode == 0, build.log
    html = build.page("drafts/draft-post.html")
    section = BeautifulSoup(html, "lxml").select_one("section#comments")
    assert section.select_one("h2#comments-heading").get_text() == "Comments"
    assert section.select_one(".comments-draft").get_text() == (
        "This is a draft: comments open when the post is published."
    )
    assert section.select_one("form") is None
    assert section.select_one(".comments-thread") is None, "no widget, no thread to load"
    assert "comments.js" not in html
    assert "draft-post" not in {entry["key"] for entry in build.manifest()["threads"]}


def test_default_thread_key_is_the_slug_and_metadata_overrides_it(site: Build) -> None:
    open_thread = soup(site, "open-post.html").select_one(".comments-thread")
    renamed = soup(site, "renamed-post.html").select_one(".comments-thread")
    assert open_thread["data-thread"] == "open-post"
    assert renamed["data-thread"] == "first-title"
    form = renamed.select_one("form.comment-form")
    assert form["action"].endswith("/threads/first-title/comments")


def test_unknown_comments_value_is_reported_with_the_file_name(tmp_path: Path) -> None:
    content = content_folder(tmp_path / "content")
    post(content, "typo-post", "A post with a typo", comments="yes")
    build = build_site(content, tmp_path / "output")
    assert build.result.returncode == 0, build.log
    assert "typo-post.md" in build.log and "write open, closed or off" in build.log
    assert "typo-post" in {entry["key"] for entry in build.manifest()["threads"]}
