"""A moderator works the queue in a real Chromium: e-mailed sign-in, approve, seen on the post."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.auth.support import Mailbox, sign_in_link, smtp_server  # noqa: F401
from tests.e2e.conftest import Stack, StaticSite
from tests.helpers import axe_violations, describe_violations
from tests.plugin.support import CommentsApi, content_folder, post

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MODERATOR = "head.nurse@staff.example.org"


@dataclass
class ModeratedApi(CommentsApi):
    """The real API process, sending its mail to the test's SMTP server."""

    smtp_port: int = 0

    def environment(self) -> dict[str, str]:
        return {
            **super().environment(),
            # Development: the cookie is not Secure, as the browser talks plain HTTP to 127.0.0.1.
            "COMMENTS_ENV": "development",
            "COMMENTS_SMTP_HOST": "127.0.0.1",
            "COMMENTS_SMTP_PORT": str(self.smtp_port),
            "COMMENTS_SMTP_FROM": "comments@blog.test",
            "COMMENTS_MAIL_INTERVAL_SECONDS": "1",
            "COMMENTS_VERIFIED_DOMAINS": "staff.example.org",
            "COMMENTS_THREADS_FILE": "",
        }


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory, smtp_server: tuple[Mailbox, int]  # noqa: F811
) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("moderated")
    site = StaticSite(folder / "output")
    api = ModeratedApi(folder / "api", site_origin=site.url, smtp_port=smtp_server[1])
    try:
        api.start()
        content = content_folder(folder / "content")
        post(content, "ward-news", "News from the ward")
        built = Stack(site, api, content)
        built.publish()
        api.cli("create-user", MODERATOR, "--role", "moderator", "--name", "Head Nurse")
        yield built
    finally:
        api.stop()
        site.close()


def sign_in_messages(mailbox: Mailbox) -> list[Any]:
    return [m for m in mailbox.to(MODERATOR) if m["Subject"] == "Your sign-in link"]


def wait_for_sign_in_link(mailbox: Mailbox, seen: int) -> str:
    """The link in the next sign-in message (the server's mail sender runs every second)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        received = sign_in_messages(mailbox)
        if len(received) > seen:
            return sign_in_link(received[-1])
        time.sleep(0.2)
    raise AssertionError(f"no sign-in message reached {MODERATOR}")


def test_a_moderator_signs_in_by_email_approves_a_held_comment_and_readers_see_it(
    stack: Stack, browser: Any, smtp_server: tuple[Mailbox, int]  # noqa: F811
) -> None:
    mailbox = smtp_server[0]
    held = stack.api.post_comment(
        "ward-news", author="Gus Guest", email="gus@example.org",
        body="Thank you to the night team for *everything*.",
    )
    assert held["status"] == "pending"
    comment_id = held["comment"]["id"]
    before = len(sign_in_messages(mailbox))
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{stack.api.url}/moderation")
        expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
        page.get_by_role("link", name="Sign in as a moderator").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to comment")
        page.get_by_label("Your e-mail address").fill(MODERATOR)
        page.get_by_role("button", name="E-mail me a sign-in link").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")

        page.goto(wait_for_sign_in_link(mailbox, before))
        expect(page.get_by_role("heading", level=1)).to_have_text(
            re.compile(r"^Sign in to .+ as h•••@staff\.example\.org\?$")
        )
        page.get_by_role("button", name="Sign in").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Moderation queue")
        assert page.url == f"{stack.api.url}/moderation"
        queued = page.locator(f"#comment-{comment_id}")
        expect(queued).to_contain_text("Thank you to the night team")
        expect(queued).to_contain_text("gus@example.org")
        queued.get_by_role("button", name=f"Approve: comment {comment_id}").click()

        expect(page.get_by_role("status")).to_have_text("1 comment approved.")
        expect(page.locator(f"#comment-{comment_id}")).to_have_count(0)
        status, listed = stack.api.call("GET", "/api/v1/threads/ward-news/comments")
        assert status == 200
        assert [comment["id"] for comment in listed["comments"]] == [comment_id]

        page.goto(_post_url(stack))
        expect(page.locator(f"#comment-{comment_id}")).to_contain_text(
            "Thank you to the night team"
        )
        assert errors == []
    finally:
        context.close()


def _post_url(stack: Stack) -> str:
    manifest = json.loads((stack.site.folder / "comments" / "threads.json").read_text())
    [thread] = [item for item in manifest["threads"] if item["key"] == "ward-news"]
    url: str = thread["url"]
    return url if url.startswith("http") else stack.site.url + "/" + url.lstrip("/")


def test_the_sign_in_page_and_the_queue_pass_axe(
    stack: Stack, browser: Any, smtp_server: tuple[Mailbox, int]  # noqa: F811
) -> None:
    mailbox = smtp_server[0]
    stack.api.post_comment(
        "ward-news", author="Ann Example", email="ann@example.org",
        body="See [the leaflet](https://leaflets.example.org/ward).",
    )
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(f"{stack.api.url}/auth/sign-in?next=/moderation")
        violations = axe_violations(page)
        assert violations == [], describe_violations(violations)

        before = len(sign_in_messages(mailbox))
        page.get_by_label("Your e-mail address").fill(MODERATOR)
        page.get_by_role("button", name="E-mail me a sign-in link").click()
        violations = axe_violations(page)
        assert violations == [], describe_violations(violations)
        page.goto(wait_for_sign_in_link(mailbox, before))
        violations = axe_violations(page)
        assert violations == [], f"sign-in confirmation:\n{describe_violations(violations)}"
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Moderation queue")

        for path in ("/moderation", "/moderation/spam", "/moderation/log",
                     "/moderation/search?q=leaflet", "/auth/sign-in"):
            page.goto(stack.api.url + path)
            violations = axe_violations(page)
            assert violations == [], f"{path}:\n{describe_violations(violations)}"
        page.goto(stack.api.url + "/moderation")
        page.keyboard.press("Tab")
        focused = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert focused != "none"
    finally:
        context.close()
