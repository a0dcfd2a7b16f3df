"""Members sign in with the organisation's accounts: a real OpenID provider, a real Chromium.

The provider (oidc-provider, tests/oidc/provider.mjs) shows its own login and consent pages;
the reader types into them as a person would and comes back to the post's comments.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Reader
from tests.helpers import ROOT, axe_violations, describe_violations
from tests.oidc.conftest import ProviderStack
from tests.oidc.support import BUTTON

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = ROOT / "output" / "oidc"


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(SHOTS / f"{name}.png")), full_page=True)


def log_in_at_the_provider(page: Any, login: str) -> None:
    """The provider's own login page, then its consent page: typed, tabbed, Enter."""
    expect(page.get_by_role("heading", name="Sign-in")).to_be_visible()
    login_field = page.locator("input[name=login]")
    login_field.press_sequentially(login)
    expect(login_field).to_have_value(login)
    page.keyboard.press("Tab")
    page.keyboard.type("any password")
    page.keyboard.press("Enter")
    continue_button = page.get_by_role("button", name="Continue")
    expect(continue_button).to_be_visible()
    continue_button.focus()
    page.keyboard.press("Enter")


def press_link(page: Any, name: str) -> None:
    link = page.get_by_role("link", name=name)
    link.focus()
    page.keyboard.press("Enter")


def test_a_member_signs_in_from_a_post_and_comments_with_the_badge(
    stack: ProviderStack, reader: Reader
) -> None:
    page = reader.page
    page.goto(stack.url("network-post"))
    expect(page.locator(".comment-sign-in")).to_contain_text(BUTTON)
    shot(page, "post-with-provider-button")
    press_link(page, BUTTON)

    log_in_at_the_provider(page, "ada")

    expect(page).to_have_url(stack.url("network-post") + "#comments")
    signed_in = page.locator(".comment-user")
    expect(signed_in).to_have_text("Signed in as Ada Lovelace · Sign out")
    expect(page.get_by_label("Name (required)")).to_be_hidden()
    page.get_by_label("Comment (required)").press_sequentially(
        "Our network tried this in three wards."
    )
    page.get_by_role("button", name="Post comment").focus()
    page.keyboard.press("Enter")

    expect(page.locator(".comments-status")).to_have_text("Thank you. Your comment is published.")
    mine = page.locator(".comment-list > li.comment").last
    expect(mine).to_contain_text("Ada Lovelace")
    expect(mine.locator(".comment-badge")).to_have_text("verified member")
    expect(mine).to_contain_text("Our network tried this in three wards.")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    shot(page, "member-commented-with-badge")
    status, thread = stack.api.call("GET", "/api/v1/threads/network-post/comments")
    assert status == 200
    assert [(c["author"], c["verified"]) for c in thread["comments"]] == [("Ada Lovelace", True)]
    assert reader.errors == []
