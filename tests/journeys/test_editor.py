"""The editor: starts a post with `invoke new-post`, is stopped by `invoke check` until the
placeholders are written, previews the draft, then publishes it, in a copy of the project."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.journeys.support import Blog, Camera

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TITLE = "Discharge before noon"
SLUG = "discharge-before-noon"
BODY = """
Moving discharges earlier in the day freed beds for the afternoon's admissions.

## What we changed

The ward round starts with the patients who are going home.

> The board round is where the day is won or lost.
"""


def test_an_editor_writes_checks_previews_and_publishes_a_post(blog: Blog, browser: Any) -> None:
    camera = Camera("editor")
    created = blog.invoke(
        "new-post",
        TITLE,
        "--category",
        "Improvement stories",
        "--tags",
        "discharge, flow",
        "--authors",
        "Owen Gallagher",
    )
    assert created.returncode == 0, created.stderr
    path = blog.project / "content" / "posts" / f"{SLUG}.md"
    assert path.is_file(), created.stderr

    refused = blog.invoke("check")
    assert refused.returncode != 0
    assert re.search(
        rf"{re.escape(str(Path('content/posts') / SLUG))}\.md:\d+: .*[Ss]ummary",
        (refused.stdout + refused.stderr),
    ), refused.stderr

    text = path.read_text()
    summary = "How one ward moved its discharges before noon, and what that did to flow."
    # The whole placeholder, with the line it wraps onto, as an editor replaces it.
    text = re.sub(
        r"^Summary: .*(?:\n[ \t]+.*)*$", f"Summary: {summary}", text, count=1, flags=re.MULTILINE
    )
    front, _, _ = text.partition("\n\n")
    path.write_text(front + "\n" + BODY)
    checked = blog.invoke("check")
    assert checked.returncode == 0, checked.stdout + checked.stderr

    previewed = blog.invoke("build", "--drafts")
    assert previewed.returncode == 0, previewed.stderr
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(blog.url(f"drafts/{SLUG}.html"))
    expect(page.locator("h1")).to_contain_text(TITLE)
    expect(page.locator("blockquote")).to_contain_text("won or lost")
    expect(page.locator("form.comment-form")).to_have_count(0)
    expect(page.locator("#comments")).to_contain_text("published")
    camera.step(page, "draft-preview")
    page.goto(blog.url())
    expect(page.get_by_role("link", name=TITLE)).to_have_count(0)

    path.write_text(re.sub(r"^Status: draft\n", "", path.read_text(), flags=re.MULTILINE))
    published = blog.invoke("publish", SITEURL=blog.run.site_url)
    assert published.returncode == 0, published.stdout + published.stderr
    page.goto(blog.url())
    page.get_by_role("link", name=TITLE).first.click()
    expect(page.locator("h1")).to_contain_text(TITLE)
    expect(page.locator("#comments-heading")).to_have_text("Comments (0)")
    camera.step(page, "published")
    answer = blog.api("GET", f"threads/{SLUG}/comments")
    assert answer.status_code == 200, "the new post accepts comments"
    context.close()
