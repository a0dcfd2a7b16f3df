"""The static pages follow the comments by themselves under `make run`: a moderator approves,
the API's build hook asks `make run` to build again, and a reader without JavaScript reloads
the post and the home page and sees the comment and its count."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.devrun import POST
from tests.journeys.support import Blog, Camera, link_in, tab_to, type_into

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MODERATOR = "loop.moderator@example.org"
BODY = "Night shift tried the new handover sheet; it stuck."
# Bounded: the hook waits about a second for changes to settle, then a build takes a few more.
REBUILT_SECONDS = 90


def count_link(page: Any) -> Any:
    return page.locator(f'a[href$="/{POST}.html#comments"]').first


def reload_until(page: Any, locator: Any, text: str, seconds: float) -> None:
    """Reload the page, as a reader would, until `locator` shows `text` (bounded)."""
    deadline = time.monotonic() + seconds
    while True:
        page.reload()
        if text in (locator.text_content() or ""):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"after {seconds:g} s the page still does not show {text!r}")
        page.wait_for_timeout(1000)


def test_an_approval_rebuilds_the_static_pages_and_a_reader_without_javascript_sees_it(
    blog: Blog, browser: Any
) -> None:
    camera = Camera("static-loop")
    made = blog.cli("create-user", MODERATOR, "--role", "moderator", "--name", "Loop Moderator")
    assert made.returncode == 0, made.stderr
    created = blog.api(
        "POST",
        f"threads/{POST}/comments",
        json={"author": "Grace Night", "email": "grace@example.org", "body": BODY},
    )
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "pending"
    comment_id = created.json()["comment"]["id"]

    reader_context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    reader = reader_context.new_page()
    reader.goto(blog.url("/"))
    before = count_link(reader).text_content() or ""
    assert before.strip() == "0 comments"
    reader.goto(blog.post_url(POST))
    expect(reader.locator("section#comments")).not_to_contain_text(BODY)
    camera.step(reader, "post-before-approval")

    moderator_context = browser.new_context(viewport={"width": 1280, "height": 900})
    desk = moderator_context.new_page()
    desk.goto(f"{blog.run.api_url}/moderation")
    desk.get_by_role("link", name="Sign in as a moderator").click()
    type_into(desk.get_by_label("Your e-mail address"), MODERATOR)
    desk.get_by_label("Your e-mail address").press("Enter")
    expect(desk.locator(".notice")).to_contain_text("on its way")
    desk.goto(link_in(blog.mail_to(MODERATOR), "/api/v1/auth/callback"))
    desk.get_by_role("button", name="Sign in").click()
    expect(desk).to_have_url(f"{blog.run.api_url}/moderation")
    approve = desk.get_by_role("button", name=f"Approve: comment {comment_id}")
    tab_to(desk, approve)
    desk.keyboard.press("Enter")
    expect(desk.get_by_role("status")).to_have_text("1 comment approved.")

    reader.goto(blog.post_url(POST))
    reload_until(reader, reader.locator("section#comments"), BODY, REBUILT_SECONDS)
    expect(reader.locator(f"#comment-{comment_id}")).to_contain_text("Grace Night")
    camera.step(reader, "post-after-the-rebuild")
    reader.goto(blog.url("/"))
    expect(count_link(reader)).to_have_text("1 comment")
    camera.step(reader, "home-page-count")

    desk.reload()
    expect(desk.locator("#site-rebuild")).to_contain_text("The site was last asked to rebuild on")
    expect(desk.locator("#site-rebuild")).to_contain_text("it answered.")
    camera.step(desk, "moderation-page-says-the-site-answered")
    assert "Comments changed: building the site again." in blog.run.output()
    assert "The site is up to date with its comments" in blog.run.output()
    moderator_context.close()
    reader_context.close()


def test_the_local_rebuild_endpoint_refuses_a_call_without_this_runs_token(blog: Blog) -> None:
    refused = httpx.post(blog.url("/_rebuild"), headers={"Authorization": "Bearer guess"})
    assert refused.status_code == 401
    assert httpx.post(blog.url("/_rebuild")).status_code == 401
    assert httpx.post(blog.url("/elsewhere")).status_code == 404
