"""Server-rendered pages of the service (sign-in, moderation): templates and safe headers."""

from __future__ import annotations

from typing import Any

from starlette.responses import HTMLResponse

from comments_api.pages import templates

__all__ = ["PAGE_HEADERS", "html_page"]

# No scripts at all; styles only inline; forms only to this origin; never framed.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def html_page(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a template into a response that may not be cached, framed or scripted."""
    html = templates.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS)
