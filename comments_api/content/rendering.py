"""Comment Markdown to safe HTML: markdown-it-py with raw HTML off, then an nh3 allowlist."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3
from markdown_it import MarkdownIt

__all__ = ["ALLOWED_TAGS", "LINK_REL", "extract_links", "one_line", "render_comment"]

ALLOWED_TAGS = frozenset(
    {"p", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a", "br"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
LINK_REL = "nofollow ugc noopener"
SAFE_SCHEMES = ("http://", "https://", "mailto:")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_markdown = (
    MarkdownIt(
        "commonmark",
        # A line break the reader typed stays a line break, as in every comment box.
        {"html": False, "linkify": False, "typographer": False, "breaks": True},
    )
    # Nothing outside the allowlist is produced in the first place: no images, headings, rules.
    .disable(["image", "heading", "lheading", "hr", "html_block", "html_inline"])
)


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return value if value.lower().startswith(SAFE_SCHEMES) else None
    if tag == "ol" and attribute == "start":
        return value if value.isdigit() and len(value) <= 6 else None
    return value


def render_comment(markdown_text: str) -> str:
    """Render a comment body once, at write time; the result is safe to embed in a page."""
    cleaned = _CONTROL.sub("", markdown_text.replace("\r\n", "\n"))
    html = _markdown.render(cleaned)
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes={"http", "https", "mailto"},
        link_rel=LINK_REL,
        attribute_filter=_keep_attribute,
        strip_comments=True,
    ).strip()


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.extend(value for name, value in attrs if name == "href" and value)


def extract_links(html: str) -> list[str]:
    """The link targets in rendered comment HTML (for spam rules and moderators)."""
    collector = _LinkCollector()
    collector.feed(html)
    collector.close()
    return collector.links


def one_line(text: str, length: int) -> str:
    """Text on one line (runs of white space become one space), cut to `length` with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1] + "…"
