"""Server-rendered pages of the service (sign-in, moderation), rendered for the blog served."""

from __future__ import annotations

from typing import Any

from starlette.responses import HTMLResponse

from comments_api.pages import PAGE_HEADERS, render

__all__ = ["PAGE_HEADERS", "html_page"]


def html_page(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a template into a page (`pages.HtmlPages` adds its security headers)."""
    return HTMLResponse(render(template, **context), status_code=status_code)
