"""CORS allowlist, refusal of foreign origins, and per-client rate limits."""

from __future__ import annotations

import pytest

from tests.harness import Api, ApiFactory
from tests.helpers import COMMENTS, GOOD, assert_refused

pytestmark = pytest.mark.anyio


async def test_the_blog_origin_gets_cors_headers_with_credentials(api: Api) -> None:
    response = await api.client.get(COMMENTS, headers={"Origin": "http://blog.test"})
    assert response.headers["access-control-allow-origin"] == "http://blog.test"
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "ETag" in response.headers["access-control-expose-headers"]
    assert "Origin" in response.headers["vary"]


async def test_a_preflight_from_the_blog_is_allowed(api: Api) -> None:
    response = await api.client.options(
        COMMENTS,
        headers={
            "Origin": "http://blog.test",
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "content-type, x-edit-token",
        },
    )
    assert response.status_code == 204
    assert "PATCH" in response.headers["access-control-allow-methods"]


async def test_other_origins_get_no_cors_headers_and_cannot_write(api: Api) -> None:
    evil = {"Origin": "https://evil.example"}
    read = await api.client.get(COMMENTS, headers=evil)
    assert read.status_code == 200
    assert "access-control-allow-origin" not in read.headers
    write = await api.client.post(COMMENTS, json=GOOD, headers=evil)
    assert_refused(write, 403, "Origin")
    form = await api.client.post(COMMENTS, data=GOOD, headers=evil)
    assert_refused(form, 403, "Origin")
    preflight = await api.client.options(
        COMMENTS, headers={**evil, "Access-Control-Request-Method": "POST"}
    )
    assert_refused(preflight, 403, "Origin")
    assert (await api.list())["count"] == 0


async def test_too_many_comments_from_one_client_get_a_429_naming_the_limit(
    make_api: ApiFactory,
) -> None:
    api = await make_api(rate_limits_enabled=True, rate_limit_create="3/minute")
    for _ in range(3):
        assert (await api.post()).status_code == 201
    refused = await api.post()
    assert_refused(refused, 429, "rate_limit")
    assert "3 per minute" in refused.json()["detail"]
    assert int(refused.headers["retry-after"]) >= 1


async def test_rate_limits_can_be_switched_off(make_api: ApiFactory) -> None:
    api = await make_api(rate_limits_enabled=False, rate_limit_create="1/minute")
    for _ in range(3):
        assert (await api.post()).status_code == 201


async def test_cached_answers_carry_the_same_cors_headers(api: Api) -> None:
    blog = {"Origin": "http://blog.test"}
    for _ in range(2):  # the second answer comes from the cache
        response = await api.client.get(COMMENTS, headers=blog)
        assert response.headers["access-control-allow-origin"] == "http://blog.test"
    counts = await api.client.get("/api/v1/counts?thread=first-post", headers=blog)
    assert counts.headers["access-control-allow-origin"] == "http://blog.test"
