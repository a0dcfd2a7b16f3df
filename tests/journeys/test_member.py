"""The member: signs in with the link from the development mail sink, comments under their
name (published at once), and signs out, against `make run`'s own stack."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.devrun import POST
from tests.journeys.support import TYPING_DELAY_MS, Blog, Camera, link_in, tab_to, type_into

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MEMBER = "grace.hopper@example.org"


def test_a_member_signs_in_from_the_mail_comments_and_signs_out(blog: Blog, browser: Any) -> None:
    camera = Camera("member")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(blog.post_url(POST))
    prompt = page.locator(".comment-sign-in")
    expect(prompt).to_contain_text("If you have an account please sign in")
    camera.step(page, "post")
    prompt.get_by_role("link", name=re.compile("sign in", re.IGNORECASE)).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to comment")
    type_into(page.get_by_label("Your e-mail address"), MEMBER)
    camera.step(page, "sign-in-form")
    page.get_by_label("Your e-mail address").press("Enter")
    expect(page.locator(".notice")).to_contain_text("on its way")
    camera.step(page, "link-sent")

    message = blog.mail_to(MEMBER)
    assert message["Subject"] == "Your sign-in link"
    page.goto(link_in(message, "/api/v1/auth/callback"))
    name = page.get_by_label("Name shown with your comments")
    expect(name).to_have_value("")  # nothing taken from the address
    type_into(name, "Grace Hopper")
    camera.step(page, "confirm")
    name.press("Enter")

    expect(page).to_have_url(re.compile(re.escape(blog.post_url(POST))))
    signed_in = page.locator(".comment-user")
    expect(signed_in).to_be_visible()
    expect(signed_in).to_contain_text("Signed in as Grace Hopper")
    expect(page.get_by_label("Name (required)")).to_be_hidden()
    camera.step(page, "signed-in")

    body = page.get_by_label("Comment (required)")
    type_into(body, "Members of the network: our **huddle board** template is on the wiki.")
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".comments-status")).to_contain_text("published")
    mine = page.locator("li.comment", has_text="huddle board").first
    expect(mine).to_contain_text("Grace Hopper")
    expect(mine).not_to_contain_text("grace.hopper")
    expect(mine).not_to_contain_text("awaiting moderation")
    expect(page.locator("#comments-heading")).to_have_text("Comments (1)")
    camera.step(page, "commented")
    page.reload()
    expect(page.locator("li.comment", has_text="huddle board")).to_have_count(1)

    signed_in.get_by_role("button", name="Sign out").click()
    expect(page.locator(".comments-status")).to_contain_text("signed out")
    expect(page.get_by_label("Name (required)")).to_be_visible()
    expect(page.get_by_label("Name (required)")).to_be_focused()
    camera.step(page, "signed-out")
    page.reload()
    expect(page.get_by_label("Name (required)")).to_be_visible()
    assert errors == []
    context.close()


def test_a_member_does_it_with_the_keyboard_alone(blog: Blog, browser: Any) -> None:
    camera = Camera("member-keyboard")
    address = "ada.keys@example.org"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    keys = page.keyboard
    page.goto(blog.post_url(POST))

    tab_to(page, page.locator(".comment-sign-in").get_by_role("link", name="sign in"))
    keys.press("Enter")
    tab_to(page, page.get_by_label("Your e-mail address"))
    keys.type(address, delay=TYPING_DELAY_MS)
    keys.press("Enter")
    expect(page.locator(".notice")).to_contain_text("on its way")
    page.goto(link_in(blog.mail_to(address), "/api/v1/auth/callback"))
    tab_to(page, page.get_by_role("button", name="Sign in"))
    keys.press("Enter")
    expect(page.locator(".comment-user")).to_be_visible()

    tab_to(page, page.get_by_label("Comment (required)"))
    keys.type(
        "Typed without a mouse: Tab to the box, type the comment, Tab to the button, press Enter.",
        delay=TYPING_DELAY_MS,
    )
    tab_to(page, page.get_by_role("button", name="Post comment"))
    keys.press("Enter")
    expect(page.locator(".comments-status")).to_contain_text("published")
    expect(page.locator("li.comment", has_text="Typed without a mouse")).to_have_count(1)
    camera.step(page, "commented")

    tab_to(
        page, page.locator(".comment-user").get_by_role("button", name="Sign out"), backwards=True
    )
    keys.press("Enter")
    expect(page.get_by_label("Name (required)")).to_be_focused()
    camera.step(page, "signed-out")
    context.close()
