"""Fixtures of the API suite: every test runs on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from comments_api import Settings, create_app
from comments_api.db.engine import create_database_engine
from comments_api.moderation.actions import apply_action
from tests.api.support import (
    BUILD_TOKEN,
    DEPLOY_TOKEN,
)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        env="test",
        database_url=database_url,
        secret_key=secrets.token_urlsafe(32),
        site_url="http://blog.test",
        allowed_origins=("http://blog.test", "http://127.0.0.1:8000"),
        build_token=BUILD_TOKEN,
        deploy_token=DEPLOY_TOKEN,
        min_submit_seconds=0,
        rate_limits_enabled=False,
        threads_file="",
        db_pool_size=4,
    )


@dataclass
class Api:
    """The real app over httpx.ASGITransport, with shortcuts for common steps."""

    app: FastAPI
    client: httpx.AsyncClient
    settings: Settings

    async def sync_threads(self, *threads: dict[str, Any]) -> httpx.Response:
        response = await self.client.put(
            "/api/v1/threads",
            json={"threads": list(threads)},
            headers={"Authorization": f"Bearer {DEPLOY_TOKEN}"},
        )
        assert response.status_code == 200, response.text
        return response

    async def post(self, thread: str = "first-post", **fields: Any) -> httpx.Response:
        comment = {"author": "Ada", "email": "ada@example.org", "body": "Hello *there*"}
        comment.update(fields)
        return await self.client.post(f"/api/v1/threads/{thread}/comments", json=comment)

    async def list(self, thread: str = "first-post") -> dict[str, Any]:
        response = await self.client.get(f"/api/v1/threads/{thread}/comments")
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def approve(self, comment_id: int) -> None:
        """Publish a held comment as a moderator would (audit-logged, subscribers told)."""
        service = self.app.state.service
        with service.storage.writing() as session:
            apply_action(session, comment_id, "approve", "moderator@example.org")


ApiFactory = Callable[..., Any]


@pytest.fixture
async def make_api(settings: Settings) -> AsyncIterator[ApiFactory]:
    """Build an Api with some settings changed; the default thread `first-post` exists."""
    made: list[tuple[httpx.AsyncClient, FastAPI, Any]] = []

    async def make(**overrides: Any) -> Api:
        changed = replace(settings, **overrides)
        engine = create_database_engine(changed.database_url, pool_size=4)
        app = create_app(changed, engine=engine)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("203.0.113.7", 50000)),
            base_url="http://api.test",
        )
        made.append((client, app, engine))
        api = Api(app, client, changed)
        await api.sync_threads(
            {
                "key": "first-post",
                "title": "First post",
                "url": "/posts/first.html",
                "closed": False,
            },
            {"key": "closed-post", "title": "Closed", "url": "/posts/closed.html", "closed": True},
        )
        return api

    yield make
    for client, app, engine in made:
        await client.aclose()
        app.state.service.storage.close()
        engine.dispose()


@pytest.fixture
async def api(make_api: ApiFactory) -> Api:
    result: Api = await make_api()
    return result
