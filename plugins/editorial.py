"""Editors' tooling: scaffold a draft post, and check content before it is published.

Used by `invoke new-post` and `invoke check` (see tasks.py). Every problem names the file and
the line to fix, in the `path:line: message` form that editors and CI logs both understand.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pelican.settings import DEFAULT_CONFIG
from pelican.utils import get_date, slugify

__all__ = ["Problem", "check_content", "scaffold_post", "slug_for"]

REQUIRED_FIELDS = {"post": ("Title", "Date", "Summary"), "page": ("Title",)}
# Output files written by the theme's direct templates: a post with one of these slugs
# would overwrite them.
RESERVED_SLUGS = {"index", "archives", "tags", "categories", "authors", "404"}

_METADATA_LINE = re.compile(r"^(?P<key>[A-Za-z][A-Za-z0-9_ -]*):\s*(?P<value>.*)$")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+).+?\1")
_MARKDOWN_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<target><[^>]*>|[^)\s]*)")
_REFERENCE_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\[[^\]]*\]")
_MARKDOWN_LINK = re.compile(r"(?<!!)\[[^\]]*\]\((?P<target><[^>]*>|[^)\s]+)")
_REFERENCE_DEFINITION = re.compile(r"^\s{0,3}\[[^\]^][^\]]*\]:\s*(?P<target><[^>]*>|\S+)")
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_PELICAN_LINK = re.compile(r"^\{(?P<kind>filename|static|attach|tag|category|author|index)\}")


@dataclass(frozen=True)
class Problem:
    """One thing an editor must fix, at a file and line."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{_display(self.path)}:{self.line}: {self.message}"


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


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _documents(content_dir: Path, settings: Mapping[str, Any]) -> list[Document]:
    documents = []
    for kind, setting in (("post", "ARTICLE_PATHS"), ("page", "PAGE_PATHS")):
        for folder in settings[setting]:
            for path in sorted((content_dir / folder).rglob("*.md")):
                documents.append(read_document(path, kind))
    return documents


