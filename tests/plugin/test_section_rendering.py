"""The static comments section from comment objects of the API contract (edits, removals)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bs4 import BeautifulSoup

from plugins.comments.section import RenderedSections, render_comments
from plugins.comments.settings import read_settings
from plugins.comments.threads import Thread

SETTINGS = read_settings({"SITEURL": "https://blog.example.org"})
THREAD = Thread("a-post", "open", "A post", "https://blog.example.org/a-post.html")
REMOVED_NOTE = "This comment was removed by a moderator."


def comment(identifier: int, **fields: Any) -> dict[str, Any]:
    """A public comment object as the API sends it; `fields` override the defaults."""
    return {
        "id": identifier,
        "thread": "a-post",
        "parent": None,
        "author": f"Reader {identifier}",
        "website": None,
        "created": f"2026-11-0{identifier}T10:00:00Z",
        "edited": None,
        "edited_by": None,
        "html": f"<p>Comment {identifier}.</p>",
        "verified": False,
        "member": False,
        "removed": False,
        **fields,
    }


def tombstone(identifier: int, **fields: Any) -> dict[str, Any]:
    """A removed comment as the contract describes it."""
    return comment(identifier, author="", html="", removed=True, **fields)


def section(comments: list[dict[str, Any]]) -> tuple[int, BeautifulSoup]:
    rendered = render_comments(THREAD, comments, SETTINGS)
    return rendered.count, BeautifulSoup(str(rendered.html), "lxml")


def shown(page: BeautifulSoup, identifier: int) -> Any:
    return page.select_one(f".comment-list #comment-{identifier}")


def test_an_authors_edit_shows_edited_with_the_date() -> None:
    _, page = section([comment(1, edited="2026-12-01T09:30:00Z", edited_by="author")])
    note = shown(page, 1).select_one(".comment-meta .comment-edited")
    assert note.get_text(" ", strip=True) == "· edited 1 December 2026"
    assert note.time["datetime"] == "2026-12-01T09:30:00Z"


def test_a_moderators_edit_says_a_moderator_edited_it() -> None:
    _, page = section([comment(1, edited="2026-12-01T09:30:00Z", edited_by="moderator")])
    note = shown(page, 1).select_one(".comment-edited")
    assert note.get_text(" ", strip=True) == "· edited by a moderator, 1 December 2026"


def test_a_removed_comment_is_a_note_in_its_place_with_its_replies_kept() -> None:
    count, page = section([tombstone(1), comment(2, parent=1), comment(3), comment(4, parent=2)])
    assert count == 3, "the removed comment is not counted"
    assert page.select_one("#comments-heading").get_text() == "Comments (3)"
    removed = shown(page, 1)
    assert removed.get_text(" ", strip=True).startswith(REMOVED_NOTE)
    assert removed.select_one(":scope > .comment-meta") is None, "no author, no date"
    assert removed.select_one(":scope > details.comment-report") is None, "nothing to report"
    reply = removed.select_one(":scope > ol.comment-replies > li.comment")
    assert reply["id"] == "comment-2"
    assert reply.select_one("#comment-4") is not None
    top = [li["id"] for li in page.select(".comment-list > li.comment")]
    assert top == ["comment-1", "comment-3"], "the note keeps the removed comment's place"


def test_a_removed_comment_without_replies_is_still_a_note() -> None:
    count, page = section([comment(1), tombstone(2)])
    assert count == 1
    assert shown(page, 2).get_text(" ", strip=True) == REMOVED_NOTE


def test_comments_from_an_api_without_the_newer_fields_render_as_before() -> None:
    older = {
        key: value
        for key, value in comment(1, edited="2026-12-01T09:30:00Z").items()
        if key not in {"edited_by", "removed"}
    }
    count, page = section([older])
    assert count == 1
    assert shown(page, 1).select_one(".comment-author").get_text() == "Reader 1"
    assert shown(page, 1).select_one(".comment-edited").get_text(" ", strip=True) == (
        "· edited 1 December 2026"
    )
    assert REMOVED_NOTE not in shown(page, 1).get_text()


def test_the_verified_badge_says_verified_member_without_naming_a_domain() -> None:
    _, page = section([comment(1, verified=True, member=True)])
    assert shown(page, 1).select_one(".comment-badge").get_text() == "verified member"
    # Live comments take the badge from the widget's template (bs4 hides its text from
    # get_text): the same words.
    template = page.select_one("template.comment-template")
    assert template.select_one(".comment-badge").string == "verified member"


def test_the_site_may_choose_to_name_the_organisation_on_the_badge() -> None:
    settings = read_settings(
        {"SITEURL": "https://blog.example.org", "COMMENTS_VERIFIED_BADGE": "staff, example.org"}
    )
    rendered = render_comments(THREAD, [comment(1, verified=True)], settings)
    page = BeautifulSoup(str(rendered.html), "lxml")
    assert shown(page, 1).select_one(".comment-badge").get_text() == "staff, example.org"


def test_a_rebuild_reuses_a_section_only_while_its_thread_and_comments_are_the_same() -> None:
    sections = RenderedSections()
    first = sections.section(THREAD, [comment(1)], SETTINGS)
    sections.build_done()

    assert sections.section(THREAD, [comment(1)], SETTINGS) is first
    edited = sections.section(THREAD, [comment(1, html="<p>Edited.</p>")], SETTINGS)
    assert edited is not first and "Edited." in edited.html
    retitled = sections.section(replace(THREAD, title="A better title"), [comment(1)], SETTINGS)
    assert retitled is not first and "A better title" in retitled.head
    sections.build_done()

    # A build that did not ask for a section forgets it.
    sections.build_done()
    assert sections.section(THREAD, [comment(1)], SETTINGS) is not first
