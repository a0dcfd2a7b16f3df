"""Server-rendered HTML (Jinja2, autoescaped): pages for people without JavaScript."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse

from comments_api.errors import ApiError

__all__ = ["form_error_page", "templates"]

templates = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
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


def form_error_page(error: ApiError, back_url: str) -> HTMLResponse:
    """The errors of a form post as a page with a link back to the post."""
    html = templates.get_template("form_error.html").render(
        detail=error.detail, errors=error.errors, labels=FIELD_LABELS, back_url=back_url
    )
    return HTMLResponse(html, status_code=error.status_code, headers=error.headers)
