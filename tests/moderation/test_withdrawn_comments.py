"""The moderation pages keep a comment its author withdrew out of sight, and say why."""

from __future__ import annotations

import pytest

from tests.harness import Desk

pytestmark = pytest.mark.anyio


async def test_approving_a_comment_its_author_withdrew_is_refused_with_a_reason(
    desk: Desk,
) -> None:
    guest = desk.service.browser()
    created = await guest.post(
        "/api/v1/threads/first-post/comments",
        json={"author": "Guest Writer", "email": "guest@example.org", "body": "Wait, no"},
    )
    assert created.status_code == 201, created.text
    comment_id = created.json()["comment"]["id"]
    withdrawn = await guest.delete(
        f"/api/v1/comments/{comment_id}", headers={"X-Edit-Token": created.json()["edit_token"]}
    )
    assert withdrawn.status_code == 204

    response = await desk.act(comment_id, "approve")

    assert response.status_code == 303
    assert response.headers["location"] == "/moderation?error=author-deleted"
    shown = await desk.page("/moderation", error="author-deleted")
    notice = " ".join(shown.find(attrs={"role": "status"}).get_text().split())
    assert "Its author deleted that comment, so it stays deleted" in notice
    assert comment_id not in await desk.public_ids()

    bulk = await desk.bulk([comment_id], "approve")
    assert bulk.headers["location"] == "/moderation?done=approve&count=0"
    assert comment_id not in await desk.public_ids()


async def test_the_audit_log_shows_the_author_withdrawing_their_comment(desk: Desk) -> None:
    guest = desk.service.browser()
    created = await guest.post(
        "/api/v1/threads/first-post/comments",
        json={"author": "Guest Writer", "email": "guest@example.org", "body": "Too hasty"},
    )
    comment_id = created.json()["comment"]["id"]
    withdrawn = await guest.delete(
        f"/api/v1/comments/{comment_id}", headers={"X-Edit-Token": created.json()["edit_token"]}
    )
    assert withdrawn.status_code == 204

    log = await desk.page("/moderation/log")

    rows = [
        [" ".join(cell.get_text().split()) for cell in row.find_all("td")]
        for row in log.find("tbody").find_all("tr")
    ]
    assert rows == [
        [
            rows[0][0],
            "author",
            "withdraw",
            str(comment_id),
            "pending → deleted",
            "Deleted by its author.",
        ]
    ]
