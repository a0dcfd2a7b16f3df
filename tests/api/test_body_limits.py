"""Every route that takes a JSON body refuses oversized and too deeply nested bodies with a 4xx.

The routes are read from the app's own contract, so a JSON route added later is tested too.
"""

from __future__ import annotations

import functools
import json
import re
import secrets
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from comments_api import Settings, create_app
from comments_api.web.body_limits import BODY_LIMITS, DEFAULT_LIMIT, MAX_JSON_DEPTH
from tests.harness import Api

pytestmark = pytest.mark.anyio

# What the reported attack sent: 4 KB of nested arrays.
NESTED_ARRAYS = b"[" * 2000 + b"]" * 2000


@functools.cache
def contract() -> dict[str, Any]:
    """The app's /openapi.json, from an app that never touches its (unused) database."""
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            env="test",
            database_url=f"sqlite:///{Path(folder) / 'unused.sqlite3'}",
            secret_key=secrets.token_urlsafe(32),
            threads_file="",
            migrate_on_start=False,
        )
        app = create_app(settings)
        schema: dict[str, Any] = app.openapi()
        app.state.service.storage.engine.dispose()
    return schema


def routes_taking(media_type: str) -> list[tuple[str, str]]:
    return sorted(
        (method.upper(), path)
        for path, operations in contract()["paths"].items()
        for method, operation in operations.items()
        if media_type in operation.get("requestBody", {}).get("content", {})
    )


JSON_ROUTES = routes_taking("application/json")


def concrete(path: str) -> str:
    """The template with its parameters filled in: ids with 1, thread keys with a real one."""
    return re.sub(
        r"\{([^}]+)\}",
        lambda match: "1" if match.group(1).endswith("id") else "first-post",
        path,
    )


def limit_of(method: str, path: str) -> int:
    return BODY_LIMITS.get((method, path), DEFAULT_LIMIT).max_bytes


def padded_object(size: int) -> bytes:
    """A JSON object of exactly `size` bytes."""
    empty = json.dumps({"padding": ""}).encode()
    return json.dumps({"padding": "x" * (size - len(empty))}).encode()


def nested(depth: int) -> bytes:
    """An object whose one field holds arrays nested so that the whole is `depth` deep."""
    return b'{"body": "Hi", "extra": ' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"


async def send(api: Api, method: str, path: str, content: Any, **headers: str) -> Any:
    return await api.client.request(
        method,
        concrete(path),
        content=content,
        headers={"Content-Type": "application/json", **headers},
    )


def assert_refused(response: Any, status: int, words: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert words in body["detail"], body
    assert [error["field"] for error in body["errors"]] == ["request_body"], body


def test_the_json_routes_are_found() -> None:
    """Guards the tests below against passing because they found no route."""
    assert {
        ("POST", "/api/v1/threads/{key}/comments"),
        ("PATCH", "/api/v1/comments/{comment_id}"),
        ("POST", "/api/v1/comments/{comment_id}/report"),
        ("PUT", "/api/v1/threads"),
        ("POST", "/api/v1/check-personal-data"),
        ("POST", "/api/v1/privacy/delete-request"),
        ("POST", "/api/v1/auth/login"),
    } <= set(JSON_ROUTES)


def test_every_route_given_a_limit_is_in_the_contract() -> None:
    documented = {
        (method.upper(), path)
        for path, operations in contract()["paths"].items()
        for method in operations
    }
    assert set(BODY_LIMITS) <= documented, set(BODY_LIMITS) - documented


@pytest.mark.parametrize(("method", "path"), JSON_ROUTES)
def test_the_contract_says_which_refusals_a_body_can_meet(method: str, path: str) -> None:
    responses = contract()["paths"][path][method.lower()]["responses"]
    assert {"400", "413"} <= set(responses), sorted(responses)
    cap = limit_of(method, path)
    size = f"{cap // 2**20} MiB" if cap >= 2**20 else f"{cap // 2**10} KiB"
    assert size in responses["413"]["description"], responses["413"]


@pytest.mark.parametrize(("method", "path"), JSON_ROUTES)
async def test_deeply_nested_json_is_a_400_naming_the_body(
    api: Api, method: str, path: str
) -> None:
    response = await send(api, method, path, NESTED_ARRAYS)
    assert_refused(response, 400, "nests arrays or objects too deeply")


@pytest.mark.parametrize(("method", "path"), JSON_ROUTES)
async def test_one_level_too_deep_is_refused_and_the_limit_itself_is_not(
    api: Api, method: str, path: str
) -> None:
    too_deep = await send(api, method, path, nested(MAX_JSON_DEPTH + 1))
    assert_refused(too_deep, 400, "too deeply")
    at_the_limit = await send(api, method, path, nested(MAX_JSON_DEPTH))
    assert at_the_limit.status_code < 500, at_the_limit.text
    assert "too deeply" not in at_the_limit.text


@pytest.mark.parametrize(("method", "path"), JSON_ROUTES)
async def test_a_body_over_the_route_cap_is_a_413(api: Api, method: str, path: str) -> None:
    cap = limit_of(method, path)
    response = await send(api, method, path, padded_object(cap + 1))
    assert_refused(response, 413, "too large")
    assert str(cap) in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(("method", "path"), JSON_ROUTES)
async def test_a_streamed_body_without_a_length_is_cut_off_at_the_cap(
    api: Api, method: str, path: str
) -> None:
    cap = limit_of(method, path)
    chunks_sent = 0

    async def four_times_the_cap() -> AsyncIterator[bytes]:
        nonlocal chunks_sent
        yield b'{"padding": "'
        for _ in range(4 * cap // 4096):
            chunks_sent += 1
            yield b"x" * 4096
        yield b'"}'

    response = await send(api, method, path, four_times_the_cap())
    assert_refused(response, 413, "too large")
    assert chunks_sent * 4096 <= cap + 2 * 4096, "the app read on past its cap"


@pytest.mark.parametrize(("method", "path"), JSON_ROUTES)
async def test_a_body_of_exactly_the_cap_is_read(api: Api, method: str, path: str) -> None:
    response = await send(api, method, path, padded_object(limit_of(method, path)))
    assert response.status_code not in {413, 500}, response.text


async def test_brackets_inside_strings_do_not_count_as_nesting(api: Api) -> None:
    body = "[" * 500 + " a comment about brackets " + "{" * 500
    response = await api.post(body=body)
    assert response.status_code == 201, response.text
    assert response.json()["comment"]["id"]


async def test_a_comment_nested_to_the_limit_is_accepted(api: Api) -> None:
    comment = json.loads(nested(MAX_JSON_DEPTH))
    response = await api.post(**comment)
    assert response.status_code == 201, response.text


async def test_an_oversized_form_post_gets_a_page_a_person_can_read(api: Api) -> None:
    response = await api.client.post(
        "/api/v1/threads/first-post/comments",
        data={"author": "Ada", "email": "ada@example.org", "body": "x" * 70_000},
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "too large" in response.text
    assert "64 KiB" in response.text
