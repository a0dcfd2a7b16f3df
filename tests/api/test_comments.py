"""Posting, listing, editing and deleting comments over the real app."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from starlette.testclient import TestClient

from comments_api import Settings, create_app
from comments_api.db.tables import Comment, utcnow
from tests.harness import Api, ApiFactory
from tests.helpers import DEPLOY_TOKEN

pytestmark = pytest.mark.anyio


async def test_a_guest_comment_is_held_until_a_moderator_approves_it(api: Api) -> None:
    response = await api.post(body="Thanks for *this* post")
    assert response.status_code == 201
    created = response.json()
    assert created["status"] == "pending"
    assert "awaiting moderation" in created["message"]
    assert created["edit_token"]
    comment = created["comment"]
    assert set(comment) == {
        "id",
        "thread",
        "parent",
        "author",
        "website",
        "created",
        "edited",
        "edited_by",
        "html",
        "verified",
        "member",
        "removed",
    }
    assert comment["html"] == "<p>Thanks for <em>this</em> post</p>"
    assert (await api.list())["comments"] == []

    api.approve(comment["id"])
    listing = await api.list()
    assert listing["count"] == 1
    assert listing["closed"] is False
    assert listing["comments"] == [comment]


async def test_with_the_publish_policy_comments_appear_at_once(make_api: ApiFactory) -> None:
    api = await make_api(moderation="publish")
    response = await api.post()
    assert response.json()["status"] == "approved"
    assert (await api.list())["count"] == 1


async def test_replies_carry_their_parent_and_threads_list_oldest_first(
    make_api: ApiFactory,
) -> None:
    api = await make_api(moderation="publish")
    first = (await api.post(body="first")).json()["comment"]
    reply = (await api.post(body="reply", parent=first["id"])).json()["comment"]
    third = (await api.post(body="third")).json()["comment"]
    listing = await api.list()
    assert [c["id"] for c in listing["comments"]] == [first["id"], reply["id"], third["id"]]
    assert listing["comments"][1]["parent"] == first["id"]


async def test_a_reply_must_answer_a_published_comment_of_the_same_thread(api: Api) -> None:
    held = (await api.post()).json()["comment"]
    response = await api.post(parent=held["id"])
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "parent"
    response = await api.post(parent=999999)
    assert response.status_code == 404


async def test_the_list_has_an_etag_and_answers_304_until_it_changes(
    make_api: ApiFactory,
) -> None:
    api = await make_api(moderation="publish")
    first = await api.client.get("/api/v1/threads/first-post/comments")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "no-cache"
    again = await api.client.get(
        "/api/v1/threads/first-post/comments", headers={"If-None-Match": etag}
    )
    assert again.status_code == 304
    await api.post()
    changed = await api.client.get(
        "/api/v1/threads/first-post/comments", headers={"If-None-Match": etag}
    )
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert changed.json()["count"] == 1


async def test_a_form_post_goes_back_to_the_post_awaiting_moderation(api: Api) -> None:
    response = await api.client.post(
        "/api/v1/threads/first-post/comments",
        data={"author": "Bea", "email": "bea@example.org", "body": "From a form", "notify": "on"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == (
        "http://blog.test/posts/first.html#comment-awaiting-moderation"
    )


async def test_a_published_form_post_goes_back_to_the_published_comment(
    make_api: ApiFactory,
) -> None:
    api = await make_api(moderation="publish")
    response = await api.client.post(
        "/api/v1/threads/first-post/comments",
        data={"author": "Bea", "email": "bea@example.org", "body": "From a form"},
    )
    assert response.status_code == 303
    assert response.headers["location"].endswith("/posts/first.html#comment-published")


async def test_a_bad_form_post_gets_a_page_listing_the_errors_with_a_way_back(api: Api) -> None:
    from bs4 import BeautifulSoup

    response = await api.client.post(
        "/api/v1/threads/first-post/comments",
        data={"author": "", "email": "not an address", "body": "Hi"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    page = BeautifulSoup(response.text, "lxml")
    assert page.html["lang"] == "en"
    assert page.title.string.strip()
    assert page.h1.get_text() == "Your comment was not sent"
    assert "Name" in page.find(role="alert").get_text()
    back = page.find("a", string="Back to the post")
    assert back["href"] == "http://blog.test/posts/first.html#comments"
    assert page.find("script") is None


async def test_the_author_edits_within_the_window_with_the_token(make_api: ApiFactory) -> None:
    api = await make_api(moderation="publish")
    created = (await api.post(body="tpyo")).json()
    comment_id = created["comment"]["id"]
    response = await api.client.patch(
        f"/api/v1/comments/{comment_id}",
        json={"body": "typo fixed"},
        headers={"X-Edit-Token": created["edit_token"]},
    )
    assert response.status_code == 200, response.text
    assert response.json()["comment"]["html"] == "<p>typo fixed</p>"
    assert response.json()["comment"]["edited"] is not None
    assert (await api.list())["comments"][0]["html"] == "<p>typo fixed</p>"


async def test_a_wrong_or_expired_edit_token_is_refused(api: Api) -> None:
    created = (await api.post()).json()
    comment_id = created["comment"]["id"]
    wrong = await api.client.patch(
        f"/api/v1/comments/{comment_id}", json={"body": "x"}, headers={"X-Edit-Token": "nope"}
    )
    assert wrong.status_code == 403
    assert wrong.json()["errors"][0]["field"] == "X-Edit-Token"

    storage = api.app.state.service.storage
    with storage.writing() as session:
        session.execute(
            update(Comment)
            .where(Comment.id == comment_id)
            .values(created_at=utcnow() - timedelta(minutes=16))
        )
    expired = await api.client.delete(
        f"/api/v1/comments/{comment_id}", headers={"X-Edit-Token": created["edit_token"]}
    )
    assert expired.status_code == 403
    assert "15 minutes" in expired.json()["detail"]


async def test_the_author_deletes_their_comment_and_it_disappears(make_api: ApiFactory) -> None:
    api = await make_api(moderation="publish")
    created = (await api.post()).json()
    response = await api.client.delete(
        f"/api/v1/comments/{created['comment']['id']}",
        headers={"X-Edit-Token": created["edit_token"]},
    )
    assert response.status_code == 204
    assert (await api.list())["count"] == 0
    again = await api.client.delete(
        f"/api/v1/comments/{created['comment']['id']}",
        headers={"X-Edit-Token": created["edit_token"]},
    )
    assert again.status_code == 404


async def test_only_known_open_threads_accept_comments(api: Api) -> None:
    unknown = await api.post(thread="no-such-post")
    assert unknown.status_code == 404
    assert unknown.json()["errors"][0]["field"] == "thread"
    closed = await api.post(thread="closed-post")
    assert closed.status_code == 409
    assert "closed" in closed.json()["detail"]
    listing = await api.list("closed-post")
    assert listing["closed"] is True


async def test_threads_close_after_the_configured_number_of_days(make_api: ApiFactory) -> None:
    api = await make_api(close_after_days=30)
    await api.sync_threads(
        {
            "key": "first-post",
            "title": "First",
            "url": "/posts/first.html",
            "closed": False,
            "published": "2020-01-01T00:00:00Z",
        },
        {"key": "fresh", "title": "Fresh", "url": "/posts/fresh.html", "closed": False},
    )
    assert (await api.list("first-post"))["closed"] is True
    assert (await api.post(thread="first-post")).status_code == 409
    assert (await api.post(thread="fresh")).status_code == 201


async def test_the_manifest_creates_updates_and_retires_threads(api: Api) -> None:
    response = await api.sync_threads(
        {
            "key": "first-post",
            "title": "First, renamed",
            "url": "/posts/first.html",
            "closed": False,
        },
        {"key": "second-post", "title": "Second", "url": "/posts/second.html", "closed": False},
    )
    assert response.json() == {"created": 1, "updated": 1, "retired": 1}
    retired = await api.list("closed-post")
    assert retired["closed"] is True
    same = await api.sync_threads(
        {
            "key": "first-post",
            "title": "First, renamed",
            "url": "/posts/first.html",
            "closed": False,
        },
        {"key": "second-post", "title": "Second", "url": "/posts/second.html", "closed": False},
    )
    assert same.json() == {"created": 0, "updated": 0, "retired": 0}


async def test_counts_answer_for_many_threads_at_once(make_api: ApiFactory) -> None:
    api = await make_api(moderation="publish")
    await api.post()
    await api.post()
    response = await api.client.get(
        "/api/v1/counts",
        params=[("thread", "first-post"), ("thread", "closed-post"), ("thread", "unknown")],
    )
    assert response.status_code == 200
    assert response.json() == {"counts": {"first-post": 2, "closed-post": 0, "unknown": 0}}


async def test_a_reader_reports_a_published_comment(make_api: ApiFactory) -> None:
    api = await make_api(moderation="publish")
    comment = (await api.post()).json()["comment"]
    response = await api.client.post(
        f"/api/v1/comments/{comment['id']}/report", json={"reason": "It is an advert"}
    )
    assert response.status_code == 202
    form = await api.client.post(
        f"/api/v1/comments/{comment['id']}/report", data={"reason": "spam"}
    )
    assert form.status_code == 303
    assert form.headers["location"] == "http://blog.test/posts/first.html#comment-reported"


async def test_health_says_ok(api: Api) -> None:
    response = await api.client.get("/health")
    assert response.json() == {"status": "ok"}


async def test_counts_accept_encoded_keys_and_refuse_odd_queries(api: Api) -> None:
    encoded = await api.client.get("/api/v1/counts?thread=first%2Dpost&thread=x")
    assert encoded.json() == {"counts": {"first-post": 0, "x": 0}}
    odd = await api.client.get("/api/v1/counts?thread=first-post&colour=blue")
    assert odd.json() == {"counts": {"first-post": 0}}
    empty = await api.client.get("/api/v1/counts?thread=")
    assert empty.status_code == 422
    assert empty.json()["errors"][0]["field"].startswith("thread")


async def test_the_cached_list_and_the_computed_list_are_identical(make_api: ApiFactory) -> None:
    api = await make_api(moderation="publish")
    await api.post(body="one")
    computed = await api.client.get("/api/v1/threads/first-post/comments")
    cached = await api.client.get("/api/v1/threads/first-post/comments")
    assert computed.content == cached.content
    assert computed.headers["etag"] == cached.headers["etag"]
    assert cached.headers["content-type"] == "application/json"


async def test_a_local_build_manifest_is_picked_up_when_it_changes(
    make_api: ApiFactory, tmp_path: object
) -> None:
    import json
    from pathlib import Path

    manifest = Path(str(tmp_path)) / "threads.json"
    api = await make_api(threads_file=str(manifest))
    assert (await api.post(thread="new-post")).status_code == 404
    manifest.write_text(
        json.dumps(
            {
                "threads": [
                    {"key": "new-post", "title": "New", "url": "/posts/new.html", "closed": False}
                ]
            }
        )
    )
    assert (await api.post(thread="new-post")).status_code == 201
    assert (await api.list("new-post"))["closed"] is False


async def test_an_edit_racing_a_moderators_spam_decision_does_not_publish_the_comment(
    make_api: ApiFactory,
) -> None:
    from comments_api.moderation.actions import apply_action

    api = await make_api(moderation="publish")
    created = (await api.post(body="Buy my things, first version")).json()
    comment_id = created["comment"]["id"]
    comments = api.app.state.service
    assess = comments.moderation.assess_edit

    def moderator_acts_meanwhile(draft: object, current: object) -> object:
        verdict = assess(draft, current)
        # While the author's edit is being assessed, a moderator files the comment as spam.
        with comments.storage.writing() as session:
            apply_action(session, comment_id, "spam", "mod@example.org")
        return verdict

    comments.moderation.assess_edit = moderator_acts_meanwhile
    edited = await api.client.patch(
        f"/api/v1/comments/{comment_id}",
        json={"body": "An innocent second version"},
        headers={"X-Edit-Token": created["edit_token"]},
    )
    assert edited.status_code == 404, edited.text
    [shown] = (await api.list())["comments"]
    assert (shown["removed"], shown["html"]) == (True, ""), "only the removal note is shown"
    stored = comments.storage.get_comment(comment_id)
    assert stored.status == "spam"
    assert stored.body_md == "Buy my things, first version"
    counts = (await api.client.get("/api/v1/counts?thread=first-post")).json()
    assert counts["counts"]["first-post"] == 0


def test_the_app_keeps_serving_after_its_lifespan_ends_and_starts_again(
    settings: Settings,
) -> None:
    """A host (or a test client) may run the lifespan more than once over the same app."""
    app = create_app(settings)
    with TestClient(app) as first:
        synced = first.put(
            "/api/v1/threads",
            json={"threads": [{"key": "first-post", "title": "First", "url": "/f.html"}]},
            headers={"Authorization": f"Bearer {DEPLOY_TOKEN}"},
        )
        assert synced.status_code == 200, synced.text
        assert first.get("/api/v1/threads/first-post/comments").status_code == 200
    with TestClient(app) as again:
        posted = again.post(
            "/api/v1/threads/first-post/comments",
            json={"author": "Ada", "email": "ada@example.org", "body": "Still here"},
        )
        assert posted.status_code == 201, posted.text
        listed = again.get("/api/v1/threads/first-post/comments")
        assert listed.status_code == 200, listed.text
        assert again.get("/health").status_code == 200
    app.state.service.storage.engine.dispose()
