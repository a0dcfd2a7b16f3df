"""Section headings: stable ids, a link to each that readers can copy, the list for contents."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from markdown.extensions.toc import slugify

TOC_EXTENSION = "markdown.extensions.toc"
# Ids the article page already uses (theme and comments section): a heading never takes one.
PAGE_IDS = {"content", "post-title", "toc-heading", "related-heading", "tags-heading"}
PAGE_ID_PREFIXES = ("comment",)

_HEADING = re.compile(r'<h([23]) id="([^"]+)">(.*?)</h\1>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class SectionHeading:
    """One `##` (level 2) or `###` (level 3) heading of a post."""

    level: int
    id: str
    html: str

    @property
    def text(self) -> str:
        return html.unescape(_TAG.sub("", self.html)).strip()


def section_slug(value: str, separator: str) -> str:
    """Markdown's slug for a heading, kept clear of the ids the page itself uses."""
    slug: str = slugify(value, separator)
    if slug in PAGE_IDS or slug.startswith(PAGE_ID_PREFIXES):
        return f"{slug}{separator}section"
    return slug


def configure_heading_ids(settings: dict[str, Any]) -> None:
    """Turn on Markdown's toc extension (ids on headings only; we draw the links)."""
    extensions = settings.setdefault("MARKDOWN", {}).setdefault("extension_configs", {})
    extensions.setdefault(TOC_EXTENSION, {}).update({"slugify": section_slug, "toc_depth": "2-3"})


def all_headings(content: str) -> list[SectionHeading]:
    return [
        SectionHeading(int(level), heading_id, inner)
        for level, heading_id, inner in _HEADING.findall(content)
    ]


def section_headings(content: str) -> list[SectionHeading]:
    """The post's level-2 headings, in order: its sections."""
    return [heading for heading in all_headings(content) if heading.level == 2]


def _with_anchor(match: re.Match[str]) -> str:
    heading = SectionHeading(int(match[1]), match[2], match[3])
    # As character references: one character past Latin-1 in a str (the quotation marks, or
    # the apostrophe smartypants wrote as &#8217; and `text` unescaped) makes Python store the
    # whole post at two or four bytes a character, and every page made from it.
    label = (
        html.escape(f"Link to the section “{heading.text}”")
        .encode("ascii", "xmlcharrefreplace")
        .decode("ascii")
    )
    return (
        f'<div class="heading-with-anchor">{match[0]}'
        f'<a class="heading-anchor" href="#{heading.id}"><span aria-hidden="true">#</span>'
        f'<span class="visually-hidden">{label}</span></a></div>'
    )


def add_heading_anchors(content: str) -> str:
    """Follow each heading with a link to itself, for readers to copy and share."""
    if 'class="heading-with-anchor"' in content:
        return content  # already done (a cached or re-finalised article)
    return _HEADING.sub(_with_anchor, content)
