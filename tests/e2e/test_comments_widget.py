"""A reader comments on posts in a real Chromium, against the built site and the real API."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Locator, expect

from comments_api.field_messages import FIELD_MESSAGES
from tests.helpers import Reader, axe_violations, describe_violations
from tests.live_site import Stack

pytestmark = [pytest.mark.browser, pytest.mark.slow]

POSTS = [
    ("guest-post", "A post for a guest"),
    ("reply-post", "A post with a conversation"),
    ("edit-post", "A post where someone fixes a typo"),
    ("plain-post", "A post read without JavaScript"),
    ("errors-post", "A post where the form is sent empty"),
    ("busy-post", "A post with comments already"),
    ("regret-post", "A post where someone thinks better of it"),
    ("typing-post", "A post where someone types a long answer"),
    ("enter-post", "A post answered with the Enter key"),
    ("escape-post", "A post where someone starts an edit and stops"),
    ("held-edit-post", "A post where an edit needs a second look"),
    ("long-post", "A post that gets a very long answer"),
    ("actions-post", "A post where someone answers themselves"),
]
NHS_NUMBER = "943 476 5919"  # passes the mod-11 check, so the screening holds the text


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


GUEST_NUMBERS = itertools.count(1)


def open_post(reader: Reader, stack: Stack, slug: str) -> None:
    """Open a post and wait until the widget has loaded the live thread."""
    reader.page.goto(stack.url(slug))
    reader.page.wait_for_load_state("networkidle")


def write_comment(reader: Reader, body: str, name: str = "Gus Guest") -> None:
    """Type into the form like a person, then press the button.

    Each comment comes from a new guest's address, so that it is a first comment, held for a
    moderator under the default policy.
    """
    page = reader.page
    page.get_by_label("Name (required)").press_sequentially(name)
    address = f"guest{next(GUEST_NUMBERS)}@example.org"
    page.get_by_label("E-mail (required)").press_sequentially(address)
    page.get_by_label("Comment (required)").press_sequentially(body)
    page.get_by_role("button", name="Post comment").click()


def replace_text(field: Locator, text: str) -> None:
    """Select what the field holds and type over it, as a person does."""
    field.press("ControlOrMeta+a")
    field.press_sequentially(text)


def today() -> str:
    """Today's date as comments show it, like "1 December 2026"."""
    now = datetime.now(UTC)
    return f"{now.day} {now:%B %Y}"


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


def test_author_edits_their_comment_within_the_edit_window(
    stack: Stack, reader_factory: Callable[..., Reader]
) -> None:
    reader = reader_factory()
    page = reader.page
    open_post(reader, stack, "edit-post")
    write_comment(reader, "Teh typo is here.")
    mine = page.locator(".comment-list > li.comment").last
    expect(mine).to_contain_text("awaiting moderation")

    mine.get_by_role("button", name="Edit").click()
    editor = mine.get_by_label("Edit your comment")
    expect(editor).to_be_focused()
    expect(editor).to_have_value("Teh typo is here.")
    expect(mine.get_by_role("button", name="Delete")).to_be_hidden()  # only Save and Cancel
    replace_text(editor, "The typo is gone.")
    expect(editor).to_have_value("The typo is gone.")
    mine.get_by_role("button", name="Save").click()
    expect(mine.locator(".comment-body")).to_have_text("The typo is gone.")
    expect(page.locator(".comments-status")).to_contain_text("Your edit is awaiting moderation")
    expect(mine).to_contain_text("Your comment is awaiting moderation.")

    mine_id = comment_id(mine.get_attribute("id"))
    stack.api.approve(mine_id)
    page.reload()
    page.wait_for_load_state("networkidle")
    approved = page.locator(f"#comment-{mine_id}")
    expect(approved.locator(".comment-body")).to_have_text("The typo is gone.")
    expect(approved.get_by_role("button", name="Edit")).to_be_visible()
    expect(approved.locator(".comment-meta")).to_contain_text(f"edited {today()}")
    assert reader.errors == []

    stack.build()
    static = reader_factory(java_script_enabled=False).page
    static.goto(stack.url("edit-post"))
    expect(static.locator(f"#comment-{mine_id} .comment-meta")).to_contain_text(f"edited {today()}")
    expect(static.locator(f"#comment-{mine_id} .comment-meta")).not_to_contain_text("moderator")


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
    # A phone: the form below the notice is long enough for the notice to scroll to the top;
    # no smooth scrolling, so the page lands where it stays.
    reader = reader_factory(
        java_script_enabled=False, viewport={"width": 360, "height": 640}, reduced_motion="reduce"
    )
    page = reader.page
    page.goto(stack.url("plain-post"))
    notice = page.locator("#comment-awaiting-moderation")
    expect(notice).to_be_hidden()

    write_comment(reader, "Posted the old-fashioned way.")

    expect(page).to_have_url(stack.url("plain-post") + "#comment-awaiting-moderation")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Your comment is awaiting moderation")
    expect(notice).to_be_in_viewport(ratio=1)
    expect(page.locator("#comments-heading")).to_be_in_viewport(ratio=1)


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


