"""Fixtures of the moderation suite: the sign-in suite's service, plus a signed-in moderator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from bs4 import BeautifulSoup

from tests.auth.support import (  # noqa: F401
    API,
    BLOG,
    Service,
    mailbox,
    make_service,
    service,
    smtp_server,
)


def form_token(html: str) -> str:
    field = BeautifulSoup(html, "lxml").find("input", attrs={"name": "csrf_token"})
    assert field is not None, "the page has no form with a CSRF token"
    return str(field["value"])


@dataclass
class Desk:
    """A moderator's browser on the moderation pages, and guests posting comments."""

    service: Service
    moderator: httpx.AsyncClient
    csrf: str

    async def guest_comment(self, thread: str = "first-post", **fields: Any) -> int:
        comment = {"author": "Guest Writer", "email": "guest@example.org", "body": "Hello there"}
        comment.update(fields)
        guest = self.service.browser()
        response = await guest.post(f"/api/v1/threads/{thread}/comments", json=comment)
        assert response.status_code == 201, response.text
        identifier: int = response.json()["comment"]["id"]
        return identifier

    async def act(self, comment_id: int, action: str, **extra: str) -> httpx.Response:
        answer = await self.moderator.post(
            f"/moderation/comments/{comment_id}",
            data={"action": action, "csrf_token": self.csrf, "back": "/moderation", **extra},
            headers={"Origin": API},
        )
        return await self.confirm_if_asked(answer)

    async def bulk(self, ids: list[int], action: str, back: str = "/moderation") -> httpx.Response:
        answer = await self.moderator.post(
            "/moderation/bulk",
            data={
                "action": action,
                "csrf_token": self.csrf,
                "back": back,
                "comment": [str(identifier) for identifier in ids],
            },
            headers={"Origin": API},
        )
        return await self.confirm_if_asked(answer)

    async def confirm_if_asked(self, answer: httpx.Response) -> httpx.Response:
        """Press the button of the page that asks before deleting, as a moderator would."""
        page = BeautifulSoup(answer.text, "lxml") if answer.status_code == 200 else None
        asked = page.find("input", attrs={"name": "confirmed"}) if page else None
        if asked is None:
            return answer
        form = asked.find_parent("form")
        fields: dict[str, list[str]] = {}
        for field in form.find_all("input"):
            fields.setdefault(field["name"], []).append(field["value"])
        return await self.moderator.post(form["action"], data=fields, headers={"Origin": API})

    async def page(self, path: str = "/moderation", **params: str) -> BeautifulSoup:
        response = await self.moderator.get(path, params=params)
        assert response.status_code == 200, response.text
        return BeautifulSoup(response.text, "lxml")

    async def public_ids(self, thread: str = "first-post") -> list[int]:
        response = await self.service.client.get(f"/api/v1/threads/{thread}/comments")
        assert response.status_code == 200, response.text
        return [comment["id"] for comment in response.json()["comments"]]


@pytest.fixture
async def desk(service: Service) -> Desk:  # noqa: F811
    service.make_user("moderator@example.org", "moderator", "Morgan Moderator")
    moderator = service.browser()
    await service.sign_in("moderator@example.org", "/moderation", client=moderator)
    page = await moderator.get("/moderation")
    assert page.status_code == 200, page.text
    return Desk(service, moderator, form_token(page.text))
