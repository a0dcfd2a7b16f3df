"""Privacy, the build snapshot and the feeds."""

from __future__ import annotations

import pytest
from lxml import etree
from sqlalchemy import select

from comments_api.db.tables import Comment
from tests.harness import Api, ApiFactory
from tests.helpers import BUILD_TOKEN

pytestmark = pytest.mark.anyio

SECRET_ADDRESS = "very.private.person@example.org"
CLIENT = "203.0.113.7"
AUTH = {"Authorization": f"Bearer {BUILD_TOKEN}"}


async def public_responses(api: Api, comment_id: int) -> list[bytes]:
    paths = [
        "/api/v1/threads/first-post/comments",
        "/api/v1/counts?thread=first-post",
        "/api/v1/feed.atom",
        "/api/v1/threads/first-post/feed.atom",
        "/openapi.json",
    ]
    bodies = [(await api.client.get(path)).content for path in paths]
    bodies.append((await api.client.get("/api/v1/snapshot", headers=AUTH)).content)
    return bodies


async def test_no_public_answer_contains_the_email_or_the_client_address(
    make_api: ApiFactory,
) -> None:
    api = await make_api(moderation="publish")
    created = await api.post(email=SECRET_ADDRESS, notify=True)
    bodies = [created.content]
    comment = created.json()["comment"]
    edited = await api.client.patch(
        f"/api/v1/comments/{comment['id']}",
        json={"body": "edited"},
        headers={"X-Edit-Token": created.json()["edit_token"]},
    )
    bodies.append(edited.content)
    bodies += await public_responses(api, comment["id"])
    form = await api.client.post(
        "/api/v1/threads/first-post/comments",
        data={"author": "F", "email": SECRET_ADDRESS, "body": ""},
    )
    bodies.append(form.content)
    for body in bodies:
        assert SECRET_ADDRESS.encode() not in body
        assert b"very.private.person" not in body
        assert CLIENT.encode() not in body


async def test_the_address_is_stored_but_the_client_only_as_a_keyed_hash(api: Api) -> None:
    await api.post(email=SECRET_ADDRESS)
    with api.app.state.service.storage.reading() as session:
        comment = session.scalars(select(Comment)).one()
    assert comment.author_email == SECRET_ADDRESS
    assert comment.client_hash and CLIENT not in comment.client_hash
    assert len(comment.client_hash) == 32
    assert comment.edit_token_hash and len(comment.edit_token_hash) == 64


async def test_the_snapshot_pages_through_every_approved_comment(make_api: ApiFactory) -> None:
    api = await make_api(moderation="publish")
    await api.sync_threads(
        {"key": "first-post", "title": "First", "url": "/first.html", "closed": False},
        {"key": "second", "title": "Second", "url": "/second.html", "closed": False},
    )
    ids = []
    for number in range(5):
        thread = "first-post" if number % 2 else "second"
        ids.append((await api.post(thread=thread, body=f"n{number}")).json()["comment"]["id"])
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await api.client.get("/api/v1/snapshot", params=params, headers=AUTH)).json()
        seen += [comment["id"] for comment in page["comments"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == ids


async def test_feeds_are_atom_with_the_approved_comments(make_api: ApiFactory) -> None:
    api = await make_api(moderation="publish")
    await api.post(author="Gil", body="In the feed")
    response = await api.client.get("/api/v1/threads/first-post/feed.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = etree.fromstring(response.content)
    atom = "{http://www.w3.org/2005/Atom}"
    assert feed.tag == f"{atom}feed"
    assert feed.findtext(f"{atom}title") == "Comments on First post"
    entry = feed.find(f"{atom}entry")
    assert entry.findtext(f"{atom}author/{atom}name") == "Gil"
    assert (
        entry.find(f"{atom}link")
        .get("href")
        .startswith("http://blog.test/posts/first.html#comment-")
    )
    assert "In the feed" in entry.findtext(f"{atom}content")
    site = etree.fromstring((await api.client.get("/api/v1/feed.atom")).content)
    assert len(site.findall(f"{atom}entry")) == 1