def _body_lines(document: Document) -> Iterator[tuple[int, str]]:
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
    """Collects <img> and <a> start tags from a line of raw HTML inside Markdown."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"img", "a"}:
            self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def _html_tags(line: str) -> list[tuple[str, dict[str, str | None]]]:
    if "<" not in line:
        return []
    collector = _TagCollector()
    collector.feed(line)
    collector.close()
    return collector.tags


def _check_front_matter(document: Document) -> Iterator[Problem]:
    for name in REQUIRED_FIELDS[document.kind]:
        if name.lower() not in document.metadata:
            yield Problem(
                document.path,
                1,
                f"missing {name}: add a `{name}: ...` line to the front matter "
                "(the lines before the first blank line)",
            )
        elif not document.value(name):
            yield Problem(document.path, document.line_of(name), f"{name} is empty: fill it in")
    date = document.value("date")
    if date:
        try:
            get_date(date)
        except ValueError:
            yield Problem(
                document.path,
                document.line_of("date"),
                f"Date {date!r} is not a date: write it as YYYY-MM-DD HH:MM",
            )
    status = document.value("status").lower()
    if status and status not in {"draft", "published", "hidden"}:
        yield Problem(
            document.path,
            document.line_of("status"),
            f"Status {status!r} is unknown: use draft, published or hidden",
        )


def _check_slugs(documents: list[Document]) -> Iterator[Problem]:
    groups: dict[tuple[str, str], list[Document]] = {}
    for document in documents:
        if document.value("title") or document.value("slug"):
            groups.setdefault((document.kind, document.slug), []).append(document)
    for (kind, slug), group in groups.items():
        for document in group:
            line = document.line_of("slug" if document.value("slug") else "title")
            if kind == "post" and slug in RESERVED_SLUGS:
                yield Problem(
                    document.path,
                    line,
                    f"slug {slug!r} is reserved for a page of the site: choose another Slug",
                )
            others = ", ".join(_display(other.path) for other in group if other is not document)
            if others:
                yield Problem(
                    document.path,
                    line,
                    f"duplicate slug {slug!r}, also used by {others}: set a different `Slug:`",
                )


def _check_images(document: Document) -> Iterator[Problem]:
    advice = "describe the image for people who cannot see it"
    for line_number, line in _body_lines(document):
        for match in (*_MARKDOWN_IMAGE.finditer(line), *_REFERENCE_IMAGE.finditer(line)):
            if not match["alt"].strip():
                yield Problem(document.path, line_number, f"image without alt text: {advice}")
        for tag, attrs in _html_tags(line):
            if tag == "img" and not (attrs.get("alt") or "").strip():
                yield Problem(
                    document.path, line_number, f"<img> without alt text: {advice} in alt=\"...\""
                )


@dataclass
class _Site:
    """What the built site will contain, to resolve internal links against."""

    content_dir: Path
    urls: set[str]
    taxonomy: dict[str, set[str]]
    drafts: set[Path]


def _site_map(content_dir: Path, documents: list[Document], settings: Mapping[str, Any]) -> _Site:
    urls = {"", "index.html", "archives.html", "tags.html", "categories.html", "authors.html"}
    urls |= {"sitemap.xml", "robots.txt", "favicon.ico", "404.html"}
    taxonomy: dict[str, set[str]] = {"tag": set(), "category": set(), "author": set()}
    drafts = set()
    if settings.get("FEED_ALL_ATOM"):
        urls.add(settings["FEED_ALL_ATOM"])
    for document in documents:
        if document.is_draft:
            drafts.add(document.path.resolve())
            continue
        pattern = settings["ARTICLE_SAVE_AS" if document.kind == "post" else "PAGE_SAVE_AS"]
        urls.add(document.value("save_as") or pattern.format(slug=document.slug))
        if document.value("url"):
            urls.add(document.value("url"))
        if document.kind != "post":
            continue
        category = document.value("category") or settings["DEFAULT_CATEGORY"]
        taxonomy["category"].add(slug_for(category))
        taxonomy["tag"] |= {slug_for(tag) for tag in document.value("tags").split(",") if tag}
        names = document.value("authors") or document.value("author")
        taxonomy["author"] |= {slug_for(name) for name in names.split(",") if name.strip()}
    for kind, setting in (("category", "CATEGORY"), ("tag", "TAG"), ("author", "AUTHOR")):
        urls |= {settings[f"{setting}_SAVE_AS"].format(slug=slug) for slug in taxonomy[kind]}
        if kind == "category" and settings.get("CATEGORY_FEED_ATOM"):
            urls |= {settings["CATEGORY_FEED_ATOM"].format(slug=s) for s in taxonomy[kind]}
    for folder in settings["STATIC_PATHS"]:
        for path in (content_dir / folder).rglob("*"):
            if path.is_file():
                urls.add(path.relative_to(content_dir).as_posix())
    return _Site(content_dir, urls, taxonomy, drafts)


def _link_targets(line: str) -> Iterator[str]:
    for pattern in (_MARKDOWN_LINK, _MARKDOWN_IMAGE, _REFERENCE_DEFINITION):
        for match in pattern.finditer(line):
            yield match["target"].strip("<>")
    for _tag, attrs in _html_tags(line):
        for name in ("href", "src"):
            if attrs.get(name):
                yield str(attrs[name])


def _broken_link_reason(target: str, document: Document, site: _Site, url: str) -> str | None:
    """Why an internal link target does not resolve, or None when it does (or is external)."""
    path = target.split("#", 1)[0].split("?", 1)[0]
    pelican_link = _PELICAN_LINK.match(path)
    if pelican_link:
        kind, rest = pelican_link["kind"], path[pelican_link.end() :]
        if kind == "index":
            return None
        if kind in site.taxonomy:
            if slug_for(rest) in site.taxonomy[kind]:
                return None
            return f"no published post has the {kind} {rest!r}"
        base = site.content_dir if rest.startswith("/") else document.path.parent
        linked = (base / rest.lstrip("/")).resolve()
        if not linked.is_file():
            return (
                f"{rest!r} does not exist (paths are relative to this file, "
                "or to content/ with a leading /)"
            )
        if linked in site.drafts and not document.is_draft:
            return f"{rest!r} is a draft, which is not published"
        return None
    if not path or _URL_SCHEME.match(path) or path.startswith("//"):
        return None  # in-page anchor, or another site
    if path.startswith("/"):
        resolved = path.lstrip("/")
    else:
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(url), path))
    if resolved.endswith("/") or resolved == ".":
        resolved = resolved.rstrip("./") + "/index.html" if resolved.rstrip("./") else ""
    if resolved in site.urls or resolved.startswith("theme/"):
        return None
    return f"no page of the site is at {path!r}; prefer {{filename}}posts/... links"


def _check_links(document: Document, site: _Site, settings: Mapping[str, Any]) -> Iterator[Problem]:
    pattern = settings["ARTICLE_SAVE_AS" if document.kind == "post" else "PAGE_SAVE_AS"]
    url = document.value("save_as") or pattern.format(slug=document.slug)
    for line_number, line in _body_lines(document):
        for target in _link_targets(line):
            reason = _broken_link_reason(target, document, site, url)
            if reason:
                message = f"broken internal link {target}: {reason}"
                yield Problem(document.path, line_number, message)


def check_content(content_dir: Path, settings: Mapping[str, Any] | None = None) -> list[Problem]:
    """Every problem in the posts and pages under content_dir, in file and line order."""
    settings = {**DEFAULT_CONFIG, "ARTICLE_PATHS": ["posts"], **(settings or {})}
    content_dir = Path(content_dir)
    documents = _documents(content_dir, settings)
    site = _site_map(content_dir, documents, settings)
    problems: list[Problem] = []
    for document in documents:
        problems += _check_front_matter(document)
        problems += _check_images(document)
        problems += _check_links(document, site, settings)
    problems += _check_slugs(documents)
    return sorted(problems, key=lambda problem: (str(problem.path), problem.line))


def scaffold_post(
    content_dir: Path,
    title: str,
    *,
    category: str,
    authors: str,
    tags: str = "",
    timezone: str = "Europe/London",
    now: datetime | None = None,
) -> Path:
    """Write content/posts/<slug>.md as a draft with every front-matter field filled in."""
    slug = slug_for(title)
    if not slug:
        raise ValueError("The title needs at least one letter or digit to make a slug.")
    path = Path(content_dir) / "posts" / f"{slug}.md"
    if path.exists():
        raise FileExistsError(f"{_display(path)} exists already: choose another title.")
    date = (now or datetime.now(ZoneInfo(timezone))).strftime("%Y-%m-%d %H:%M")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"Title: {title}\n"
        f"Date: {date}\n"
        f"Slug: {slug}\n"
        f"Category: {category}\n"
        f"Tags: {tags}".rstrip() + "\n"
        f"Authors: {authors}\n"
        "Summary: One or two sentences that tell readers what they will learn. They appear\n"
        "    under the title, on the home page and in search results.\n"
        "Status: draft\n"
        "\n"
        "Start with what happened, who was involved and why it matters.\n"
        "\n"
        "## A heading for the first section\n"
        "\n"
        "Write in short paragraphs. Remove anything that could identify a patient.\n",
        encoding="utf-8",
    )
    return path
