"""A reader comments on posts in a real Chromium, against the built site and the real API."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Reader, Stack
from tests.helpers import axe_violations, describe_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]

POSTS = [
    ("guest-post", "A post for a guest"),
    ("reply-post", "A post with a conversation"),
    ("edit-post", "A post where someone fixes a typo"),
    ("plain-post", "A post read without JavaScript"),
    ("errors-post", "A post where the form is sent empty"),
    ("busy-post", "A post with comments already"),
    ("regret-post", "A post where someone thinks better of it"),
]


@pytest.fixture(scope="module")
def stack(stack_factory: Callable[..., Stack]) -> Stack:
    stack = stack_factory(POSTS)
    stack.publish()
    first = stack.api.post_comment(
        "busy-post",
        author="Dee Reviewer",
        website="https://dee.example.org",
        body="Which **run chart** rules do you use?",
        email="dee@example.org",
    )["comment"]
    stack.api.approve(first["id"])
    answer = stack.api.post_comment(
        "busy-post",
        author="Sam Author",
        body="The four classic ones.",
        parent=first["id"],
        email="sam@example.org",
    )["comment"]
    stack.api.approve(answer["id"])
    stack.build()
    return stack


def open_post(reader: Reader, stack: Stack, slug: str) -> None:
    """Open a post and wait until the widget has loaded the live thread."""
    reader.page.goto(stack.url(slug))
    reader.page.wait_for_load_state("networkidle")


def write_comment(reader: Reader, body: str, name: str = "Gus Guest") -> None:
    page = reader.page
    page.get_by_label("Name (required)").fill(name)
    page.get_by_label("E-mail (required)").fill("gus@example.org")
    page.get_by_label("Comment (required)").fill(body)
    page.get_by_role("button", name="Post comment").click()


def comment_id(element_id: str | None) -> int:
    assert element_id and element_id.startswith("comment-"), element_id
    return int(element_id.removeprefix("comment-"))


def test_guest_comment_awaits_moderation_then_appears_with_the_new_count(
    stack: Stack, reader: Reader
) -> None:
    page = reader.page
    open_post(reader, stack, "guest-post")
    expect(page.locator("#comments-heading")).to_have_text("Comments (0)")
    expect(page.locator(".comment-sign-in")).to_have_text(
        "If you have an account please sign in before posting your comment."
    )
    expect(page.get_by_label("Name (required)")).to_be_visible()  # a guest, not signed in
    expect(page.locator(".comments-empty")).to_be_visible()

    write_comment(reader, "Thanks, this helped our *ward team*.")
    expect(page.locator(".comments-empty")).to_be_hidden()  # the list is no longer empty

    expect(page.locator(".comments-status")).to_contain_text("awaiting moderation")
    held = page.locator(".comment-list > li.comment").last
    expect(held).to_contain_text("Your comment is awaiting moderation")
    expect(held).to_be_focused()
    new_id = comment_id(held.get_attribute("id"))

    stack.api.approve(new_id)
    page.reload()
    page.wait_for_load_state("networkidle")

    shown = page.locator(f"#comment-{new_id}")
    expect(shown).to_contain_text("Thanks, this helped our ward team.")
    expect(shown.locator("em")).to_have_text("ward team")
    expect(shown).not_to_contain_text("awaiting moderation")
    expect(page.locator("#comments-heading")).to_have_text("Comments (1)")
    expect(page.get_by_role("link", name="Read comments (1)")).to_be_visible()
    assert reader.errors == []


def test_reply_moves_the_form_and_is_nested_under_its_parent(stack: Stack, reader: Reader) -> None:
    parent = stack.api.post_comment("reply-post", author="Ada Asker", body="A question?")
    parent_id = parent["comment"]["id"]
    stack.api.approve(parent_id)
    page = reader.page
    open_post(reader, stack, "reply-post")

    page.get_by_role("button", name="Reply to Ada Asker").click()
    form = page.locator(f"#comment-{parent_id} form.comment-form")
    expect(form).to_be_visible()
    expect(form.get_by_role("heading")).to_have_text("Reply to Ada Asker")
    expect(page.get_by_label("Comment (required)")).to_be_focused()
    write_comment(reader, "An answer.", name="Bea Answerer")

    reply = page.locator(f"#comment-{parent_id} > ol.comment-replies > li.comment")
    expect(reply).to_contain_text("An answer.")
    expect(reply).to_contain_text("Your comment is awaiting moderation")
    expect(page.locator("section#comments > .comments-thread > form.comment-form")).to_have_count(1)

    stack.api.approve(comment_id(reply.get_attribute("id")))
    page.reload()
    page.wait_for_load_state("networkidle")
    nested = page.locator(f"#comment-{parent_id} > ol.comment-replies > li.comment")
    expect(nested).to_contain_text("Bea Answerer")
    expect(nested).to_contain_text("An answer.")
    expect(page.locator("#comments-heading")).to_have_text("Comments (2)")
    assert reader.errors == []


def test_reply_works_from_the_keyboard_and_escape_puts_the_form_back(
    stack: Stack, reader: Reader
) -> None:
    page = reader.page
    open_post(reader, stack, "busy-post")
    reply_button = page.get_by_role("button", name="Reply to Dee Reviewer")
    reply_button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Comment (required)")).to_be_focused()
    expect(page.locator(".comment form.comment-form")).to_have_count(1)

    page.keyboard.type("Never mind.")
    page.keyboard.press("Escape")

    expect(page.locator(".comment form.comment-form")).to_have_count(0)
    expect(page.locator("#comment-form-heading")).to_have_text("Leave a comment")
    expect(reply_button).to_be_focused()
    assert reader.errors == []


def test_author_edits_their_comment_within_the_edit_window(stack: Stack, reader: Reader) -> None:
    page = reader.page
    open_post(reader, stack, "edit-post")
    write_comment(reader, "Teh typo is here.")
    mine = page.locator(".comment-list > li.comment").last
    expect(mine).to_contain_text("awaiting moderation")

    mine.get_by_role("button", name="Edit").click()
    editor = mine.get_by_label("Edit your comment")
    expect(editor).to_be_focused()
    expect(editor).to_have_value("Teh typo is here.")
    editor.fill("The typo is gone.")
    mine.get_by_role("button", name="Save").click()
    expect(mine.locator(".comment-body")).to_have_text("The typo is gone.")
    expect(page.locator(".comments-status")).to_have_text("Your comment is updated.")

    stack.api.approve(comment_id(mine.get_attribute("id")))
    page.reload()
    page.wait_for_load_state("networkidle")
    approved = page.locator(f"#{mine.get_attribute('id')}")
    expect(approved.locator(".comment-body")).to_have_text("The typo is gone.")
    expect(approved.get_by_role("button", name="Edit")).to_be_visible()
    assert reader.errors == []


def test_author_deletes_their_comment_within_the_edit_window(stack: Stack, reader: Reader) -> None:
    page = reader.page
    open_post(reader, stack, "regret-post")
    write_comment(reader, "On second thoughts...")
    mine = page.locator(".comment-list > li.comment").last
    expect(mine).to_contain_text("On second thoughts")
    gone_id = comment_id(mine.get_attribute("id"))

    page.once("dialog", lambda dialog: dialog.accept())
    mine.get_by_role("button", name="Delete").click()

    expect(page.locator(".comments-status")).to_have_text("Your comment is deleted.")
    expect(page.locator(f"#comment-{gone_id}")).to_have_count(0)
    expect(page.locator("#comments-heading")).to_be_focused()
    pending = stack.api.cli("list-pending").stdout.splitlines()
    assert not [line for line in pending if line.startswith(f"{gone_id}\t")]
    page.reload()
    page.wait_for_load_state("networkidle")
    expect(page.locator(f"#comment-{gone_id}")).to_have_count(0)
    assert reader.errors == []


def test_form_posted_without_javascript_lands_back_on_the_post_with_the_notice(
    stack: Stack, reader_factory: Callable[..., Reader]
) -> None:
    reader = reader_factory(java_script_enabled=False)
    page = reader.page
    page.goto(stack.url("plain-post"))
    notice = page.locator("#comment-awaiting-moderation")
    expect(notice).to_be_hidden()

    write_comment(reader, "Posted the old-fashioned way.")

    expect(page).to_have_url(stack.url("plain-post") + "#comment-awaiting-moderation")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Your comment is awaiting moderation")


def test_empty_form_shows_each_error_next_to_its_field(stack: Stack, reader: Reader) -> None:
    page = reader.page
    open_post(reader, stack, "errors-post")
    page.get_by_role("button", name="Post comment").click()

    for label in ("Name (required)", "E-mail (required)", "Comment (required)"):
        field = page.get_by_label(label)
        expect(field).to_have_attribute("aria-invalid", "true")
        error = field.locator("xpath=..").locator(".comment-error")
        expect(error).to_have_count(1)
        error_id = error.get_attribute("id")
        assert error_id in (field.get_attribute("aria-describedby") or "").split()
    expect(page.get_by_label("Name (required)")).to_be_focused()
    expect(page.get_by_label("E-mail (required)")).to_have_accessible_description(
        re.compile("This will not be publicly visible")
    )
    expect(page.get_by_label("Website (optional)")).not_to_have_attribute("aria-invalid", "true")

    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    assert reader.errors == []


def test_errors_found_by_the_api_are_shown_next_to_their_field(
    stack: Stack, reader: Reader
) -> None:
    page = reader.page
    open_post(reader, stack, "errors-post")
    page.get_by_label("Website (optional)").fill("ftp://files.example.org")
    write_comment(reader, "A comment with a bad website.")

    website = page.get_by_label("Website (optional)")
    expect(website).to_have_attribute("aria-invalid", "true")
    expect(website).to_be_focused()
    expect(website).to_have_accessible_description(re.compile("http:// or https://"))
    expect(page.get_by_label("Comment (required)")).not_to_have_attribute("aria-invalid", "true")
    assert reader.errors == []


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_article_with_comments_has_no_accessibility_violations(
    stack: Stack, reader_factory: Callable[..., Reader], color_scheme: str
) -> None:
    reader = reader_factory(color_scheme=color_scheme, reduced_motion="reduce")
    open_post(reader, stack, "busy-post")
    expect(reader.page.locator(".comment-list .comment-replies .comment")).to_have_count(1)

    violations = axe_violations(reader.page)
    assert violations == [], describe_violations(violations)
    assert reader.errors == []


def test_snapshot_shows_approved_comments_threaded_before_any_script_runs(
    stack: Stack, reader_factory: Callable[..., Reader]
) -> None:
    reader = reader_factory(java_script_enabled=False)
    page = reader.page
    page.goto(stack.url("busy-post"))
    expect(page.locator("#comments-heading")).to_have_text("Comments (2)")
    author = page.get_by_role("link", name="Dee Reviewer")
    expect(author).to_have_attribute("rel", "nofollow ugc")
    expect(page.locator(".comment-list > .comment .comment-replies > .comment")).to_contain_text(
        "The four classic ones."
    )
    expect(page.get_by_role("button", name=re.compile("Reply"))).to_have_count(0)


def test_api_outage_keeps_the_snapshot_and_shows_a_notice(
    stack_factory: Callable[..., Stack], reader: Reader
) -> None:
    stack = stack_factory([("outage-post", "A post read during an outage")])
    stack.publish()
    saved = stack.api.post_comment("outage-post", author="Ola Early", body="Saved at build time.")
    stack.api.approve(saved["comment"]["id"])
    stack.build()
    stack.api.stop()

    page = reader.page
    open_post(reader, stack, "outage-post")
    expect(page.locator(".comments-status")).to_contain_text("not answering")
    expect(page.locator(".comment-list")).to_contain_text("Saved at build time.")
    expect(page.locator("#comments-heading")).to_have_text("Comments (1)")

    write_comment(reader, "Will this get through?")
    expect(page.locator(".comments-status")).to_contain_text("could not be sent")
    expect(page.get_by_label("Comment (required)")).to_have_value("Will this get through?")
    assert reader.errors == []
