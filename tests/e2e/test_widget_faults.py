"""A reader posts while the database is locked: the widget says so and keeps what they typed."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.helpers import Reader
from tests.live_site import Stack

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_locked_database_keeps_the_readers_comment_and_says_why(
    stack_factory: Callable[..., Stack], reader: Reader, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMMENTS_DB_BUSY_TIMEOUT_SECONDS", "1")
    stack = stack_factory([("locked-post", "A post while the database is busy")])
    stack.publish()
    page = reader.page
    page.goto(stack.url("locked-post"))
    page.wait_for_load_state("networkidle")
    page.get_by_label("Name (required)").press_sequentially("Lee Locked")
    page.get_by_label("E-mail (required)").press_sequentially("lee@example.org")
    box = page.get_by_label("Comment (required)")
    box.press_sequentially("Words worth keeping.")

    other = sqlite3.connect(stack.api.folder / "comments.sqlite3", isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another program holds the database's write lock
        page.get_by_role("button", name="Post comment").click()
        expect(page.locator(".comment-form-status")).to_contain_text(
            "Comments are temporarily unavailable; your comment has not been sent."
        )
        expect(box).to_have_value("Words worth keeping.")
    finally:
        other.execute("ROLLBACK")
        other.close()

    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".comments-status")).to_contain_text("awaiting moderation")
    assert reader.errors == []
