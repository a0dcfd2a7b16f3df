"""Members sign in with the organisation's accounts: a real OpenID provider, a real Chromium.

The provider (oidc-provider, tests/oidc/provider.mjs) shows its own login and consent pages;
the reader types into them as a person would and comes back to the post's comments.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.helpers import ROOT, Reader, axe_violations, describe_violations
from tests.live_site import next_sign_in_link, sign_in_messages
from tests.oidc.conftest import ProviderStack
from tests.oidc.support import BUTTON
from tests.smtp import SmtpServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = ROOT / "output" / "oidc"


@pytest.fixture
def checked_reader(reader_factory: Any) -> Reader:
    """A tab in which axe-core may run on the service's pages (their CSP allows no scripts)."""
    found: Reader = reader_factory(bypass_csp=True)
    return found


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


def session_cookies(page: Any) -> list[str]:
    """The comments service's session cookie, if the browser holds one (nobody signed in)."""
    return [
        cookie["name"] for cookie in page.context.cookies() if cookie["name"] == "comments_session"
    ]


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
    expect(signed_in).to_have_text("Signed in as Ada Lovelace · Sign out", use_inner_text=True)
    expect(page.get_by_role("link", name="Moderate comments")).to_be_hidden()
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

    # Signing out here leaves the provider's session: the widget offers to end that too.
    page.get_by_role("button", name="Sign out").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".comments-status")).to_have_text(
        "You are signed out here. You may still be signed in to your organisation's account."
    )
    expect(page.get_by_label("Name (required)")).to_be_visible()
    shot(page, "member-signed-out-in-the-widget")
    press_link(page, "sign out of it too")
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page).to_have_url(f"{stack.api.url}/auth/sign-in?signed_out=1")
    page.goto(stack.url("network-post"))
    press_link(page, BUTTON)
    expect(page.get_by_role("heading", name="Sign-in")).to_be_visible()  # asked again
    status, thread = stack.api.call("GET", "/api/v1/threads/network-post/comments")
    assert status == 200
    assert [(c["author"], c["verified"]) for c in thread["comments"]] == [("Ada Lovelace", True)]
    assert reader.errors == []


def sign_in_page(stack: ProviderStack, next_path: str = "/auth/sign-in") -> str:
    query = f"?next={next_path}" if next_path else ""
    return f"{stack.api.url}/auth/sign-in{query}"


