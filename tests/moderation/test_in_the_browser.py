"""A moderator works in a real Chromium: e-mailed sign-in, approve, ban and unban, audit log.

Everything is typed, tabbed, clicked and pressed as a person would, and checked as they see it.
"""

from __future__ import annotations

import json
import re
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
WIDTHS = {"desktop": 1280, "phone": 360}
# The cells of a table whose text runs past their edge (cut off, or scrolled out of sight).
CUT_OFF = """table => [...table.querySelectorAll("td")]
    .filter(cell => cell.scrollWidth > cell.clientWidth + 1)
    .map(cell => `${cell.dataset.label}: ${cell.textContent.trim()}`)"""


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory,
    smtp_server: SmtpServer,
) -> Iterator[Stack]:
    yield from moderated_stack(tmp_path_factory, smtp_server)


def sign_in(page: Any, mailbox: Mailbox, seen: int) -> None:
    """On the sign-in form: type the address, press Enter, open the mailed link, press Sign in."""
    field = page.get_by_label("Your e-mail address")
    field.click()
    field.press_sequentially(MODERATOR)
    expect(field).to_have_value(MODERATOR)
    field.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")

    page.goto(wait_for_sign_in_link(mailbox, seen))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Sign in to .+ as h•••@staff\.example\.org\?$")
    )
    page.get_by_role("button", name="Sign in").click()


def test_a_moderator_signs_in_by_email_approves_a_held_comment_and_readers_see_it(
    stack: Stack,
    browser: Any,
    smtp_server: SmtpServer,
) -> None:
    mailbox = smtp_server.mailbox
    held = stack.api.post_comment(
        "ward-news",
        author="Gus Guest",
        email="gus@example.org",
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

        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to moderate")
        sign_in(page, mailbox, before)

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
    stack: Stack,
    browser: Any,
    smtp_server: SmtpServer,
) -> None:
    mailbox = smtp_server.mailbox
    stack.api.post_comment(
        "ward-news",
        author="Ann Example",
        email="ann@example.org",
        body="See [the leaflet](https://leaflets.example.org/ward).",
    )
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(f"{stack.api.url}/auth/sign-in?next=/moderation")
        violations = axe_violations(page)
        assert violations == [], describe_violations(violations)

        before = len(sign_in_messages(mailbox))
        field = page.get_by_label("Your e-mail address")
        field.press_sequentially(MODERATOR)
        page.get_by_role("button", name="E-mail me a sign-in link").click()
        # axe runs on the page the form led to, once it is there.
        expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
        violations = axe_violations(page)
        assert violations == [], describe_violations(violations)
        page.goto(wait_for_sign_in_link(mailbox, before))
        violations = axe_violations(page)
        assert violations == [], f"sign-in confirmation:\n{describe_violations(violations)}"
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Moderation queue")

        for path in (
            "/moderation",
            "/moderation/spam",
            "/moderation/log",
            "/moderation/bans",
            "/moderation/search?q=leaflet",
            "/auth/sign-in",
        ):
            page.goto(stack.api.url + path)
            violations = axe_violations(page)
            assert violations == [], f"{path}:\n{describe_violations(violations)}"
        page.goto(stack.api.url + "/moderation")
        page.keyboard.press("Tab")
        focused = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert focused != "none"
    finally:
        context.close()


# Where a line of an address may break: after its @, before a dot, or at a space.
LINE_BREAKS = """cell => {
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  const letters = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const box = range.getClientRects()[0];
      if (box) letters.push([node.data[i], Math.round(box.top)]);
    }
  }
  const breaks = [];
  for (let i = 1; i < letters.length; i++)
    if (letters[i][1] > letters[i - 1][1]) breaks.push(letters[i - 1][0] + letters[i][0]);
  return breaks;
}"""
ONE_COLUMN = """table => [...table.querySelectorAll('tbody tr')].every(row => {
  const cells = [...row.children].map(cell => cell.getBoundingClientRect())
    .filter(cell => cell.width > 0);  // an empty cell shows nothing at all
  return cells.every((cell, i) =>
    cell.left === cells[0].left && (i === 0 || cell.top > cells[i - 1].top));
})"""


