"""Authors' edits keep a published comment published; a moderator's removal leaves a note."""

from __future__ import annotations

from typing import Any

import pytest

from comments_api.moderation.actions import Action, apply_action
from tests.harness import Api, ApiFactory
from tests.helpers import BUILD_TOKEN

pytestmark = pytest.mark.anyio

# 943 476 5919 passes the NHS number's mod-11 check.
PATIENT_DETAILS = "Update: it was Mrs Smith, NHS number 943 476 5919, on ward 4."
TOMBSTONE = {
    "author": "",
    "website": None,
    "html": "",
    "verified": False,
    "member": False,
    "edited": None,
    "edited_by": None,
    "removed": True,
}


def act(api: Api, comment_id: int, action: Action) -> None:
    """What a moderator's button does: the same function the pages, links and CLI call."""
    with api.app.state.service.storage.writing() as session:
        apply_action(session, comment_id, action, "mod@example.org")


async def published(api: Api, **fields: Any) -> dict[str, Any]:
    """A guest's comment, approved by a moderator; its creation answer (with the edit token)."""
    created: dict[str, Any] = (await api.post(**fields)).json()
    act(api, created["comment"]["id"], "approve")
    return created


async def edit(api: Api, created: dict[str, Any], body: str) -> dict[str, Any]:
    response = await api.client.patch(
        f"/api/v1/comments/{created['comment']['id']}",
        json={"body": body},
        headers={"X-Edit-Token": created["edit_token"]},
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def snapshot(api: Api) -> list[dict[str, Any]]:
    response = await api.client.get(
        "/api/v1/snapshot", headers={"Authorization": f"Bearer {BUILD_TOKEN}"}
    )
    assert response.status_code == 200, response.text
    comments: list[dict[str, Any]] = response.json()["comments"]
    return comments


async def count(api: Api) -> int:
    response = await api.client.get("/api/v1/counts", params={"thread": "first-post"})
    result: int = response.json()["counts"]["first-post"]
    return result


@pytest.mark.parametrize("policy", ["hold-guests", "hold-first-time-guests", "hold-all"])
async def test_an_authors_edit_of_a_published_comment_keeps_it_published(
    make_api: ApiFactory, policy: str
) -> None:
    api = await make_api(moderation=policy)
    created = await published(api, body="The clinic opens at nine.")

    answer = await edit(api, created, "The clinic opens at half past eight.")

    assert answer["status"] == "approved"
    assert "awaiting moderation" not in answer["message"]
    assert answer["comment"]["edited_by"] == "author"
    assert answer["comment"]["edited"] is not None
    listing = await api.list()
    assert listing["count"] == 1
    [shown] = listing["comments"]
    assert shown["html"] == "<p>The clinic opens at half past eight.</p>"
    assert (shown["edited_by"], shown["edited"]) == ("author", answer["comment"]["edited"])
    assert await count(api) == 1
    assert [comment["edited_by"] for comment in await snapshot(api)] == ["author"]


async def test_an_edit_that_adds_patient_details_is_held_and_the_answer_says_so(
    api: Api,
) -> None:
    created = await published(api, body="A kind word for the ward team.")

    answer = await edit(api, created, PATIENT_DETAILS)

    assert answer["status"] == "pending"
    assert "awaiting moderation" in answer["message"]
    listing = await api.list()
    assert (listing["count"], listing["comments"]) == (0, [])


async def test_an_edit_of_a_held_comment_leaves_it_held(make_api: ApiFactory) -> None:
    api = await make_api(moderation="hold-all")
    created = (await api.post(body="First version")).json()

    answer = await edit(api, created, "Second version")

    assert answer["status"] == "pending"
    assert (await api.list())["comments"] == []


async def test_every_public_comment_says_who_edited_it_and_whether_it_was_removed(
    make_api: ApiFactory,
) -> None:
    api = await make_api(moderation="publish")
    created = (await api.post()).json()
    assert (created["comment"]["edited_by"], created["comment"]["removed"]) == (None, False)
    [listed] = (await api.list())["comments"]
    assert (listed["edited_by"], listed["removed"]) == (None, False)
    [snapped] = await snapshot(api)
    assert snapped == listed

    schema = (await api.client.get("/openapi.json")).json()
    public = schema["components"]["schemas"]["PublicComment"]
    assert {"edited_by", "removed"} <= set(public["required"])
    choices = public["properties"]["edited_by"]["anyOf"]
    assert {value for choice in choices for value in choice.get("enum", [])} == {
        "author",
        "moderator",
    }
    assert {"type": "null"} in choices
    assert public["properties"]["removed"]["type"] == "boolean"


@pytest.mark.parametrize("action", ["delete", "reject", "spam", "ban"])
async def test_removing_a_published_comment_leaves_a_note_and_keeps_its_replies(
    make_api: ApiFactory, action: Action
) -> None:
    api = await make_api(moderation="publish")
    parent = (await api.post(body="Something rude", website="https://rude.example")).json()
    reply = (
        await api.post(
            body="Please be kind",
            email="bo@example.org",
            author="Bo",
            parent=parent["comment"]["id"],
        )
    ).json()
    before = await api.client.get("/api/v1/threads/first-post/comments")
    assert before.json()["count"] == 2

    act(api, parent["comment"]["id"], action)

    again = await api.client.get(
        "/api/v1/threads/first-post/comments", headers={"If-None-Match": before.headers["ETag"]}
    )
    assert again.status_code == 200, "the cached answer and its ETag moved with the removal"
    assert again.headers["ETag"] != before.headers["ETag"]
    listing = again.json()
    note, kept = listing["comments"]
    expected = {**parent["comment"], **TOMBSTONE}
    assert note == expected
    assert "rude" not in again.text.lower()
    assert kept == reply["comment"]
    assert kept["parent"] == note["id"]
    assert listing["count"] == 1
    assert await count(api) == 1
    assert await snapshot(api) == [note, kept]
    feed = (await api.client.get("/api/v1/threads/first-post/feed.atom")).text
    assert "This comment was removed by a moderator." in feed
    assert "Something rude" not in feed and "ada@example.org" not in feed
    # Nobody can reply to or report what is no longer there.
    assert (await api.post(parent=note["id"])).status_code == 404
    reported = await api.client.post(
        f"/api/v1/comments/{note['id']}/report", json={"reason": "again"}
    )
    assert reported.status_code == 404


async def test_removing_a_comment_that_was_never_published_leaves_no_note(api: Api) -> None:
    held = (await api.post(body="Held, then rejected")).json()["comment"]["id"]
    act(api, held, "reject")
    assert (await api.list())["comments"] == []
    assert await snapshot(api) == []


async def test_a_removed_comment_approved_again_is_shown_again(
    make_api: ApiFactory,
) -> None:
    api = await make_api(moderation="publish")
    created = (await api.post(body="Not spam after all")).json()
    comment_id = created["comment"]["id"]
    act(api, comment_id, "spam")
    act(api, comment_id, "restore")
    assert [c["removed"] for c in (await api.list())["comments"]] == [True]
    act(api, comment_id, "approve")
    [shown] = (await api.list())["comments"]
    assert shown == created["comment"]
    assert await count(api) == 1


async def test_the_feeds_say_a_comment_was_edited_and_by_whom(make_api: ApiFactory) -> None:
    api = await make_api(moderation="publish")
    created = (await api.post(body="Frist!")).json()
    answer = await edit(api, created, "First!")
    feed = (await api.client.get("/api/v1/feed.atom")).text
    assert f"<updated>{answer['comment']['edited']}</updated>" in feed
    assert "Edited by its author" in feed
