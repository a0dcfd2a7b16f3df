"""The reader: reads a post, comments, replies, edits, deletes and reports, with JavaScript on
and off, and once more with the keyboard alone, against `make run`'s own stack."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.devrun import POST
from tests.journeys.support import TYPING_DELAY_MS, Blog, Camera, tab_to, type_into

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OTHER_POST = "run-charts-without-the-spreadsheet-dread"
KEYBOARD_POST = "pdsa-cycles-in-weeks-not-months"


def someone_else_comments(blog: Blog, slug: str, body: str) -> int:
    """Another reader's comment, approved by a moderator at the command line."""
    created = blog.api(
        "POST",
        f"threads/{slug}/comments",
        json={"author": "Dee Reviewer", "email": "dee@example.org", "body": body},
    )
    assert created.status_code == 201, created.text
    comment_id = int(created.json()["comment"]["id"])
    approved = blog.cli("approve", str(comment_id))
    assert approved.returncode == 0, approved.stderr
    return comment_id


def approve_all_pending(blog: Blog) -> None:
    """What the moderator does off-stage: approve what the reader sent."""
    listed = blog.cli("list-pending")
    assert listed.returncode == 0, listed.stderr
    for comment_id in re.findall(r"^#?(\d+)\b", listed.stdout, re.MULTILINE):
        assert blog.cli("approve", comment_id).returncode == 0


def comment_with(page: Any, text: str) -> Any:
    return page.locator("li.comment", has=page.locator(".comment-body", has_text=text)).first


def test_a_reader_with_javascript_comments_replies_edits_deletes_and_reports(
    blog: Blog, browser: Any
) -> None:
    camera = Camera("reader-javascript")
    dee = someone_else_comments(blog, POST, "Does the huddle work on night shifts too?")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(blog.url())
    camera.step(page, "home")
    page.get_by_role(
        "link", name=re.compile("Welcome to the Improvement Network blog")
    ).first.click()
    expect(page.locator("h1")).to_contain_text("Welcome")
    expect(page.locator("#comments-heading")).to_have_text("Comments (1)")
    expect(comment_with(page, "night shifts")).to_be_visible()
    camera.step(page, "post")

    # A first comment: typed field by field, sent with Enter in a one-line field.
    type_into(page.get_by_label("Name (required)"), "Gus Guest")
    type_into(page.get_by_label("E-mail (required)"), "gus@example.org")
    body = page.get_by_label("Comment (required)")
    type_into(body, "We started huddles last spring.")
    body.press("Enter")
    body.press_sequentially("The second line says what changed.", delay=TYPING_DELAY_MS)
    expect(body).to_have_value(
        "We started huddles last spring.\nThe second line says what changed."
    )
    expect(page.get_by_label("Name (required)")).to_have_value("Gus Guest")
    camera.step(page, "typed")
    page.get_by_label("E-mail (required)").press("Enter")
    expect(page.locator(".comments-status")).to_contain_text("awaiting moderation")
    mine = comment_with(page, "We started huddles")
    expect(mine).to_contain_text("Your comment is awaiting moderation.")
    expect(mine.locator(".comment-body br")).to_have_count(1)  # the line break typed stays
    camera.step(page, "held")

    approve_all_pending(blog)
    page.reload()
    expect(page.locator("#comments-heading")).to_have_text("Comments (2)")
    expect(comment_with(page, "We started huddles")).not_to_contain_text("awaiting moderation")
    camera.step(page, "approved")

    # A reply, now as a returning guest whose comment was approved: published at once.
    page.get_by_role("button", name="Reply to Dee Reviewer").click()
    reply_box = page.get_by_label("Comment (required)")
    expect(reply_box).to_be_focused()
    reply_box.press_sequentially("Yes: nights run theirs at 02:00.", delay=TYPING_DELAY_MS)
    type_into(page.get_by_label("Name (required)"), "Gus Guest")  # a new page: asked again
    type_into(page.get_by_label("E-mail (required)"), "gus@example.org")
    page.get_by_role("button", name="Post comment").click()
    reply = page.locator(f"#comment-{dee} .comment-replies li.comment").first
    expect(reply).to_contain_text("nights run theirs")
    expect(reply).not_to_contain_text("awaiting moderation")
    expect(page.locator("#comments-heading")).to_have_text("Comments (3)")
    camera.step(page, "replied")

    # An edit of a published comment stays published and says it was edited.
    reply.get_by_role("button", name="Edit").click()
    editor = reply.get_by_label("Edit your comment")
    expect(editor).to_be_focused()
    editor.press("End")
    editor.press_sequentially(" And at 04:00 on Sundays.", delay=TYPING_DELAY_MS)
    reply.get_by_role("button", name="Save").click()
    expect(page.locator(".comments-status")).to_contain_text("updated")
    expect(reply).to_contain_text("And at 04:00 on Sundays.")
    expect(reply).to_contain_text("edited")
    camera.step(page, "edited")
    page.reload()
    edited = comment_with(page, "And at 04:00 on Sundays.")
    expect(edited).to_be_visible()
    expect(edited).to_contain_text("edited")
    expect(page.locator("#comments-heading")).to_have_text("Comments (3)")

    # Deleting one's own comment, after the browser's confirmation.
    page.once("dialog", lambda dialog: dialog.accept())
    comment_with(page, "We started huddles").get_by_role("button", name="Delete").click()
    expect(page.locator(".comments-status")).to_contain_text("deleted")
    expect(page.locator("#comments-heading")).to_have_text("Comments (2)")
    expect(page.locator(".comment-body", has_text="We started huddles")).to_have_count(0)
    camera.step(page, "deleted")

    # Reporting someone else's comment.
    theirs = page.locator(f"#comment-{dee}")
    theirs.locator("summary", has_text="Report").first.click()
    type_into(theirs.get_by_label(re.compile("Why should a moderator")).first, "Off topic.")
    theirs.get_by_role("button", name="Send report").first.click()
    expect(page.locator(".comments-status")).to_contain_text("a moderator will look")
    camera.step(page, "reported")
    assert errors == []
    context.close()


