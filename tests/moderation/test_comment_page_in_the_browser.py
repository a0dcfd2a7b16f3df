"""A moderator opens one comment from the audit log and takes a detail out of it, in Chromium.

Screenshots of the page (360 and 1280 px wide, light and dark) go to output/shots/.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.helpers import ROOT, axe_violations, describe_violations
from tests.live_site import Stack
from tests.moderation.browser_support import (
    MODERATOR,
    moderated_stack,
    sign_in_messages,
    wait_for_sign_in_link,
)
from tests.smtp import Mailbox, SmtpServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = ROOT / "output" / "shots"
WIDTHS = {"phone": {"width": 360, "height": 800}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory,
    smtp_server: SmtpServer,
) -> Iterator[Stack]:
    yield from moderated_stack(tmp_path_factory, smtp_server)


def sign_in(page: Any, stack: Stack, mailbox: Mailbox) -> None:
    """Ask for a link by typing the address, open it from the mail, press "Sign in"."""
    seen = len(sign_in_messages(mailbox))
    page.goto(f"{stack.api.url}/auth/sign-in?next=/moderation/log")
    page.get_by_label("Your e-mail address").press_sequentially(MODERATOR)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    page.goto(wait_for_sign_in_link(mailbox, seen))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")


def shoot(browser: Any, state: dict[str, Any], url: str, name: str) -> None:
    """Screenshots of one page at both widths, light and dark, signed in as the moderator."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        for label, viewport in WIDTHS.items():
            context = browser.new_context(
                storage_state=state, viewport=viewport, color_scheme=scheme
            )
            try:
                page = context.new_page()
                page.goto(url)
                page.screenshot(path=str(SHOTS / f"{name}-{label}-{scheme}.png"), full_page=True)
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 0, f"{name} scrolls sideways at {label} ({scheme})"
            finally:
                context.close()


def test_a_moderator_opens_a_comment_from_the_log_and_redacts_a_detail(
    stack: Stack,
    browser: Any,
    smtp_server: SmtpServer,
) -> None:
    question = stack.api.post_comment(
        "ward-news",
        author="Dee Reader",
        email="dee@example.org",
        body="Who looked after you on the night shift?",
    )["comment"]["id"]
    stack.api.approve(question)
    answer = stack.api.post_comment(
        "ward-news",
        author="Gus Guest",
        email="gus@example.org",
        parent=question,
        body="Sister Jones, while I was in bed 12 of Ward 4. **Thank you** to the whole team.",
    )["comment"]["id"]
    stack.api.approve(answer)
    stack.api.post_comment(
        "ward-news",
        author="Bo Baker",
        email="bo@example.org",
        parent=answer,
        body="Same here, they were wonderful.",
    )
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        sign_in(page, stack, smtp_server.mailbox)
        page.get_by_role("link", name=f"Comment {answer}", exact=True).first.click()

        expect(page.get_by_role("heading", level=1)).to_have_text(f"Comment {answer} by Gus Guest")
        expect(page.get_by_role("link", name=f"comment {question} by Dee Reader")).to_be_visible()
        expect(page.locator(".replies")).to_contain_text("by Bo Baker (held for a moderator")
        expect(page.locator(".history")).to_contain_text("Approved by command line")
        shoot(browser, context.storage_state(), page.url, "comment-page")

        text = page.get_by_label("Text (Markdown)")
        text.click()
        page.keyboard.press("Control+A")
        page.keyboard.type("A nurse on Ward 4 looked after me. **Thank you** to the whole team.")
        page.keyboard.press("Tab")
        expect(page.get_by_label("Reason (optional, for the audit log)")).to_be_focused()
        page.keyboard.type("named a nurse and a bed")
        page.keyboard.press("Enter")

        expect(page.get_by_role("status")).to_have_text(
            "The comment's text is changed; readers see that a moderator edited it."
        )
        expect(page.locator(".body")).to_have_text(
            "A nurse on Ward 4 looked after me. Thank you to the whole team."
        )
        expect(page.locator("dl")).to_contain_text("edited by a moderator")
        expect(page.locator(".history")).to_contain_text(
            "Text edited by head.nurse@staff.example.org: “named a nurse and a bed”"
        )
        status, listed = stack.api.call("GET", "/api/v1/threads/ward-news/comments")
        assert status == 200
        [shown] = [comment for comment in listed["comments"] if comment["id"] == answer]
        assert shown["edited_by"] == "moderator"
        assert "bed 12" not in shown["html"] and "Jones" not in shown["html"]
        shoot(browser, context.storage_state(), page.url, "comment-page-redacted")
        assert errors == []
    finally:
        context.close()

    checked = browser.new_context(bypass_csp=True, storage_state=None)
    try:
        page = checked.new_page()
        sign_in(page, stack, smtp_server.mailbox)
        page.goto(f"{stack.api.url}/moderation/comments/{answer}")
        violations = axe_violations(page)
        assert violations == [], describe_violations(violations)
    finally:
        checked.close()
