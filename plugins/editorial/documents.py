"""Reading posts and pages as editors write them: front matter with line numbers, then the body."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from pelican.settings import DEFAULT_CONFIG
from pelican.utils import slugify

__all__ = ["Document", "Problem", "body_lines", "display", "html_tags", "read_document", "slug_for"]

_METADATA_LINE = re.compile(r"^(?P<key>[A-Za-z][A-Za-z0-9_ -]*):\s*(?P<value>.*)$")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+).+?\1")
# Raw HTML tags the checks look at (images, links, headings).
_COLLECTED_TAGS = {"img", "a", "h1"}


@dataclass(frozen=True)
class Problem:
    """One thing an editor must fix, at a file and line."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{display(self.path)}:{self.line}: {self.message}"


@dataclass
class Document:
    """A Markdown post or page: its front matter (with line numbers) and its body lines."""

    path: Path
    kind: str
    metadata: dict[str, tuple[str, int]] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    body_start: int = 0

    def value(self, name: str) -> str:
        return self.metadata.get(name.lower(), ("", 0))[0]

    def line_of(self, name: str) -> int:
        return self.metadata.get(name.lower(), ("", 1))[1]

    @property
    def is_draft(self) -> bool:
        return self.value("status").lower() == "draft"

    @property
    def slug(self) -> str:
        return self.value("slug") or slug_for(self.value("title"))


def slug_for(text: str) -> str:
    """The slug Pelican derives from a title."""
    return str(slugify(text, regex_subs=DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"]))


def read_document(path: Path, kind: str) -> Document:
    """Split a Markdown file into front matter (`Key: value` lines) and body."""
    lines = path.read_text(encoding="utf-8").splitlines()
    document = Document(path=path, kind=kind, lines=lines)
    last_key = None
    for index, line in enumerate(lines):
        if not line.strip():
            document.body_start = index + 1
            break
        match = _METADATA_LINE.match(line)
        if match:
            last_key = match["key"].strip().lower()
            document.metadata[last_key] = (match["value"].strip(), index + 1)
        elif last_key and line.startswith((" ", "\t")):
            value, line_number = document.metadata[last_key]
            document.metadata[last_key] = (f"{value} {line.strip()}", line_number)
        else:
            document.body_start = index
            break
    else:
        document.body_start = len(lines)
    return document


def display(path: Path) -> str:
    """The path relative to the current folder when it is inside it, as editors type it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def body_lines(document: Document) -> Iterator[tuple[int, str]]:
    """Body lines outside fenced code blocks, with inline code spans blanked out."""
    fence = None
    for index in range(document.body_start, len(document.lines)):
        line = document.lines[index]
        opening = _FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            continue
        if opening:
            fence = opening.group(1)
            continue
        yield index + 1, _CODE_SPAN.sub("", line)


class _TagCollector(HTMLParser):
    """Collects the start tags the checks look at from a line of raw HTML inside Markdown."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _COLLECTED_TAGS:
            self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def html_tags(line: str) -> list[tuple[str, dict[str, str | None]]]:
    """The <img>, <a> and <h1> start tags on a line, with their attributes."""
    if "<" not in line:
        return []
    collector = _TagCollector()
    collector.feed(line)
    collector.close()
    return collector.tags
