"""Atom feeds of approved comments, for one thread or the whole site.

A published comment a moderator removed appears as the note that replaces it on the page; an
edited comment says who edited it, and its `updated` is the time of the edit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import Element, SubElement, tostring

from comments_api.content.serialization import iso
from comments_api.db.tables import Comment, Editor, Status, utcnow

__all__ = ["REMOVED_NOTE", "absolute_url", "atom_feed"]

ATOM = "http://www.w3.org/2005/Atom"
REMOVED_NOTE = "This comment was removed by a moderator."
EDITED_NOTES = {
    Editor.AUTHOR.value: "Edited by its author",
    Editor.MODERATOR.value: "Edited by a moderator",
}
# The feed's own author stands for the notes, which have none of their own.
FEED_AUTHOR = "The moderators"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def absolute_url(site_url: str, url: str) -> str:
    """A thread URL from the manifest made absolute against the site's URL."""
    return urljoin(site_url.rstrip("/") + "/", url)


def _tag_uri(site_url: str, specific: str) -> str:
    host = urlsplit(site_url).hostname or "localhost"
    return f"tag:{host},2024:{specific}"


def atom_feed(
    *,
    site_url: str,
    feed_url: str,
    title: str,
    alternate_url: str,
    feed_id: str,
    entries: Sequence[tuple[Comment, str, str]],
) -> bytes:
    """An Atom 1.0 document; comment HTML goes in escaped `content type="html"`."""
    feed = Element("feed", {"xmlns": ATOM})
    SubElement(feed, "title").text = _text(title)
    SubElement(feed, "id").text = _tag_uri(site_url, feed_id)
    SubElement(feed, "link", {"rel": "self", "href": _text(feed_url)})
    SubElement(feed, "link", {"rel": "alternate", "href": _text(alternate_url)})
    newest: datetime | None = max((_updated(comment) for comment, _, _ in entries), default=None)
    SubElement(feed, "updated").text = iso(newest or utcnow())
    SubElement(SubElement(feed, "author"), "name").text = FEED_AUTHOR
    for comment, thread_title, thread_url in entries:
        removed = comment.status != Status.APPROVED.value
        entry = SubElement(feed, "entry")
        who = "Removed comment" if removed else comment.author_name
        SubElement(entry, "title").text = _text(f"{who} on {thread_title}")
        SubElement(entry, "id").text = _tag_uri(site_url, f"comment-{comment.id}")
        link = absolute_url(site_url, thread_url) + f"#comment-{comment.id}"
        SubElement(entry, "link", {"rel": "alternate", "href": _text(link)})
        SubElement(entry, "published").text = iso(comment.created_at)
        SubElement(entry, "updated").text = iso(_updated(comment))
        if not removed:
            SubElement(SubElement(entry, "author"), "name").text = _text(comment.author_name)
        SubElement(entry, "content", {"type": "html"}).text = _text(_content(comment, removed))
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(feed, encoding="unicode").encode()


def _updated(comment: Comment) -> datetime:
    """When the entry last changed: its removal, its last edit, or its posting."""
    if comment.status != Status.APPROVED.value and comment.removed_at is not None:
        return comment.removed_at
    return comment.edited_at or comment.created_at


def _content(comment: Comment, removed: bool) -> str:
    if removed:
        return f"<p><em>{REMOVED_NOTE}</em></p>"
    note = EDITED_NOTES.get(comment.edited_by or "")
    if note is None or comment.edited_at is None:
        return comment.body_html
    return f"{comment.body_html}<p><em>{note} on {comment.edited_at:%-d %B %Y}.</em></p>"
