"""The snapshot as changes since a cursor: what an incremental site build asks for."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from comments_api.db.tables import Comment, utcnow
from comments_api.moderation.actions import apply_action
from tests.harness import Api, ApiFactory
from tests.helpers import BUILD_TOKEN

pytestmark = pytest.mark.anyio

AUTH = {"Authorization": f"Bearer {BUILD_TOKEN}"}


async def changes(api: Api, since: str, limit: int = 500) -> dict[str, Any]:
    """Every page of the changes since `since`, put together; `changes_since` of the first."""
    merged: dict[str, Any] = {"comments": [], "removed": [], "changes_since": None}
    cursor = None
    while True:
        params = {"since": since, "limit": limit, **({"cursor": cursor} if cursor else {})}
        response = await api.client.get("/api/v1/snapshot/changes", params=params, headers=AUTH)
        assert response.status_code == 200, response.text
        page = response.json()
        merged["comments"] += page["comments"]
        merged["removed"] += page["removed"]
        merged["changes_since"] = merged["changes_since"] or page["changes_since"]
        cursor = page["next"]
        if cursor is None:
            return merged


def age_every_comment(api: Api) -> None:
    """As if every comment so far had last changed an hour ago."""
    with api.app.state.service.storage.writing() as session:
        session.execute(update(Comment).values(updated_at=utcnow() - timedelta(hours=1)))


def act(api: Api, comment_id: int, action: str) -> None:
    with api.app.state.service.storage.writing() as session:
        apply_action(session, comment_id, action, "moderator@example.org")  # type: ignore[arg-type]


async def test_the_changes_since_a_snapshot_are_what_was_approved_edited_or_removed(
    make_api: ApiFactory,
) -> None:
    api = await make_api(moderation="hold-guests")
    old, tokens = [], []
    for number in range(4):
        created = (await api.post(body=f"Old {number}")).json()
        api.approve(created["comment"]["id"])
        old.append(created["comment"]["id"])
        tokens.append(created["edit_token"])
    held = (await api.post(body="Held, then approved")).json()["comment"]["id"]
    age_every_comment(api)
    full = (await api.client.get("/api/v1/snapshot", headers=AUTH)).json()
    assert [comment["id"] for comment in full["comments"]] == old

    api.approve(held)
    act(api, old[1], "reject")  # taken down: the public sees a note in its place
    withdrawn = await api.client.delete(
        f"/api/v1/comments/{old[2]}", headers={"X-Edit-Token": tokens[2]}
    )
    assert withdrawn.status_code == 204, withdrawn.text  # its author takes it back: gone
    still_pending = (await api.post(body="Not for the public yet")).json()["comment"]["id"]

    changed = await changes(api, full["changes_since"])
    assert [comment["id"] for comment in changed["comments"]] == [old[1], held]
    note, approved = changed["comments"]
    assert note["removed"] is True and approved["html"] == "<p>Held, then approved</p>"
    assert changed["removed"] == [old[2], still_pending]
    assert old[0] not in [comment["id"] for comment in changed["comments"]]

    # The next build asks from the cursor this one was given, and pages through alike.
    again = await changes(api, changed["changes_since"], limit=1)
    assert {comment["id"] for comment in again["comments"]} <= {old[1], held}


async def test_a_cursor_this_service_did_not_give_out_is_answered_410_naming_since(
    make_api: ApiFactory,
) -> None:
    api = await make_api()
    other = await make_api(secret_key="another-service-another-secret-key-0123456789")
    foreign = (await other.client.get("/api/v1/snapshot", headers=AUTH)).json()["changes_since"]
    for since in [foreign, "12345", "not a cursor"]:
        response = await api.client.get(
            "/api/v1/snapshot/changes", params={"since": since}, headers=AUTH
        )
        assert response.status_code == 410, response.text
        body = response.json()
        assert "fetch the whole snapshot" in body["detail"]
        assert [error["field"] for error in body["errors"]] == ["since"]


async def test_the_changes_need_the_build_token_and_a_cursor(api: Api) -> None:
    response = await api.client.get("/api/v1/snapshot/changes", params={"since": "x"})
    assert response.status_code == 401
    missing = await api.client.get("/api/v1/snapshot/changes", headers=AUTH)
    assert missing.status_code == 422
    assert [error["field"] for error in missing.json()["errors"]] == ["since"]


async def test_the_contract_names_the_changes_endpoint_and_the_snapshot_cursor(api: Api) -> None:
    contract = (await api.client.get("/openapi.json")).json()
    operation = contract["paths"]["/api/v1/snapshot/changes"]["get"]
    assert {parameter["name"] for parameter in operation["parameters"]} == {
        "since",
        "cursor",
        "limit",
    }
    assert {"200", "401", "403", "410", "422"} <= set(operation["responses"])
    schemas = contract["components"]["schemas"]
    assert set(schemas["SnapshotChanges"]["required"]) == {
        "comments",
        "removed",
        "next",
        "changes_since",
    }
    assert "changes_since" in schemas["Snapshot"]["required"]
