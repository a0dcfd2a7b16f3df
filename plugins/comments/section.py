"""Render a post's comments section (inside the theme's <section>) and the widget's tags."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from .settings import CommentsSettings
from .threads import Thread

TEMPLATES = Path(__file__).parent / "templates"


# What to tell readers about each field: the service's own table, read as a file (the plugin
# never imports the service). The form carries each message in `data-error` for the widget.
FIELD_MESSAGES_FILE = Path(__file__).parents[2] / "comments_api" / "field_messages.json"
FIELD_MESSAGES: dict[str, str] = json.loads(FIELD_MESSAGES_FILE.read_text(encoding="utf-8"))[
    "messages"
]
_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


# The markup the widget copies for live comments: the parts it can drop (the link, the badge,
# the "edited" note and its "by a moderator") are all there; then a removed comment's note.
TEMPLATE_COMMENT: dict[str, Any] = {
    "id": "",
    "author": "",
    "website": "#",
    "verified": True,
    "created": "",
    "created_label": "",
    "edited": "-",
    "edited_label": "",
    "edited_by": "moderator",
    "html": "",
    "removed": False,
    "replies": [],
}
TEMPLATE_REMOVED: dict[str, Any] = {"id": "removed", "removed": True, "replies": []}


@dataclass(frozen=True)
class ArticleComments:
    """What the theme reads as `article.comments` (see the README, "Comments settings")."""

    mode: str
    count: int
    thread: str
    html: Markup
    head: Markup


class RenderedSections:
    """The sections rendered by the last build of this process, for the next one to reuse.

    A rebuild (the live preview's) renders the same sections again for every post whose
    thread, comments and settings did not change: a section is kept by all of them and the
    template it came from (Jinja loads a changed template afresh), for one build.
    """

    def __init__(self) -> None:
        self.previous: dict[tuple[Any, ...], ArticleComments] = {}
        self.current: dict[tuple[Any, ...], ArticleComments] = {}

    def section(
        self,
        thread: Thread,
        approved: list[dict[str, Any]],
        settings: CommentsSettings,
        draft: bool = False,
    ) -> ArticleComments:
        template = _environment.get_template("section.html")
        key = (template, thread, json.dumps(approved, sort_keys=True, default=str), settings, draft)
        found = self.previous.get(key) or self.current.get(key)
        if found is None:
            found = render_comments(thread, approved, settings, draft)
        self.current[key] = found
        return found

    def build_done(self) -> None:
        self.previous, self.current = self.current, {}


def render_comments(
    thread: Thread, approved: list[dict[str, Any]], settings: CommentsSettings, draft: bool = False
) -> ArticleComments:
    """The section for one post, with its approved comments threaded under their parents.

    A removed comment (`removed: true`) is a note in its place that keeps its replies and is
    not counted. A draft gets a note instead of a form: its thread does not exist yet.
    """
    if thread.mode == "off":
        return ArticleComments("off", 0, thread.key, Markup(""), Markup(""))
    count = sum(1 for comment in approved if not comment.get("removed"))
    html = _environment.get_template("section.html").render(
        thread=thread,
        draft=draft,
        comments=_threaded(approved),
        count=count,
        settings=settings,
        sign_in_url=sign_in_url(thread, settings),
        provider_sign_in_url=provider_sign_in_url(thread, settings),
        feed_url=feed_url(thread, settings),
        template_comment=TEMPLATE_COMMENT,
        template_removed=TEMPLATE_REMOVED,
        messages=FIELD_MESSAGES,
    )
    head = Markup("") if draft else widget_head(settings) + feed_head(thread, settings)
    return ArticleComments(thread.mode, count, thread.key, Markup(html), head)


def feed_url(thread: Thread, settings: CommentsSettings) -> str:
    """The Atom feed of the post's approved comments, served by the API."""
    return f"{settings.api_url}/api/v1/threads/{quote(thread.key, safe='')}/feed.atom"


def feed_head(thread: Thread, settings: CommentsSettings) -> Markup:
    """The feed's <link rel="alternate">, so feed readers find it from the post's address."""
    return Markup(
        '\n<link rel="alternate" type="application/atom+xml" title="Comments: {0}" href="{1}">'
    ).format(thread.title, feed_url(thread, settings))


def widget_head(settings: CommentsSettings) -> Markup:
    """The widget's stylesheet and script, for the <head> of an article page."""
    return Markup(
        '<link rel="stylesheet" href="{0}/comments.css">\n'
        '<script defer src="{0}/comments.js"></script>'
    ).format(settings.static_url)


def counts_head(settings: CommentsSettings) -> Markup:
    """The live-counts script, for the <head> of a page that lists posts with their counts."""
    return Markup('<script defer src="{0}/counts.js" data-api="{1}"></script>').format(
        settings.static_url, settings.api_url
    )


def sign_in_url(thread: Thread, settings: CommentsSettings) -> str:
    """The sign-in form, bringing the reader back to this post's comments afterwards."""
    separator = "&" if "?" in settings.sign_in_url else "?"
    return settings.sign_in_url + separator + urlencode({"next": f"{thread.url}#comments"})


def provider_sign_in_url(thread: Thread, settings: CommentsSettings) -> str:
    """The API's way to the organisation's sign-in page, back to this post's comments."""
    query = urlencode({"next": f"{thread.url}#comments"})
    return f"{settings.api_url}/auth/oidc/start?{query}"


def _threaded(approved: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Nest replies under their parents; a reply whose parent is gone stays at the top."""
    ordered = sorted(approved, key=lambda comment: (comment["created"], comment["id"]))
    nodes = {comment["id"]: _display(comment) for comment in ordered}
    top_level: list[dict[str, Any]] = []
    for node in nodes.values():
        parent = nodes.get(node["parent"])
        (parent["replies"] if parent else top_level).append(node)
    return top_level


def _display(comment: dict[str, Any]) -> dict[str, Any]:
    """What the template shows of one comment; fields an older API lacks count as null."""
    website = comment.get("website") or ""
    edited = comment.get("edited") or ""
    return {
        "id": comment["id"],
        "parent": comment.get("parent"),
        "removed": bool(comment.get("removed")),
        "author": comment["author"],
        "website": website if website.startswith(("https://", "http://")) else "",
        "verified": bool(comment.get("verified")),
        "created": comment["created"],
        "created_label": _date_label(comment["created"]),
        "edited": edited,
        "edited_label": _date_label(edited) if edited else "",
        "edited_by": comment.get("edited_by"),
        "html": Markup(comment["html"]),  # sanitised by the API
        "replies": [],
    }


def _date_label(iso_timestamp: str) -> str:
    """A date as the widget writes it too, like "1 December 2026"."""
    try:
        moment = datetime.fromisoformat(iso_timestamp)
    except ValueError:
        return iso_timestamp
    return f"{moment.day} {moment:%B %Y}"
