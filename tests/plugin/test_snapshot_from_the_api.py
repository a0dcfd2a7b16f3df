"""The build-time snapshot from a real comments API: comments in the static HTML, no e-mails."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.helpers import ROOT
from tests.live_site import (
    BUILD_TOKEN,
    DEPLOY_TOKEN,
    Build,
    CommentsApi,
    build_site,
    content_folder,
    post,
)

pytestmark = pytest.mark.slow

EMAILS = [
    "first.reader@example.org",
    "second.reader@example.net",
    "held.reader@example.com",
    "closed.reader@example.org",
    "editing.reader@example.org",
]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CommentsApi]:
    server = CommentsApi(tmp_path_factory.mktemp("api"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = content_folder(tmp_path_factory.mktemp("content"))
    post(folder, "open-post", "An open post")
    post(folder, "closed-post", "A closed post")  # closed by the `site` fixture later
    post(folder, "quiet-post", "A post without comments", comments="off")
    return folder


def build_with_snapshot(content: Path, output: Path, api: CommentsApi, **settings: object) -> Build:
    build = build_site(
        content,
        output,
        COMMENTS_API_URL=api.url,
        COMMENTS_SNAPSHOT=True,
        COMMENTS_SNAPSHOT_TOKEN=BUILD_TOKEN,
        **settings,
    )
    assert build.result.returncode == 0, build.log
    return build


@pytest.fixture(scope="module")
def site(content: Path, api: CommentsApi, tmp_path_factory: pytest.TempPathFactory) -> Build:
    """Publish the threads, collect comments (some approved, one held), then build."""
    first_build = build_with_snapshot(content, tmp_path_factory.mktemp("first") / "out", api)
    api.sync_threads(first_build.output / "comments" / "threads.json")

    first = api.post_comment(
        "open-post",
        author="First Reader",
        email=EMAILS[0],
        website="https://first.example.org",
        body="I *loved* this.",
    )
    api.approve(first["comment"]["id"])
    reply = api.post_comment(
        "open-post",
        author="Second Reader",
        email=EMAILS[1],
        body="Me too.",
        parent=first["comment"]["id"],
    )
    api.approve(reply["comment"]["id"])
    api.post_comment("open-post", author="Held Reader", email=EMAILS[2], body="Not yet seen.")
    typo = api.post_comment("open-post", author="Editing Reader", email=EMAILS[4], body="Teh typo.")
    status, edited = api.call(
        "PATCH",
        f"/api/v1/comments/{typo['comment']['id']}",
        {"body": "The typo, fixed."},
        {"X-Edit-Token": typo["edit_token"]},
    )
    assert status == 200, edited
    api.approve(typo["comment"]["id"])
    early = api.post_comment(
        "closed-post", author="Closed Reader", email=EMAILS[3], body="Before it closed."
    )
    api.approve(early["comment"]["id"])
    post(content, "closed-post", "A closed post", comments="closed")
    return build_with_snapshot(content, tmp_path_factory.mktemp("second") / "out", api)


def soup(build: Build, name: str) -> BeautifulSoup:
    return BeautifulSoup(build.page(name), "lxml")


def test_approved_comments_are_rendered_as_a_numbered_threaded_list(site: Build) -> None:
    section = soup(site, "open-post.html").select_one("section#comments")
    assert section.select_one("#comments-heading").get_text() == "Comments (3)"
    top = section.select("ol.comment-list > li.comment")
    assert len(top) == 2
    assert "I loved this." in top[0].select_one(".comment-body").get_text()
    assert top[0].select_one(".comment-body em").get_text() == "loved"
    replies = top[0].select("ol.comment-replies > li.comment")
    assert [r.select_one(".comment-author").get_text() for r in replies] == ["Second Reader"]
    assert "Not yet seen." not in str(section)


def test_comments_carry_author_link_date_and_schema_org_markup(site: Build) -> None:
    first = soup(site, "open-post.html").select_one("ol.comment-list > li.comment")
    assert first["itemtype"] == "https://schema.org/Comment"
    link = first.select_one(".comment-author a")
    assert link["href"] == "https://first.example.org"
    assert link["rel"] == ["nofollow", "ugc"]
    assert first.select_one("[itemprop=author] [itemprop=name]").get_text() == "First Reader"
    time = first.select_one("time[itemprop=dateCreated]")
    assert time["datetime"].startswith("20")
    assert first.select_one("[itemprop=text]") is not None
    reply = first.select_one(".comment-replies > li")
    assert reply["itemprop"] == "comment"
    assert reply.select_one(".comment-author a") is None, "no website, no link"


def test_every_comment_has_a_report_form_that_works_without_javascript(
    site: Build, api: CommentsApi
) -> None:
    section = soup(site, "open-post.html").select_one("section#comments")
    comments = section.select("ol.comment-list li.comment")
    assert len(comments) == 3
    for comment in comments:
        details = comment.select_one(":scope > details.comment-report")
        assert details.summary.get_text() == "Report"
        form = details.form
        assert form["method"] == "post"
        assert form["action"] == f"{api.url}/api/v1/comments/{comment['data-id']}/report"
        reason = form.select_one("textarea[name=reason]")
        assert reason.has_attr("required")
        label = form.select_one(f"label[for={reason['id']}]")
        assert label.get_text() == "Why should a moderator look at this comment? (required)"
        assert form.select_one("button[type=submit]").get_text() == "Send report"
    ids = [element["id"] for element in section.select("[id]")]
    assert len(ids) == len(set(ids)), "every id on the page is unique"


def test_closed_thread_can_still_be_reported(site: Build) -> None:
    section = soup(site, "closed-post.html").select_one("section#comments")
    assert section.select_one("ol.comment-list details.comment-report form") is not None


def test_live_comments_are_drawn_from_the_same_markup_as_the_snapshot(site: Build) -> None:
    section = soup(site, "open-post.html").select_one("section#comments")
    template = section.select_one("template.comment-template")
    blank = template.find("li", class_="comment", recursive=False)
    snapshot = section.select_one("ol.comment-list > li.comment")

    def parts(element: object) -> set[tuple[str, str, str]]:
        """Every element outside the body and the replies: tag, class and itemprop."""
        return {
            (tag.name, " ".join(tag.get("class", [])), tag.get("itemprop", ""))
            for tag in element.find_all(True)  # type: ignore[attr-defined]
            if not tag.find_parent(class_=["comment-body", "comment-replies"]) and tag.name != "ol"
        }

    # The template also has the parts a comment may lack: the website link, the badge and
    # the "edited" note.
    assert parts(snapshot) <= parts(blank)
    assert parts(blank) - parts(snapshot) <= {
        ("span", "comment-badge", ""),
        ("span", "comment-edited", ""),
        ("span", "", ""),  # its "·"
        ("span", "comment-edited-by", ""),
        ("time", "", "dateModified"),
    }
    assert template.find("li", class_="comment-removed", recursive=False) is not None
    assert "This comment was removed by a moderator." in template.get_text()


def test_an_edited_comment_says_so_with_the_date(site: Build) -> None:
    section = soup(site, "open-post.html").select_one("section#comments")
    [edited] = [c for c in section.select("li.comment") if "Editing Reader" in c.get_text()]
    assert edited.select_one(".comment-body").get_text(strip=True) == "The typo, fixed."
    note = edited.select_one(".comment-meta .comment-edited")
    when = note.select_one("time[itemprop=dateModified]")
    assert note.get_text(" ", strip=True) == f"· edited {when.get_text()}"
    assert when["datetime"].startswith("20")
    for other in section.select("li.comment"):
        if other is not edited:
            assert other.select_one(".comment-edited") is None


def test_counts_reach_the_title_link_and_the_index(site: Build) -> None:
    page = soup(site, "open-post.html")
    assert page.find("a", href="#comments").get_text() == "Read comments (3)"
    index = soup(site, "index.html")
    assert "3 comments" in index.get_text(" ")
    assert "1 comment" in index.get_text(" ")


def test_closed_thread_keeps_its_comments(site: Build) -> None:
    section = soup(site, "closed-post.html").select_one("section#comments")
    assert section.select_one("#comments-heading").get_text() == "Comments (1)"
    assert "Before it closed." in section.get_text()
    assert section.select_one(".comments-closed").get_text() == "Comments are closed."
    assert section.select_one("form.comment-form") is None


def test_post_with_comments_off_has_no_section(site: Build) -> None:
    assert soup(site, "quiet-post.html").select_one("#comments") is None


def test_no_output_file_contains_a_commenters_email(site: Build) -> None:
    leaks = []
    for path in site.output.rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", errors="replace")
            leaks += [(path.name, email) for email in EMAILS if email in text]
    assert leaks == []
    assert "First Reader" in site.page("open-post.html"), "the snapshot was rendered"


def test_snapshot_follows_the_cursor_across_pages(
    site: Build, content: Path, api: CommentsApi, tmp_path: Path
) -> None:
    build = build_with_snapshot(content, tmp_path / "out", api, COMMENTS_SNAPSHOT_PAGE_SIZE=1)
    assert len(soup(build, "open-post.html").select("ol.comment-list li.comment")) == 3
    assert "Before it closed." in build.page("closed-post.html")
    requests = [line for line in api.log().splitlines() if "/api/v1/snapshot" in line]
    assert any("cursor=" in line for line in requests), "more than one page was fetched"


def test_wrong_build_token_gives_one_warning_that_names_the_setting(
    content: Path, api: CommentsApi, tmp_path: Path
) -> None:
    build = build_site(
        content,
        tmp_path / "out",
        COMMENTS_API_URL=api.url,
        COMMENTS_SNAPSHOT=True,
        COMMENTS_SNAPSHOT_TOKEN="not-the-token",
    )
    assert build.result.returncode == 0, build.log
    assert build.log.count("Comments snapshot skipped") == 1, build.log
    assert "COMMENTS_SNAPSHOT_TOKEN" in build.log
    assert "Comments (0)" in build.page("open-post.html")


def sync_threads(site: Build, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`invoke sync-threads` on the build's manifest, as the publish workflow runs it."""
    manifest = str(site.output / "comments" / "threads.json")
    return subprocess.run(
        [sys.executable, "-m", "invoke", "sync-threads", "--manifest", manifest],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_sync_threads_task_registers_the_manifest_with_the_api(site: Build, tmp_path: Path) -> None:
    api = CommentsApi(tmp_path / "fresh-api")
    api.start()
    try:
        status, _ = api.call("GET", "/api/v1/threads/open-post/comments")
        assert status == 404, "a fresh API knows no threads"
        result = sync_threads(
            site,
            {**os.environ, "COMMENTS_API_URL": api.url, "COMMENTS_DEPLOY_TOKEN": DEPLOY_TOKEN},
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "2 created" in result.stderr

        status, thread = api.call("GET", "/api/v1/threads/open-post/comments")
        assert (status, thread["closed"]) == (200, False)
        status, thread = api.call("GET", "/api/v1/threads/closed-post/comments")
        assert (status, thread["closed"]) == (200, True)
        status, _ = api.call("GET", "/api/v1/threads/quiet-post/comments")
        assert status == 404
    finally:
        api.stop()


def test_sync_threads_task_refuses_to_run_without_the_deploy_token(site: Build) -> None:
    env = {key: value for key, value in os.environ.items() if key != "COMMENTS_DEPLOY_TOKEN"}
    result = sync_threads(site, env)
    assert result.returncode != 0
    assert "COMMENTS_DEPLOY_TOKEN" in result.stderr
