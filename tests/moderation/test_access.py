"""Only moderators get in; every form needs this session's CSRF token and this origin."""

from __future__ import annotations

import re

import httpx
import pytest
from bs4 import BeautifulSoup
from starlette.routing import Route

from comments_api.web.pages.moderation import router
from tests.harness import API, Desk, Service, form_token

pytestmark = pytest.mark.anyio


def moderation_routes() -> list[tuple[str, str]]:
    """Every (method, path) of the moderation pages, with sample path parameters."""
    found = []
    for route in router.routes:
        assert isinstance(route, Route)
        for method in sorted(route.methods or ()):
            if method == "HEAD":
                continue
            found.append((method, re.sub(r"\{[^}]+\}", "1", route.path)))
    return found


ROUTES = moderation_routes()


def test_the_route_list_covers_the_pages_and_actions() -> None:
    paths = {path for _, path in ROUTES}
    assert {
        "/moderation",
        "/moderation/spam",
        "/moderation/search",
        "/moderation/log",
        "/moderation/comments/1",
        "/moderation/bulk",
    } <= paths


async def _member(service: Service) -> tuple[httpx.AsyncClient, str]:
    member = service.browser()
    await service.sign_in("member@example.org", client=member)
    token = form_token((await member.get("/auth/sign-in")).text)
    return member, token


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_anonymous_readers_are_refused_everywhere(desk: Desk, method: str, path: str) -> None:
    held = await desk.guest_comment()
    anonymous = desk.service.browser()
    response = await anonymous.request(
        method,
        path.replace("/1", f"/{held}"),
        data={"action": "approve", "comment": str(held)} if method == "POST" else None,
        headers={"Origin": API} if method == "POST" else None,
    )
    assert response.status_code == 403
    page = BeautifulSoup(response.text, "lxml")
    assert page.find("h1").get_text() == "Not allowed"
    assert page.find("a", string="Sign in as a moderator")["href"].startswith(
        f"{API}/auth/sign-in?next="
    )
    assert held not in await desk.public_ids()


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_members_are_refused_everywhere_even_with_a_valid_form(
    desk: Desk, method: str, path: str
) -> None:
    held = await desk.guest_comment()
    member, token = await _member(desk.service)
    response = await member.request(
        method,
        path.replace("/1", f"/{held}"),
        data={"action": "approve", "comment": str(held), "csrf_token": token}
        if method == "POST"
        else None,
        headers={"Origin": API} if method == "POST" else None,
    )
    assert response.status_code == 403
    assert "not a moderator" in response.text
    assert held not in await desk.public_ids()


async def test_a_banned_moderator_is_refused(desk: Desk) -> None:
    from sqlalchemy import update

    from comments_api.db.tables import User, utcnow

    with desk.service.engine.begin() as connection:
        connection.execute(update(User).values(banned_at=utcnow()))
    assert (await desk.moderator.get("/moderation")).status_code == 403


async def _post(desk: Desk, comment_id: int, data: dict[str, str], **headers: str) -> int:
    response = await desk.moderator.post(
        f"/moderation/comments/{comment_id}", data=data, headers=headers
    )
    return response.status_code


async def test_cross_origin_form_posts_are_refused(desk: Desk) -> None:
    held = await desk.guest_comment()
    form = {"action": "approve", "csrf_token": desk.csrf}

    assert await _post(desk, held, form, Origin="https://evil.example") == 403
    assert await _post(desk, held, form, Origin="http://blog.test") == 403  # the blog isn't us
    assert await _post(desk, held, form, Referer="https://evil.example/page") == 403
    assert await _post(desk, held, form) == 403  # neither Origin nor Referer
    assert held not in await desk.public_ids()
    assert await _post(desk, held, form, Referer=f"{API}/moderation") == 303
    assert held in await desk.public_ids()


async def test_form_posts_without_the_sessions_csrf_token_are_refused(desk: Desk) -> None:
    held = await desk.guest_comment()
    other = desk.service.browser()
    await desk.service.sign_in("moderator@example.org", client=other)
    someone_elses = form_token((await other.get("/moderation")).text)

    assert await _post(desk, held, {"action": "approve"}, Origin=API) == 403
    assert await _post(desk, held, {"action": "approve", "csrf_token": "x" * 64}, Origin=API) == 403
    assert someone_elses != desk.csrf
    assert (
        await _post(desk, held, {"action": "approve", "csrf_token": someone_elses}, Origin=API)
        == 403
    )
    bulk = await desk.moderator.post(
        "/moderation/bulk",
        data={"action": "approve", "comment": str(held)},
        headers={"Origin": API},
    )
    assert bulk.status_code == 403
    assert held not in await desk.public_ids()


async def test_every_form_on_the_pages_carries_the_csrf_token(desk: Desk) -> None:
    await desk.guest_comment()
    for path in ("/moderation", "/moderation/spam", "/moderation/search", "/moderation/log"):
        page = await desk.page(path)
        for form in page.find_all("form"):
            if form.get("method", "get").lower() != "post":
                continue
            token = form.find("input", attrs={"name": "csrf_token"})
            assert token is not None and token["value"] == desk.csrf, form
