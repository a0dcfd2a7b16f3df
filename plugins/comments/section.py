"""Render a post's comments section (inside the theme's <section>) and the widget's tags."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from .settings import CommentsSettings
from .threads import Thread

TEMPLATES = Path(__file__).parent / "templates"
_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


# The markup the widget copies for live comments: a link and a badge it can drop.
TEMPLATE_COMMENT: dict[str, Any] = {
    "id": "",
    "author": "",
    "website": "#",
    "verified": True,
    "created": "",
    "created_label": "",
    "html": "",
    "replies": [],
}


@dataclass(frozen=True)
class ArticleComments:
    """What the theme reads as `article.comments` (see the README, "Comments settings")."""

    mode: str
    count: int
    thread: str
    html: Markup
    head: Markup


def render_comments(
    thread: Thread, approved: list[dict[str, Any]], settings: CommentsSettings
) -> ArticleComments:
    """The section for one post, with its approved comments threaded under their parents."""
    if thread.mode == "off":
        return ArticleComments("off", 0, thread.key, Markup(""), Markup(""))
    tree = _threaded(approved)
    html = _environment.get_template("section.html").render(
        thread=thread,
        comments=tree,
        count=len(approved),
        settings=settings,
        sign_in_url=sign_in_url(thread, settings),
        template_comment=TEMPLATE_COMMENT,
    )
    head = Markup(
        '<link rel="stylesheet" href="{0}/comments.css">\n'
        '<script defer src="{0}/comments.js"></script>'
    ).format(settings.static_url)
    return ArticleComments(thread.mode, len(approved), thread.key, Markup(html), head)


def sign_in_url(thread: Thread, settings: CommentsSettings) -> str:
    """The sign-in form, bringing the reader back to this post's comments afterwards."""
    separator = "&" if "?" in settings.sign_in_url else "?"
    return settings.sign_in_url + separator + urlencode({"next": f"{thread.url}#comments"})


def _threaded(approved: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Nest replies under their parents; a reply whose parent is gone stays at the top."""
    ordered = sorted(approved, key=lambda comment: (comment["created"], comment["id"]))
    nodes = {comment["id"]: _display(comment) for comment in ordered}
    top_level = []
    for node in nodes.values():
        parent = nodes.get(node["parent"])
        (parent["replies"] if parent else top_level).append(node)
    return top_level


def _display(comment: dict[str, Any]) -> dict[str, Any]:
    website = comment.get("website") or ""
    return {
        "id": comment["id"],
        "parent": comment.get("parent"),
        "author": comment["author"],
        "website": website if website.startswith(("https://", "http://")) else "",
        "verified": bool(comment.get("verified")),
        "created": comment["created"],
        "created_label": _date_label(comment["created"]),
        "html": Markup(comment["html"]),  # sanitised by the API
        "replies": [],
    }


def _date_label(iso_timestamp: str) -> str:
    try:
        moment = datetime.fromisoformat(iso_timestamp)
    except ValueError:
        return iso_timestamp
    return f"{moment.day} {moment:%B %Y}"