def test_a_reader_without_javascript_reads_comments_and_posts_one(blog: Blog, browser: Any) -> None:
    camera = Camera("reader-no-javascript")
    someone_else_comments(blog, OTHER_POST, "Which chart do you start with?")
    blog.run.stop()
    blog.run.start().wait_until_serving()  # the static pages hold what was approved

    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto(blog.url())
    expect(page.locator("article", has_text="Run charts without").first).to_contain_text(
        "1 comment"
    )
    camera.step(page, "home")
    page.goto(blog.post_url(OTHER_POST))
    expect(page.locator("#comments-heading")).to_have_text("Comments (1)")
    expect(comment_with(page, "Which chart")).to_be_visible()
    camera.step(page, "post")

    type_into(page.get_by_label("Name (required)"), "Nora No-Script")
    type_into(page.get_by_label("E-mail (required)"), "nora@example.org")
    type_into(page.get_by_label("Comment (required)"), "A run chart, always.")
    page.wait_for_timeout(3000)  # the API refuses forms sent quicker than a person writes
    page.get_by_role("button", name="Post comment").click()
    notice = page.locator("#comment-awaiting-moderation")
    expect(notice).to_be_visible()
    expect(page.locator("#comments-heading")).to_be_in_viewport()
    camera.step(page, "held")

    page.goto(blog.post_url(OTHER_POST))
    theirs = comment_with(page, "Which chart")
    theirs.locator("summary", has_text="Report").click()
    type_into(theirs.get_by_label(re.compile("Why should a moderator")), "Looks like spam.")
    theirs.get_by_role("button", name="Send report").click()
    expect(page.locator("#comment-reported")).to_be_visible()
    camera.step(page, "reported")
    context.close()


def test_a_reader_does_it_all_with_the_keyboard_alone(blog: Blog, browser: Any) -> None:
    camera = Camera("reader-keyboard")
    dee = someone_else_comments(blog, KEYBOARD_POST, "How short can a cycle be?")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(blog.post_url(KEYBOARD_POST))
    keys = page.keyboard

    tab_to(page, page.get_by_label("Name (required)"))
    keys.type("Kay Board", delay=TYPING_DELAY_MS)
    keys.press("Tab")
    keys.type("kay@example.org", delay=TYPING_DELAY_MS)
    tab_to(page, page.get_by_label("Comment (required)"))
    keys.type("One week, if the change is small.", delay=TYPING_DELAY_MS)
    camera.step(page, "typed")
    tab_to(page, page.get_by_role("button", name="Post comment"))
    keys.press("Enter")
    expect(comment_with(page, "One week")).to_contain_text("awaiting moderation")
    camera.step(page, "held")

    approve_all_pending(blog)
    page.reload()
    tab_to(page, page.get_by_role("button", name="Reply to Dee Reviewer"))
    keys.press("Enter")
    expect(page.get_by_label("Comment (required)")).to_be_focused()
    keys.type("Ours was three days.", delay=TYPING_DELAY_MS)
    keys.press("Escape")  # changed my mind: the reply form goes home
    expect(page.locator("#comment-form-heading")).to_have_text("Leave a comment")
    tab_to(page, page.get_by_role("button", name="Reply to Dee Reviewer"), backwards=True)
    keys.press("Enter")
    keys.press("Control+A")
    keys.type("Ours was three days.", delay=TYPING_DELAY_MS)
    tab_to(page, page.get_by_label("Name (required)"), backwards=True)
    keys.type("Kay Board", delay=TYPING_DELAY_MS)
    keys.press("Tab")
    keys.type("kay@example.org", delay=TYPING_DELAY_MS)
    tab_to(page, page.get_by_role("button", name="Post comment"))
    keys.press("Enter")
    reply = page.locator(f"#comment-{dee} .comment-replies li.comment").first
    expect(reply).to_contain_text("three days")
    camera.step(page, "replied")

    tab_to(page, reply.get_by_role("button", name="Edit"), backwards=True)
    keys.press("Enter")
    keys.press("End")
    keys.type(" Two, once.", delay=TYPING_DELAY_MS)
    keys.press("Tab")
    keys.press("Enter")  # Save
    expect(reply).to_contain_text("Two, once.")
    expect(reply).to_contain_text("edited")
    camera.step(page, "edited")

    theirs = page.locator(f"#comment-{dee}")
    tab_to(page, theirs.locator("summary").first, backwards=True)
    keys.press("Enter")
    keys.press("Tab")
    keys.type("Please check this one.", delay=TYPING_DELAY_MS)
    keys.press("Tab")
    keys.press("Enter")
    expect(page.locator(".comments-status")).to_contain_text("a moderator will look")
    camera.step(page, "reported")
    context.close()