def test_a_missing_name_and_an_address_without_a_dot_are_shown_together(
    stack: Stack, reader: Reader
) -> None:
    page = reader.page
    open_post(reader, stack, "errors-post")
    page.get_by_label("E-mail (required)").press_sequentially("gus@example")
    page.get_by_label("Comment (required)").press_sequentially("Two mistakes, one press.")
    page.get_by_role("button", name="Post comment").click()

    for label in ("Name (required)", "E-mail (required)"):
        expect(page.get_by_label(label)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("E-mail (required)")).to_have_accessible_description(
        re.compile(re.escape(FIELD_MESSAGES["email"]))
    )
    expect(page.get_by_label("Name (required)")).to_be_focused()
    assert reader.errors == []


def test_errors_found_by_the_api_are_shown_next_to_their_field(
    stack: Stack, reader: Reader
) -> None:
    page = reader.page
    open_post(reader, stack, "errors-post")
    page.get_by_label("Website (optional)").press_sequentially("ftp://files.example.org")
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


def test_typing_in_every_field_keeps_what_was_typed(stack: Stack, reader: Reader) -> None:
    page = reader.page
    open_post(reader, stack, "typing-post")
    typed = {
        "Name (required)": "Tess Typist",
        "E-mail (required)": "tess@example.org",
        "Website (optional)": "https://tess.example.org",
    }
    for label, text in typed.items():
        page.get_by_label(label).press_sequentially(text)
    body = page.get_by_label("Comment (required)")
    body.press_sequentially("First line.")
    body.press("Enter")
    body.press_sequentially("Second line.")

    for label, text in typed.items():
        expect(page.get_by_label(label)).to_have_value(text)
    expect(body).to_have_value("First line.\nSecond line.")
    expect(body).to_be_focused()
    expect(page.locator(".comment-list > li.comment")).to_have_count(0)
    expect(page.locator(".comments-status")).to_have_text("")
    assert reader.errors == []


def test_enter_in_a_one_line_field_posts_the_comment(stack: Stack, reader: Reader) -> None:
    page = reader.page
    open_post(reader, stack, "enter-post")
    page.get_by_label("Comment (required)").press_sequentially("Sent with the Enter key.")
    page.get_by_label("E-mail (required)").press_sequentially("eve@example.org")
    name = page.get_by_label("Name (required)")
    name.press_sequentially("Eve Enter")
    name.press("Enter")

    expect(page.locator(".comments-status")).to_contain_text("awaiting moderation")
    posted = page.locator(".comment-list > li.comment")
    expect(posted).to_contain_text("Sent with the Enter key.")
    expect(posted).to_contain_text("Eve Enter")
    assert reader.errors == []


def test_escape_in_the_edit_box_keeps_the_comment_as_it_was(stack: Stack, reader: Reader) -> None:
    page = reader.page
    open_post(reader, stack, "escape-post")
    write_comment(reader, "Keep me as I am.")
    mine = page.locator(".comment-list > li.comment").last
    edit = mine.get_by_role("button", name="Edit")
    edit.click()
    editor = mine.get_by_label("Edit your comment")
    editor.press("End")
    editor.press_sequentially(" Or not?")
    expect(editor).to_have_value("Keep me as I am. Or not?")

    editor.press("Escape")

    expect(mine.get_by_label("Edit your comment")).to_have_count(0)
    expect(mine.locator(".comment-body")).to_have_text("Keep me as I am.")
    expect(edit).to_be_focused()
    assert reader.errors == []


def test_edit_held_for_a_second_look_shows_as_awaiting_moderation(
    stack: Stack, reader: Reader
) -> None:
    page = reader.page
    open_post(reader, stack, "held-edit-post")
    write_comment(reader, "Our ward saw waits fall.")
    mine_id = comment_id(page.locator(".comment-list > li.comment").last.get_attribute("id"))
    stack.api.approve(mine_id)
    page.reload()
    page.wait_for_load_state("networkidle")
    heading = page.locator("#comments-heading")
    expect(heading).to_have_text("Comments (1)")
    mine = page.locator(f"#comment-{mine_id}")
    expect(mine).not_to_contain_text("awaiting moderation")

    mine.get_by_role("button", name="Edit").click()
    editor = mine.get_by_label("Edit your comment")
    editor.press("End")
    editor.press_sequentially(f" Ask Mr Jones ({NHS_NUMBER}).")
    with page.expect_response(lambda r: r.request.method == "PATCH") as patched:
        mine.get_by_role("button", name="Save").click()
    answer = patched.value.json()
    assert answer["status"] == "pending", answer

    expect(page.locator(".comments-status")).to_have_text(answer["message"])
    expect(mine).to_contain_text("Ask Mr Jones")
    expect(mine).to_contain_text("Your comment is awaiting moderation.")
    expect(mine.get_by_role("button", name=re.compile("^Reply"))).to_have_count(0)
    expect(heading).to_have_text("Comments (0)")
    expect(page.get_by_role("link", name="Read comments (0)")).to_be_visible()

    page.reload()
    page.wait_for_load_state("networkidle")
    expect(page.locator(f"#comment-{mine_id}")).to_contain_text("awaiting moderation")
    expect(heading).to_have_text("Comments (0)")
    assert reader.errors == []