def test_a_moderator_from_the_group_claim_reaches_the_queue_and_loses_it_with_the_group(
    stack: ProviderStack, checked_reader: Reader
) -> None:
    page = checked_reader.page
    page.goto(sign_in_page(stack, "/moderation"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to moderate")
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    shot(page, "sign-in-page-with-provider-button")
    press_link(page, BUTTON)
    log_in_at_the_provider(page, "grace")

    expect(page).to_have_url(f"{stack.api.url}/moderation")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Moderation")
    shot(page, "moderator-reached-the-queue")

    # Under a post, the widget shows a moderator the way to the queue.
    page.goto(stack.url("network-post"))
    expect(page.locator(".comment-user")).to_have_text(
        "Signed in as Grace Hopper · Moderate comments · Sign out", use_inner_text=True
    )
    press_link(page, "Moderate comments")
    expect(page).to_have_url(f"{stack.api.url}/moderation")

    # The provider drops grace from the moderators' group: at her next sign-in she is a member.
    stack.provider.break_it(groups={"grace": ["members"]})
    try:
        page.goto(sign_in_page(stack))
        page.get_by_role("button", name="Sign out").focus()
        page.keyboard.press("Enter")
        notice = page.get_by_role("status")
        expect(notice).to_contain_text("You are signed out here.")
        shot(page, "signed-out-offers-the-provider-sign-out")
        press_link(page, "sign out of it too")
        page.get_by_role("button", name="Yes, sign me out").click()
        expect(page).to_have_url(f"{stack.api.url}/auth/sign-in?signed_out=1")
        expect(page.get_by_role("status")).to_have_text("You are signed out.")

        page.goto(sign_in_page(stack, "/moderation"))
        press_link(page, BUTTON)
        log_in_at_the_provider(page, "grace")
        expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
        expect(page.get_by_role("alert")).to_contain_text("your account is not a moderator's")
    finally:
        stack.provider.break_it()


def test_a_reader_without_javascript_signs_in_and_comes_back_to_the_comments(
    stack: ProviderStack, reader_factory: Any
) -> None:
    page = reader_factory(java_script_enabled=False).page
    page.goto(stack.url("quiet-post"))
    press_link(page, BUTTON)
    log_in_at_the_provider(page, "ada")
    expect(page).to_have_url(stack.url("quiet-post") + "#comments")
    page.goto(sign_in_page(stack))
    expect(page.get_by_role("heading", level=1)).to_have_text("You are signed in")
    expect(page.get_by_role("main")).to_contain_text("Signed in as Ada Lovelace (verified)")


def refusal(page: Any, status: int, title: str, detail: str) -> None:
    """The page a failure leads to: its heading, what it says, and the ways on."""
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("alert")).to_contain_text(detail)
    expect(page.get_by_role("link", name="Sign in with an e-mailed link")).to_be_visible()
    expect(page.get_by_role("link", name="Try signing in again")).to_be_visible()


def answer_status(page: Any, action: Any) -> int:
    """Do `action` and return the HTTP status of the comments service page it ends on."""
    with page.expect_response(
        lambda response: (
            "/auth/oidc/" in response.url
            and response.request.resource_type == "document"
            and response.status != 303
        )
    ) as answer:
        action()
    return int(answer.value.status)


def test_a_denied_consent_says_nobody_was_signed_in(stack: ProviderStack, reader: Reader) -> None:
    page = reader.page
    page.goto(sign_in_page(stack))
    press_link(page, BUTTON)
    expect(page.get_by_role("heading", name="Sign-in")).to_be_visible()
    status = answer_status(page, lambda: press_link(page, "[ Cancel ]"))
    assert status == 403
    refusal(page, 403, "Sign-in was cancelled", "You did not allow")
    shot(page, "failure-consent-denied")
    assert session_cookies(page) == []


def test_an_answer_with_a_wrong_state_is_refused(stack: ProviderStack, reader: Reader) -> None:
    page = reader.page
    page.goto(sign_in_page(stack))
    press_link(page, BUTTON)
    expect(page.get_by_role("heading", name="Sign-in")).to_be_visible()
    forged = f"{stack.api.url}/auth/oidc/callback?code=stolen-code&state=someone-elses-state"
    status = answer_status(page, lambda: page.goto(forged))
    assert status == 400
    refusal(page, 400, "This sign-in was not started here", "does not belong to a sign-in")
    shot(page, "failure-wrong-state")


def test_a_replayed_answer_is_refused(stack: ProviderStack, reader: Reader) -> None:
    page = reader.page
    answers: list[str] = []
    page.on(
        "request",
        lambda request: answers.append(request.url) if "/auth/oidc/callback" in request.url else 0,
    )
    page.goto(sign_in_page(stack))
    press_link(page, BUTTON)
    log_in_at_the_provider(page, "ada")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are signed in")
    assert len(answers) == 1
    status = answer_status(page, lambda: page.goto(answers[0]))
    assert status == 400
    refusal(page, 400, "This sign-in was used already", "has been used once already")


@pytest.mark.parametrize(
    ("faults", "status", "title", "detail", "name"),
    [
        (
            {"discovery": 503},
            502,
            "The sign-in service does not answer",
            "(its discovery document)",
            "discovery-down",
        ),
        ({"jwks": 503}, 502, "The sign-in service does not answer", "(its signing keys)", "jwks"),
        (
            {"tamper": True},
            400,
            "The sign-in could not be checked",
            "signature does not match",
            "tampered",
        ),
        ({"clock": -3700}, 400, "The sign-in could not be checked", "has expired", "expired"),
        (
            {"clock": 600},
            400,
            "The sign-in could not be checked",
            "clock and ours differ by more than 60 seconds",
            "clock-skew",
        ),
    ],
)
def test_a_broken_provider_or_token_gets_a_page_that_says_so(
    stack: ProviderStack,
    checked_reader: Reader,
    faults: dict[str, Any],
    status: int,
    title: str,
    detail: str,
    name: str,
) -> None:
    page = checked_reader.page
    page.goto(stack.url("network-post"))
    stack.provider.break_it(**faults)
    try:
        if "discovery" in faults:
            answered = answer_status(page, lambda: press_link(page, BUTTON))
        else:
            press_link(page, BUTTON)
            answered = answer_status(page, lambda: log_in_at_the_provider(page, "ada"))
    finally:
        stack.provider.break_it()
    assert answered == status
    refusal(page, status, title, detail)
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    shot(page, f"failure-{name}")
    assert session_cookies(page) == []
    press_link(page, "Back to the blog")
    expect(page).to_have_url(stack.url("network-post") + "#comments")


def test_a_clock_within_the_leeway_signs_in(stack: ProviderStack, reader: Reader) -> None:
    page = reader.page
    page.goto(sign_in_page(stack))
    stack.provider.break_it(clock=30)
    try:
        press_link(page, BUTTON)
        log_in_at_the_provider(page, "ada")
    finally:
        stack.provider.break_it()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are signed in")


def test_an_address_linked_to_another_identity_is_not_taken_over(
    stack: ProviderStack, reader_factory: Any
) -> None:
    first = reader_factory().page
    first.goto(sign_in_page(stack))
    press_link(first, BUTTON)
    log_in_at_the_provider(first, "ada")
    expect(first.get_by_role("heading", level=1)).to_have_text("You are signed in")

    page = reader_factory().page
    page.goto(sign_in_page(stack))
    press_link(page, BUTTON)
    status = answer_status(page, lambda: log_in_at_the_provider(page, "eve"))
    assert status == 409
    refusal(
        page,
        409,
        "This e-mail address belongs to another account",
        "The address a•••@members.example.org is already linked to a different account",
    )
    shot(page, "failure-address-linked-elsewhere")
    assert session_cookies(page) == []


def test_an_unverified_address_does_not_link_to_its_e_mail_account(
    stack: ProviderStack, reader: Reader
) -> None:
    stack.api.cli("create-user", "uma@members.example.org", "--name", "Uma by e-mail")
    page = reader.page
    page.goto(sign_in_page(stack))
    press_link(page, BUTTON)
    status = answer_status(page, lambda: log_in_at_the_provider(page, "uma"))
    assert status == 403
    refusal(page, 403, "Your e-mail address is not verified", "links accounts only by verified")
    assert session_cookies(page) == []


def test_the_e_mailed_link_still_works_and_reaches_the_account_the_provider_linked(
    stack: ProviderStack, reader_factory: Any, smtp_server: SmtpServer
) -> None:
    address = "ada@members.example.org"
    stack.api.cli("create-user", address, "--name", "Ada by e-mail")
    by_provider = reader_factory().page
    by_provider.goto(sign_in_page(stack))
    press_link(by_provider, BUTTON)
    log_in_at_the_provider(by_provider, "ada")
    expect(by_provider.get_by_role("main")).to_contain_text("Signed in as Ada Lovelace (verified)")

    page = reader_factory().page
    seen = len(sign_in_messages(smtp_server, address))
    page.goto(sign_in_page(stack))
    page.get_by_label("Your e-mail address").press_sequentially(address)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    page.goto(next_sign_in_link(smtp_server, address, seen))
    page.get_by_role("button", name="Sign in").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are signed in")
    expect(page.get_by_role("main")).to_contain_text("Signed in as Ada Lovelace (verified)")
