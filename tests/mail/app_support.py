"""The real app over httpx.ASGITransport with a real SMTP server, for the mail and safety tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from comments_api import Settings, create_app
from comments_api.background import run_chores_now
from comments_api.db.engine import create_database_engine
from comments_api.db.tables import Comment
from comments_api.moderation.actions import Action, apply_action
from tests.api.support import DEPLOY_TOKEN
from tests.mail.support import SmtpServer

MODERATOR = "moderator@blog.test"


@dataclass
class MailApi:
    app: FastAPI
    client: httpx.AsyncClient
    settings: Settings
    smtp: SmtpServer

    async def post(self, thread: str = "first-post", **fields: Any) -> httpx.Response:
        comment = {"author": "Ada", "email": "ada@example.org", "body": "Hello *there*"}
        comment.update(fields)
        return await self.client.post(f"/api/v1/threads/{thread}/comments", json=comment)

    async def public_ids(self, thread: str = "first-post") -> list[int]:
        response = await self.client.get(f"/api/v1/threads/{thread}/comments")
        assert response.status_code == 200, response.text
        return [comment["id"] for comment in response.json()["comments"]]

    def stored(self, comment_id: int) -> Comment:
        with self.app.state.service.storage.reading() as session:
            comment = session.get(Comment, comment_id)
            assert comment is not None
            return comment

    def act(self, comment_id: int, action: Action, actor: str = MODERATOR) -> Comment:
        with self.app.state.service.storage.writing() as session:
            return apply_action(session, comment_id, action, actor)

    def session(self) -> Session:
        return Session(self.app.state.service.storage.engine)

    def run_background_round(self) -> int:
        """What the background sender does every few seconds: chores, then delivery."""
        engine = self.app.state.service.storage.engine
        _, delivered = run_chores_now(engine, self.settings)
        return delivered


MailApiFactory = Callable[..., Any]


def base_settings(database_url: str, secret: str, smtp: SmtpServer) -> Settings:
    return Settings(
        env="test",
        database_url=database_url,
        secret_key=secret,
        site_url="http://blog.test",
        public_url="http://api.test",
        allowed_origins=("http://blog.test",),
        min_submit_seconds=0,
        rate_limits_enabled=False,
        threads_file="",
        db_pool_size=4,
        deploy_token=DEPLOY_TOKEN,
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_from="Blog comments <comments@blog.test>",
        moderator_emails=(MODERATOR,),
    )


@pytest.fixture
async def make_mail_api(
    mail_settings: Settings, smtp_server: SmtpServer
) -> AsyncIterator[MailApiFactory]:
    made: list[tuple[httpx.AsyncClient, Any, FastAPI]] = []

    async def make(**overrides: Any) -> MailApi:
        settings = replace(
            base_settings(mail_settings.database_url, mail_settings.secret_key, smtp_server),
            **overrides,
        )
        engine = create_database_engine(settings.database_url, pool_size=4)
        app = create_app(settings, engine=engine)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("203.0.113.9", 50000)),
            base_url="http://api.test",
        )
        made.append((client, engine, app))
        response = await client.put(
            "/api/v1/threads",
            json={
                "threads": [
                    {
                        "key": "first-post",
                        "title": "First post",
                        "url": "/posts/first.html",
                        "closed": False,
                    }
                ]
            },
            headers={"Authorization": f"Bearer {DEPLOY_TOKEN}"},
        )
        assert response.status_code == 200, response.text
        return MailApi(app, client, settings, smtp_server)

    yield make
    for client, engine, app in made:
        await client.aclose()
        storage = app.state.service.storage
        if hasattr(storage, "close"):
            storage.close()  # connections and files the storage keeps for itself
        engine.dispose()
