"""Every endpoint refuses bad input with a 4xx whose body names the problem."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness import Api, ApiFactory
from tests.helpers import BUILD_TOKEN, COMMENTS, DEPLOY_TOKEN, GOOD, assert_refused

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({**GOOD, "body": ""}, "body"),
        ({**GOOD, "body": "   "}, "body"),
        ({**GOOD, "body": "x" * 5001}, "body"),
        ({**GOOD, "body": 42}, "body"),
        ({k: v for k, v in GOOD.items() if k != "body"}, "body"),
        ({**GOOD, "author": ""}, "author"),
        ({**GOOD, "author": "a" * 81}, "author"),
        ({**GOOD, "author": ["Ada"]}, "author"),
        ({k: v for k, v in GOOD.items() if k != "author"}, "author"),
        ({**GOOD, "email": "not-an-address"}, "email"),
        ({k: v for k, v in GOOD.items() if k != "email"}, "email"),
        ({**GOOD, "email": "a@" + "b" * 260 + ".org"}, "email"),
        ({**GOOD, "website": "javascript:alert(1)"}, "website"),
        ({**GOOD, "website": "ftp://example.org"}, "website"),
        ({**GOOD, "website": "https://example.org/" + "a" * 300}, "website"),
        ({**GOOD, "parent": "1"}, "parent"),
        ({**GOOD, "parent": True}, "parent"),
        ({**GOOD, "parent": 0}, "parent"),
        ({**GOOD, "notify": "maybe"}, "notify"),
        ({**GOOD, "company": "ACME Ltd"}, "company"),
        ({**GOOD, "opened_at": "yesterday"}, "opened_at"),
        ({**GOOD, "opened_at": -5}, "opened_at"),
    ],
)
async def test_a_bad_comment_is_refused_naming_the_field(
    api: Api, payload: dict[str, Any], field: str
) -> None:
    assert_refused(await api.client.post(COMMENTS, json=payload), 422, field)


async def test_malformed_json_is_a_400_naming_the_request_body(api: Api) -> None:
    response = await api.client.post(
        COMMENTS, content=b'{"body": "unterminated', headers={"Content-Type": "application/json"}
    )
    assert_refused(response, 400, "request_body")
    assert "JSON" in response.json()["detail"]


async def test_a_json_array_instead_of_an_object_is_refused(api: Api) -> None:
    response = await api.client.post(COMMENTS, json=[GOOD])
    assert_refused(response, 422, "request_body")


async def test_an_unsupported_content_type_is_a_415(api: Api) -> None:
    response = await api.client.post(
        COMMENTS, content=b"<comment/>", headers={"Content-Type": "application/xml"}
    )
    assert_refused(response, 415, "Content-Type")


async def test_an_oversized_body_is_a_413(api: Api) -> None:
    response = await api.client.post(
        COMMENTS, content=b"x" * 70_000, headers={"Content-Type": "application/json"}
    )
    assert_refused(response, 413, "request_body")


async def test_a_form_with_a_bad_field_gets_the_html_page_naming_it(api: Api) -> None:
    response = await api.client.post(COMMENTS, data={**GOOD, "parent": "abc"})
    assert response.status_code == 422
    assert "Reply to" in response.text


async def test_posting_too_soon_after_opening_the_form_is_refused(make_api: ApiFactory) -> None:
    import time

    api = await make_api(min_submit_seconds=5)
    too_soon = await api.client.post(
        COMMENTS, json={**GOOD, "opened_at": int(time.time() * 1000) - 1000}
    )
    assert_refused(too_soon, 422, "opened_at")
    patient = await api.client.post(
        COMMENTS, json={**GOOD, "opened_at": int(time.time() * 1000) - 10_000}
    )
    assert patient.status_code == 201


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/threads/no-such-thread/comments",
        "/api/v1/threads/no-such-thread/feed.atom",
    ],
)
async def test_unknown_threads_are_a_404_naming_the_thread(api: Api, path: str) -> None:
    assert_refused(await api.client.get(path), 404, "thread")


async def test_a_bad_thread_key_is_refused(api: Api) -> None:
    response = await api.client.get("/api/v1/threads/-bad key!/comments")
    assert_refused(response, 422, "key")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ([], "thread"),
        ([("thread", f"t{number}") for number in range(101)], "thread"),
        ([("thread", "bad key")], "thread[0]"),
    ],
)
async def test_bad_counts_requests_are_refused(
    api: Api, params: list[tuple[str, str]], field: str
) -> None:
    response = await api.client.get("/api/v1/counts", params=params)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].startswith("thread")


async def test_edit_needs_a_token_and_a_body(api: Api) -> None:
    created = (await api.post()).json()
    url = f"/api/v1/comments/{created['comment']['id']}"
    token = {"X-Edit-Token": created["edit_token"]}
    assert_refused(await api.client.patch(url, json={"body": "x"}), 403, "X-Edit-Token")
    assert_refused(await api.client.patch(url, json={}, headers=token), 422, "body")
    assert_refused(await api.client.patch(url, json={"body": 5}, headers=token), 422, "body")
    assert_refused(
        await api.client.patch(url, json={"body": "x" * 5001}, headers=token), 422, "body"
    )
    assert_refused(
        await api.client.patch(
            url, content=b"{oops", headers={**token, "Content-Type": "application/json"}
        ),
        400,
        "request_body",
    )
    assert_refused(
        await api.client.patch("/api/v1/comments/999999", json={"body": "x"}, headers=token),
        404,
        "id",
    )
    assert_refused(
        await api.client.patch("/api/v1/comments/abc", json={"body": "x"}, headers=token),
        422,
        "id",
    )


async def test_snapshot_needs_the_build_token(api: Api) -> None:
    assert_refused(await api.client.get("/api/v1/snapshot"), 401, "Authorization")
    wrong = await api.client.get(
        "/api/v1/snapshot", headers={"Authorization": f"Bearer {DEPLOY_TOKEN}"}
    )
    assert_refused(wrong, 403, "Authorization")
    bad_cursor = await api.client.get(
        "/api/v1/snapshot?cursor=abc", headers={"Authorization": f"Bearer {BUILD_TOKEN}"}
    )
    assert_refused(bad_cursor, 422, "cursor")
    bad_limit = await api.client.get(
        "/api/v1/snapshot?limit=0", headers={"Authorization": f"Bearer {BUILD_TOKEN}"}
    )
    assert_refused(bad_limit, 422, "limit")


async def test_thread_sync_needs_the_deploy_token_and_a_valid_manifest(api: Api) -> None:
    manifest = {"threads": [{"key": "a", "title": "A", "url": "/a.html", "closed": False}]}
    assert_refused(await api.client.put("/api/v1/threads", json=manifest), 401, "Authorization")
    build = {"Authorization": f"Bearer {BUILD_TOKEN}"}
    assert_refused(
        await api.client.put("/api/v1/threads", json=manifest, headers=build), 403, "Authorization"
    )
    deploy = {"Authorization": f"Bearer {DEPLOY_TOKEN}"}
    broken = {"threads": [{"key": "a", "title": "A", "closed": "no"}]}
    response = await api.client.put("/api/v1/threads", json=broken, headers=deploy)
    assert_refused(response, 422, None)
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"threads[0].url", "threads[0].closed"}
    malformed = await api.client.put(
        "/api/v1/threads", content=b"[", headers={**deploy, "Content-Type": "application/json"}
    )
    assert_refused(malformed, 400, "request_body")


async def test_a_token_is_refused_when_the_server_has_none(make_api: ApiFactory) -> None:
    api = await make_api()
    bare = await make_api(build_token="")
    response = await bare.client.get("/api/v1/snapshot", headers={"Authorization": "Bearer "})
    assert response.status_code in {401, 403}
    response = await bare.client.get("/api/v1/snapshot", headers={"Authorization": "Bearer x"})
    assert_refused(response, 403, "Authorization")
    assert "COMMENTS_BUILD_TOKEN" in response.json()["detail"]
    assert api.settings.build_token


async def test_report_refuses_bad_input(make_api: ApiFactory) -> None:
    api = await make_api(moderation="publish")
    comment = (await api.post()).json()["comment"]
    url = f"/api/v1/comments/{comment['id']}/report"
    assert_refused(await api.client.post(url, json={}), 422, "reason")
    assert_refused(await api.client.post(url, json={"reason": 3}), 422, "reason")
    assert_refused(
        await api.client.post(url, content=b"{", headers={"Content-Type": "application/json"}),
        400,
        "request_body",
    )
    assert_refused(
        await api.client.post("/api/v1/comments/424242/report", json={"reason": "x"}), 404, "id"
    )


async def test_unknown_paths_and_methods_get_the_error_body(api: Api) -> None:
    assert_refused(await api.client.get("/api/v1/nothing"), 404, None)
    response = await api.client.delete("/api/v1/threads/first-post/comments")
    assert_refused(response, 405, None)
    assert response.headers["allow"] == "GET, POST"


async def test_an_if_none_match_over_1000_characters_is_refused_even_when_the_list_is_cached(
    api: Api,
) -> None:
    first = await api.client.get(COMMENTS)  # fills the list cache the fast path answers from
    assert first.status_code == 200
    etag = first.headers["ETag"]
    padded = ", ".join([etag] * (1001 // (len(etag) + 2) + 1))
    assert len(padded) > 1000

    for _ in range(2):  # once from the cache, once more to be sure it stays refused
        assert_refused(
            await api.client.get(COMMENTS, headers={"If-None-Match": padded}), 422, "if-none-match"
        )
    assert (await api.client.get(COMMENTS, headers={"If-None-Match": etag})).status_code == 304
