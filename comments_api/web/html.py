"""Server-rendered HTML (Jinja2, autoescaped): pages for people without JavaScript.

Every page is rendered by `render()` under the blog's name (COMMENTS_SITE_NAME), and every
HTML answer leaves through `HtmlPages`, which adds the security headers: a route may send a
stricter value of one of them, never none.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape
from starlette.datastructures import MutableHeaders
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from comments_api.errors import ApiError

if TYPE_CHECKING:
    from jinja2 import Environment

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "DOCS_CONTENT_SECURITY_POLICY",
    "PAGE_HEADERS",
    "HtmlPages",
    "SiteIdentity",
    "favicon",
    "form_error_page",
    "html_page",
    "render",
    "templates",
]

PACKAGE = Path(__file__).resolve().parent

# No scripts at all; styles only inline; images (the favicon) from here; forms only to this
# origin; never framed.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
# FastAPI's /docs and /redoc pages load their scripts and styles from a CDN.
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com "
    "https://cdn.redoc.ly; connect-src 'self'; worker-src blob:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)

FIELD_LABELS = {
    "author": "Name",
    "email": "E-mail",
    "website": "Website",
    "body": "Comment",
    "parent": "Reply to",
    "notify": "Notify me of replies",
    "company": "Company",
    "opened_at": "Timing",
    "thread": "Post",
    "rate_limit": "Limit",
    "reason": "Reason",
    "request_body": "Form",
    "Origin": "Origin",
}


@dataclass(frozen=True)
class SiteIdentity:
    """The blog the pages belong to (`blog` in templates): its name and address for the header."""

    name: str
    url: str


# Set by `HtmlPages` for each request, so pages carry the name of the app that serves them.
_serving: ContextVar[SiteIdentity] = ContextVar("serving_site")
_UNSET = SiteIdentity("Comments", "/")


def breakable(text: str) -> Markup:
    """An address that may wrap before its dots and after its @, never in the middle of a word."""
    escaped = str(escape(text)).replace("@", "@<wbr>").replace(".", "<wbr>.")
    return Markup(escaped)


def moment(value: datetime, month: str = "long") -> Markup:
    """A UTC time as people read it on the blog ("2 December 2026, 09:05 UTC"), machine-readable."""
    month_name = value.strftime("%B" if month == "long" else "%b")
    shown = f"{value.day} {month_name} {value:%Y, %H:%M}"
    return Markup('<time datetime="{}">{} UTC</time>').format(f"{value:%Y-%m-%dT%H:%M:%SZ}", shown)


@cache
def templates() -> Environment:
    """The pages' templates, loaded with the first page: the JSON API never needs Jinja2."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    environment = Environment(
        loader=FileSystemLoader(PACKAGE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    environment.filters["breakable"] = breakable
    environment.filters["moment"] = moment
    return environment


def render(template: str, **context: Any) -> str:
    """A template rendered for the blog being served."""
    return templates().get_template(template).render(blog=_serving.get(_UNSET), **context)


def html_page(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a template into a page (`HtmlPages` adds its security headers)."""
    return HTMLResponse(render(template, **context), status_code=status_code)


def form_error_page(error: ApiError, back_url: str, typed: str = "") -> HTMLResponse:
    """The errors of a form post as a page with the reader's text and a link back to the post."""
    html = render(
        "form_error.html",
        detail=error.detail,
        errors=error.errors,
        labels=FIELD_LABELS,
        back_url=back_url,
        typed=typed,
    )
    return HTMLResponse(html, status_code=error.status_code, headers=error.headers)


def service_page(
    title: str,
    paragraphs: tuple[str, ...],
    links: tuple[tuple[str, str], ...],
    status_code: int = 200,
) -> HTMLResponse:
    """A short page of the service's own: a few sentences and where to go from here."""
    html = render("service/page.html", title=title, paragraphs=paragraphs, links=links)
    return HTMLResponse(html, status_code=status_code)


def _links_out(path: str) -> tuple[tuple[str, str], ...]:
    blog = _serving.get(_UNSET)
    links = [(f"{blog.name}: the blog", blog.url)]
    if path.startswith("/moderation"):
        links.insert(0, ("The moderation queue", "/moderation"))
    return (*links, ("The API's reference", "/docs"))


def front_page() -> HTMLResponse:
    """What a person who opens the service's own address sees: where the comments are read."""
    blog = _serving.get(_UNSET)
    return service_page(
        f"Comments service of {blog.name}",
        (
            "This address serves the comments under the blog's posts. Comments are read and "
            "written on the blog itself; moderators work in the moderation queue.",
        ),
        (
            (f"{blog.name}: the blog", blog.url),
            ("The moderation queue", "/moderation"),
            ("The API's reference", "/docs"),
        ),
    )


def not_found_page(path: str, accept: str) -> HTMLResponse | None:
    """A page for a person who mistyped an address, or None for the API's JSON answer.

    Addresses under /api/ always answer JSON, as the contract says; elsewhere a browser (one
    that asks for HTML) gets a page with links instead of a JSON body.
    """
    if path.startswith("/api/") or "text/html" not in accept:
        return None
    return service_page(
        "There is no page at this address",
        ("Check the address for a typing mistake, or go on from one of these pages.",),
        _links_out(path),
        status_code=404,
    )


def favicon() -> Response:
    """The blog's icon (the theme's), for the service's own pages."""
    icon = (PACKAGE / "static" / "favicon.svg").read_bytes()
    return Response(icon, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})


class HtmlPages:
    """Names the blog in every page, and gives every HTML answer the security headers."""

    def __init__(
        self, app: ASGIApp, site: SiteIdentity, policies: Mapping[str, str] | None = None
    ) -> None:
        self.app = app
        self.site = site
        self.policies = dict(policies or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = self.policies.get(scope["path"], CONTENT_SECURITY_POLICY)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("text/html"):
                    wanted = {**PAGE_HEADERS, "Content-Security-Policy": policy}
                    for name, value in wanted.items():
                        if name not in headers:
                            headers[name] = value
            await send(message)

        token = _serving.set(self.site)
        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            _serving.reset(token)