def shoot(page: Any, name: str) -> None:
    """Screenshots of the page as it is, at 1280 and 360 px wide, light and dark."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for size, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 800})
            page.screenshot(path=str(SHOTS / f"{name}-{size}-{scheme}.png"), full_page=True)
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 800})


def tab_to(page: Any, name: str, limit: int = 60) -> None:
    """Press Tab until the focused control is the one called `name`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => document.activeElement.getAttribute('aria-label') || "
            "document.activeElement.textContent.trim()"
        )
        if focused == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")


def comment_status(stack: Stack, email: str) -> int:
    status, _ = stack.api.call(
        "POST",
        "/api/v1/threads/ward-news/comments",
        {"author": "Someone", "email": email, "body": "Trying to comment."},
    )
    return status


def test_a_moderator_bans_an_author_and_lifts_the_ban_with_keyboard_and_clicks(
    stack: Stack,
    browser: Any,
    smtp_server: SmtpServer,
) -> None:
    mailbox = smtp_server.mailbox
    troll = stack.api.post_comment(
        "ward-news",
        author="Rude Visitor",
        email="rude.visitor@example.org",
        body="You are all useless.",
    )["comment"]["id"]
    context = browser.new_context(bypass_csp=True)  # for axe; the headers are tested elsewhere
    page = context.new_page()
    try:
        page.goto(f"{stack.api.url}/auth/sign-in?next=/moderation")
        sign_in(page, mailbox, len(sign_in_messages(mailbox)))
        expect(page.get_by_role("heading", level=1)).to_have_text("Moderation queue")
        shoot(page, "queue")

        page.get_by_role("link", name=f"Ban author: comment {troll}").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            f"Ban the author of comment {troll}"
        )
        expect(page.get_by_role("group", name="Network address")).to_contain_text(
            "signed-in members included"
        )
        expect(page.get_by_label("Do not ban the network (recommended)")).to_be_checked()
        violations = axe_violations(page)
        assert violations == [], f"ban form:\n{describe_violations(violations)}"
        shoot(page, "ban-form")
        reason = page.get_by_label("Reason (optional, for the audit log)")
        reason.click()
        reason.press_sequentially("Insults staff")
        reason.press("Enter")

        expect(page.get_by_role("status")).to_have_text("Author of 1 comment banned.")
        assert comment_status(stack, "rude.visitor@example.org") == 403
        assert comment_status(stack, "a.colleague@example.org") == 201, (
            "everyone else at the same address still comments"
        )

        page.get_by_role("link", name="Bans").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Bans")
        row = page.locator("tbody tr", has_text="rude.visitor@example.org")
        expect(row).to_contain_text("the e-mail address")
        expect(row).to_contain_text("Insults staff")
        violations = axe_violations(page)
        assert violations == [], f"bans page:\n{describe_violations(violations)}"
        shoot(page, "bans")
        tab_to(page, "Lift ban: the e-mail address rude.visitor@example.org")
        page.keyboard.press("Enter")

        expect(page.get_by_role("status")).to_contain_text("Ban lifted")
        expect(page.get_by_text("Nobody is banned.")).to_be_visible()
        assert comment_status(stack, "rude.visitor@example.org") == 201

        page.get_by_role("link", name="Audit log").click()
        log = page.locator("table.records")
        expect(log.locator("tbody tr").first).to_contain_text("unban")
        expect(log).to_contain_text("Banned the e-mail address. Reason: Insults staff")
        shoot(page, "audit-log")
        page.set_viewport_size({"width": WIDTHS["phone"], "height": 800})
        assert log.evaluate(ONE_COLUMN), "at 360 px each entry is one column"
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS["phone"]
        assert log.evaluate(CUT_OFF) == [], "at 360 px every value fits its card"
        who = log.locator("td[data-label=Who]", has_text=MODERATOR).first
        breaks = who.evaluate(LINE_BREAKS)
        assert breaks, "the address is long enough to need a second line at 360 px"
        assert all(pair[0] in "@ " or pair[1] in ". " for pair in breaks), (
            f"the address is cut mid-word: {breaks}"
        )
    finally:
        context.close()