def test_a_long_paste_is_kept_counted_and_refused_with_the_reason(
    stack: Stack, reader: Reader
) -> None:
    page = reader.page
    open_post(reader, stack, "long-post")
    body = page.get_by_label("Comment (required)")
    expect(page.locator("#comment-body-count")).to_have_attribute("aria-live", "polite")
    body.press_sequentially("Hello")
    expect(body).to_have_accessible_description(re.compile("4,995 of 5,000 characters left"))

    page.keyboard.insert_text(" and" * 5_000)  # a paste: 20,000 characters at once

    assert len(body.input_value()) == 20_005, "the paste is kept whole"
    expect(body).to_have_accessible_description(
        re.compile("15,005 characters too many: a comment can be up to 5,000 characters")
    )
    page.get_by_label("Name (required)").press_sequentially("Lena Long")
    page.get_by_label("E-mail (required)").press_sequentially("lena@example.org")
    page.get_by_role("button", name="Post comment").click()

    expect(body).to_have_attribute("aria-invalid", "true")
    expect(body).to_be_focused()
    expect(body).to_have_accessible_description(re.compile("1 to 5000 characters"))
    expect(page.locator(".comment-list > li.comment")).to_have_count(0)

    body.press("ControlOrMeta+a")
    body.press_sequentially("Shorter now.")
    expect(body).to_have_accessible_description(re.compile("4,988 of 5,000 characters left"))
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".comment-list > li.comment")).to_contain_text("Shorter now.")
    assert reader.errors == []


def test_own_comment_buttons_stand_apart_and_comments_carry_no_list_numbers(
    stack: Stack, reader: Reader
) -> None:
    page = reader.page
    open_post(reader, stack, "actions-post")
    write_comment(reader, "I answer myself.")
    mine_id = comment_id(page.locator(".comment-list > li.comment").last.get_attribute("id"))
    stack.api.approve(mine_id)
    page.reload()
    page.wait_for_load_state("networkidle")
    mine = page.locator(f"#comment-{mine_id}")

    boxes = [
        mine.get_by_role("button", name=name, exact=True).bounding_box()
        for name in ("Reply to Gus Guest", "Edit", "Delete")
    ]
    for left, right in zip(boxes, boxes[1:], strict=False):
        assert left and right
        gap = right["x"] - (left["x"] + left["width"])
        assert gap >= 8, f"buttons {gap:.0f} px apart: {boxes}"
    markers = mine.evaluate("li => getComputedStyle(li).listStyleType")
    assert markers == "none"
    assert reader.errors == []


def test_snapshot_comments_carry_no_list_numbers(
    stack: Stack, reader_factory: Callable[..., Reader]
) -> None:
    page = reader_factory(java_script_enabled=False).page
    page.goto(stack.url("busy-post"))
    comments = page.locator(".comments-thread li.comment")
    expect(comments).to_have_count(2)
    styles = comments.evaluate_all("items => items.map(li => getComputedStyle(li).listStyleType)")
    assert styles == ["none", "none"]


def test_lists_of_posts_show_live_counts_and_the_snapshot_without_javascript(
    stack_factory: Callable[..., Stack], reader_factory: Callable[..., Reader]
) -> None:
    stack = stack_factory(
        [("talked-post", "A post people talk about"), ("silent-post", "A post nobody answered")]
    )
    stack.publish()
    early = stack.api.post_comment("talked-post", author="Ed Early", body="First!")
    stack.api.approve(early["comment"]["id"])
    stack.build()  # the snapshot holds one comment
    later = stack.api.post_comment("talked-post", author="Liz Later", body="Second.")
    stack.api.approve(later["comment"]["id"])
    lists = (
        stack.site.url + "/",
        stack.site.url + "/category/notes.html",
        stack.site.url + "/tag/testing.html",
    )

    static = reader_factory(java_script_enabled=False).page
    for address in lists:
        static.goto(address)
        expect(static.locator('a[href$="/talked-post.html#comments"]')).to_have_text("1 comment")
        expect(static.locator('a[href$="/silent-post.html#comments"]')).to_have_text("0 comments")

    reader = reader_factory()
    page = reader.page
    counts_requests: list[str] = []
    page.on("request", lambda r: "/api/v1/" in r.url and counts_requests.append(r.url))
    for address in lists:
        counts_requests.clear()
        page.goto(address)
        expect(page.locator('a[href$="/talked-post.html#comments"]')).to_have_text("2 comments")
        expect(page.locator('a[href$="/silent-post.html#comments"]')).to_have_text("0 comments")
        page.wait_for_load_state("networkidle")
        assert len(counts_requests) == 1, counts_requests
        assert "/api/v1/counts?" in counts_requests[0]
        assert "thread=talked-post" in counts_requests[0]
        assert "thread=silent-post" in counts_requests[0]

    counts_requests.clear()
    for without_counts in ("/archives.html", "/pages/comments-policy.html"):
        page.goto(stack.site.url + without_counts)
        page.wait_for_load_state("networkidle")
    assert counts_requests == [], "pages that show no counts ask for none"
    assert reader.errors == []
