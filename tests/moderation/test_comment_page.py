"""The page for one comment: its discussion, its history, the actions and the redaction form."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup

from tests.harness import API, BLOG, Desk

pytestmark = pytest.mark.anyio


def words(element: Any) -> str:
    return " ".join(element.get_text(" ").split())


async def public_comments(desk: Desk) -> list[dict[str, Any]]:
    response = await desk.service.client.get("/api/v1/threads/first-post/comments")
    assert response.status_code == 200, response.text
    comments: list[dict[str, Any]] = response.json()["comments"]
    return comments


async def redact(desk: Desk, comment_id: int, body: str, **extra: str) -> Any:
    fields = {"csrf_token": desk.csrf, "body": body, **extra}
    return await desk.moderator.post(
        f"/moderation/comments/{comment_id}/redact", data=fields, headers={"Origin": API}
    )


async def test_one_comment_is_shown_with_its_post_parent_replies_and_history(
    desk: Desk,
) -> None:
    question = await desk.guest_comment(body="Is the clinic open on Sundays?")
    await desk.act(question, "approve", reason="a fair question")
    held = await desk.guest_comment(
        author="Pat Nurse",
        email="pat@example.org",
        parent=question,
        body="Yes; see [the hours](https://clinic.example.org/hours).",
    )
    await desk.act(held, "approve")
    answer = await desk.guest_comment(
        author="Bo", email="bo@example.org", parent=held, body="Thanks, Pat."
    )

    page = await desk.page(f"/moderation/comments/{held}")

    assert words(page.h1) == f"Comment {held} by Pat Nurse"
    assert page.title.get_text().startswith(f"Comment {held}")
    facts = words(page.find("dl"))
    assert "Status Published" in facts
    assert "pat@example.org" in facts and "Spam score" in facts and "clinic.example.org" in facts
    post = page.find("a", string="First post")
    assert post["href"] == f"{BLOG}/posts/first.html#comment-{held}"
    parent = page.find("a", href=f"/moderation/comments/{question}")
    assert words(parent) == f"comment {question} by Guest Writer"
    assert "Is the clinic open on Sundays?" in words(parent.find_parent("div"))
    [reply] = page.select(".replies li")
    assert f"Comment {answer} by Bo" in words(reply) and "held for a moderator" in words(reply)
    [event] = page.select(".history li")
    assert "Approved by moderator@example.org (pending → approved)" in words(event)
    buttons = [words(button) for button in page.select("form.actions button")]
    assert "Approve" not in buttons, "approving it again would change nothing"
    assert {"Reject", "Mark as spam", "Delete", "Ban author"} <= set(buttons)
    assert page.find("textarea", attrs={"name": "body"}).get_text() == (
        "Yes; see [the hours](https://clinic.example.org/hours)."
    )
    question_page = await desk.page(f"/moderation/comments/{question}")
    assert "a fair question" in words(question_page.select_one(".history"))


async def test_an_unknown_comment_has_a_page_that_says_so(desk: Desk) -> None:
    response = await desk.moderator.get("/moderation/comments/999")
    assert response.status_code == 404
    assert words(BeautifulSoup(response.text, "lxml").h1) == "No comment 999"


async def test_only_moderators_see_a_comments_page(desk: Desk) -> None:
    held = await desk.guest_comment()
    stranger = await desk.service.browser().get(f"/moderation/comments/{held}")
    assert stranger.status_code == 403
    assert "guest@example.org" not in stranger.text


async def test_the_queue_and_the_audit_log_link_to_each_comments_page(desk: Desk) -> None:
    held = await desk.guest_comment()
    queue = await desk.page()
    assert (
        queue.find("article", id=f"comment-{held}").find("a", href=f"/moderation/comments/{held}")
        is not None
    )
    await desk.act(held, "reject")
    log = await desk.page("/moderation/log")
    link = log.find("tbody").find("a", href=f"/moderation/comments/{held}")
    assert link is not None and link["aria-label"] == f"Comment {held}"


async def test_a_moderator_redacts_a_detail_and_readers_see_it_was_edited(desk: Desk) -> None:
    comment = await desk.guest_comment(body="Thanks to Sister Jones on ward 4, bed 12.")
    await desk.act(comment, "approve")
    before = await desk.service.client.get("/api/v1/threads/first-post/comments")

    done = await redact(
        desk,
        comment,
        "Thanks to the team on ward 4.\r\n\r\nLovely.",
        reason="named a patient's bed",
    )

    assert done.status_code == 303
    assert done.headers["location"] == f"/moderation/comments/{comment}?done=redact"
    page = await desk.page(f"/moderation/comments/{comment}", done="redact")
    assert "readers see that a moderator edited it" in words(page.find(attrs={"role": "status"}))
    assert "edited by a moderator" in words(page.find("dl"))
    [shown] = await public_comments(desk)
    assert shown["html"] == "<p>Thanks to the team on ward 4.</p>\n<p>Lovely.</p>"
    assert shown["edited_by"] == "moderator" and shown["edited"] is not None
    assert "bed 12" not in str(shown)
    again = await desk.service.client.get(
        "/api/v1/threads/first-post/comments", headers={"If-None-Match": before.headers["ETag"]}
    )
    assert again.status_code == 200, "the cached list moved with the redaction"
    log = words((await desk.page("/moderation/log")).find("tbody").find("tr"))
    assert "redact" in log and "named a patient's bed" in log
    assert "approved (unchanged)" in log and "approved → approved" not in log
    assert "bed 12" not in log, "the removed detail is not kept in the log"
    history = words((await desk.page(f"/moderation/comments/{comment}")).select_one(".history"))
    assert "Text edited by moderator@example.org: “named a patient's bed”" in history


async def test_a_redaction_needs_text_and_keeps_what_was_typed_when_refused(desk: Desk) -> None:
    comment = await desk.guest_comment(body="Original words")
    refused = await redact(desk, comment, "   ")
    assert refused.status_code == 422
    page = BeautifulSoup(refused.text, "lxml")
    field = page.find("textarea", attrs={"name": "body"})
    assert field["aria-invalid"] == "true"
    assert "body-error" in field["aria-describedby"]
    assert words(page.find(id="body-error")) == "Write a comment of 1 to 5000 characters."
    assert desk.service.app.state.service.storage.get_comment(comment).body_md == "Original words"


async def test_a_redaction_needs_the_pages_csrf_token_and_origin(desk: Desk) -> None:
    comment = await desk.guest_comment(body="Original words")
    forged = await redact(desk, comment, "Changed", csrf_token="not-the-token")
    assert forged.status_code == 403
    elsewhere = await desk.moderator.post(
        f"/moderation/comments/{comment}/redact",
        data={"csrf_token": desk.csrf, "body": "Changed"},
        headers={"Origin": "https://evil.example"},
    )
    assert elsewhere.status_code == 403
    assert desk.service.app.state.service.storage.get_comment(comment).body_md == "Original words"


async def test_a_moderator_may_redact_through_the_api_with_their_session(desk: Desk) -> None:
    comment = await desk.guest_comment(body="Call me on 07700 900123")
    await desk.act(comment, "approve")
    response = await desk.moderator.patch(
        f"/api/v1/comments/{comment}",
        json={"body": "Call me (number removed)"},
        headers={"Origin": API},
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "approved"
    assert response.json()["comment"]["edited_by"] == "moderator"
    guest = await desk.service.browser().patch(
        f"/api/v1/comments/{comment}", json={"body": "Hijacked"}
    )
    assert guest.status_code == 403
    assert guest.json()["errors"][0]["field"] == "X-Edit-Token"


async def test_the_message_after_an_action_is_a_sentence_with_the_right_plural(
    desk: Desk,
) -> None:
    one = await desk.guest_comment(body="Buy cheap things")
    several = [await desk.guest_comment(body=f"Buy things number {n}") for n in range(3)]

    single = await desk.act(one, "spam")
    bulk = await desk.bulk(several, "spam")

    for response, expected in (
        (single, "1 comment marked as spam."),
        (bulk, "3 comments marked as spam."),
    ):
        path, _, query = response.headers["location"].partition("?")
        params = dict(part.split("=") for part in query.split("&"))
        status = (await desk.page(path, **params)).find(attrs={"role": "status"})
        assert words(status) == expected


async def test_approving_an_approved_comment_changes_nothing_and_says_so(desk: Desk) -> None:
    comment = await desk.guest_comment(body="Already fine")
    await desk.act(comment, "approve")
    logged = len((await desk.page("/moderation/log")).find("tbody").find_all("tr"))

    again = await desk.act(comment, "approve")

    path, _, query = again.headers["location"].partition("?")
    params = dict(part.split("=") for part in query.split("&"))
    status = (await desk.page(path, **params)).find(attrs={"role": "status"})
    assert words(status) == "1 comment was already approved; nothing changed."
    log = (await desk.page("/moderation/log")).find("tbody").find_all("tr")
    assert len(log) == logged
    assert all("approved → approved" not in words(row) for row in log)


async def test_approving_a_reported_comment_keeps_it_and_closes_the_reports(desk: Desk) -> None:
    comment = await desk.guest_comment(body="Robust but fair")
    await desk.act(comment, "approve")
    reader = desk.service.browser()
    await reader.post(f"/api/v1/comments/{comment}/report", json={"reason": "too blunt"})

    kept = await desk.act(comment, "approve")

    assert "done=approve&count=1" in kept.headers["location"]
    assert (await desk.page()).find("article", id=f"comment-{comment}") is None
    row = words((await desk.page("/moderation/log")).find("tbody").find("tr"))
    assert "kept after a reader's report" in row
