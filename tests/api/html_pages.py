"""Every HTML page the API serves, found by walking the app's own routes.

A moderator signed in on `browser` asks each route for what it answers with made-up but
well-formed parameters (a page behind a link with a made-up token is that link's problem page),
and posts an empty form to each route that takes posts. New routes are walked too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from comments_api.mail.notifications import moderation_link, unsubscribe_link
from tests.harness import API, Service
from tests.smtp import link_containing

# Fits every path parameter: a comment or ban id, a thread key, a token of 10 characters or more.
PATH_VALUE = "1234567890"
QUERY = {"token": "made-up-token-of-some-length", "q": "ward"}
# Pages the walk must find, so that it cannot pass by finding none.
KNOWN_PAGES = {
    "GET /auth/sign-in",
    "GET /moderation",
    "GET /moderation/bans",
    "GET /moderation/log",
    "GET /moderation/comments/{comment_id}/ban",
    "GET /moderation/email-action/{token}",
    "GET /api/v1/unsubscribe",
    "GET /api/v1/privacy/delete",
    "POST /api/v1/threads/{key}/comments",
    "POST /api/v1/unsubscribe",
    "POST /api/v1/privacy/delete",
    "GET /docs",
}


@dataclass(frozen=True)
class Page:
    route: str  # "GET /moderation/log", as the app names the route
    response: httpx.Response


def _route_paths(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path template) of every route, GETs first (a POST may sign the moderator out)."""
    found = {
        (method, path)
        for route in iter_route_contexts(app.routes)  # routers included in the app, too
        if isinstance(path := route.path, str)
        for method in route.methods or ()
        if method != "HEAD"
    }
    return sorted(found, key=lambda item: (item[0] != "GET", item[1] == "/auth/sign-out", item))


async def every_html_page(
    app: FastAPI, browser: httpx.AsyncClient, csrf: str, comment_id: int
) -> list[Page]:
    """What every route answers with HTML, asked as a signed-in moderator's browser would."""
    pages = []
    for method, template in _route_paths(app):
        path = template.replace("{comment_id}", str(comment_id))
        path = re.sub(r"\{[^}]+\}", PATH_VALUE, path)
        if method == "GET":
            response = await browser.get(path, params=QUERY)
        else:
            response = await browser.request(
                method, path, params=QUERY, data={"csrf_token": csrf}, headers={"Origin": API}
            )
        if response.headers.get("content-type", "").startswith("text/html"):
            pages.append(Page(f"{method} {template}", response))
    return pages


async def pages_behind_real_links(service: Service, comment_id: int) -> list[Page]:
    """The pages e-mailed links open, with working tokens: each shows a button that posts."""
    settings = service.settings
    deletion = await service.client.post(
        "/api/v1/privacy/delete-request", json={"email": "guest@example.org"}
    )
    assert deletion.status_code == 202, deletion.text
    service.deliver()
    [message] = service.mailbox.to("guest@example.org")
    links = {
        "approve": moderation_link(settings, comment_id, "approve", "moderator@example.org"),
        "unsubscribe": unsubscribe_link(settings, comment_id),
        "delete my data": link_containing(message, "/privacy/delete?token="),
    }
    pages = []
    for name, link in links.items():
        parts = urlsplit(link)
        response = await service.browser().get(f"{parts.path}?{parts.query}")
        assert response.status_code == 200, f"{name}: {response.text}"
        assert '<form method="post"' in response.text, f"{name} has no button"
        pages.append(Page(f"GET {parts.path} ({name})", response))
    return pages
