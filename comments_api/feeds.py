"""Atom feeds of approved comments, for one thread or the whole site."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import Element, SubElement, tostring

from comments_api.models import Comment, utcnow
from comments_api.serialization import iso

__all__ = ["absolute_url", "atom_feed"]

ATOM = "http://www.w3.org/2005/Atom"
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
    newest: datetime | None = max(
        (comment.edited_at or comment.created_at for comment, _, _ in entries), default=None
    )
    SubElement(feed, "updated").text = iso(newest or utcnow())
    for comment, thread_title, thread_url in entries:
        entry = SubElement(feed, "entry")
        SubElement(entry, "title").text = _text(f"{comment.author_name} on {thread_title}")
        SubElement(entry, "id").text = _tag_uri(site_url, f"comment-{comment.id}")
        link = absolute_url(site_url, thread_url) + f"#comment-{comment.id}"
        SubElement(entry, "link", {"rel": "alternate", "href": _text(link)})
        SubElement(entry, "published").text = iso(comment.created_at)
        SubElement(entry, "updated").text = iso(comment.edited_at or comment.created_at)
        author = SubElement(entry, "author")
        SubElement(author, "name").text = _text(comment.author_name)
        SubElement(entry, "content", {"type": "html"}).text = _text(comment.body_html)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(feed, encoding="unicode").encode()
