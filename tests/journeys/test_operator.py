"""The operator: migrates a database, exports a backup, restores it into a new database and
serves the restored comments, beside `make run`."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.devrun import POST
from tests.journeys.support import Blog, Camera

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_an_operator_backs_up_and_restores_the_comments(blog: Blog, browser: Any) -> None:
    camera = Camera("operator")
    migrated = blog.cli("migrate")
    assert migrated.returncode == 0, migrated.stderr
    for number in range(3):
        created = blog.api(
            "POST",
            f"threads/{POST}/comments",
            json={
                "author": f"Reader {number}",
                "email": f"r{number}@example.org",
                "body": f"Comment number {number} before the backup.",
            },
        )
        assert created.status_code == 201, created.text
        assert blog.cli("approve", str(created.json()["comment"]["id"])).returncode == 0

    backup = blog.project / "backup.jsonl"
    exported = blog.cli("export", "-o", str(backup))
    assert exported.returncode == 0, exported.stderr
    verified = blog.cli("export", "--verify", str(backup))
    assert verified.returncode == 0, verified.stdout + verified.stderr

    restored_url = f"sqlite:///{blog.project / 'restored.sqlite3'}"
    assert blog.cli("migrate", COMMENTS_DATABASE_URL=restored_url).returncode == 0
    imported = blog.cli("import", str(backup), COMMENTS_DATABASE_URL=restored_url)
    assert imported.returncode == 0, imported.stderr
    assert "3 comments" in imported.stdout + imported.stderr

    again = blog.project / "again.jsonl"
    assert blog.cli("export", "-o", str(again), COMMENTS_DATABASE_URL=restored_url).returncode == 0
    assert again.read_bytes() == backup.read_bytes(), "the restored database holds the same"

    blog.run.stop()
    blog.run.env["COMMENTS_DATABASE_URL"] = restored_url
    blog.run.start().wait_until_serving()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(blog.post_url(POST))
    expect(page.locator("#comments-heading")).to_have_text("Comments (3)")
    expect(page.locator(".comment-body", has_text="before the backup")).to_have_count(3)
    camera.step(page, "restored")
    context.close()
