"""`invoke check`: every problem in the posts and pages, at its file and line."""

from __future__ import annotations

import posixpath
import re
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pelican.settings import DEFAULT_CONFIG
from pelican.utils import get_date

from plugins.reading.toc import parse_toc_choice

from .documents import Document, Problem, body_lines, display, html_tags, read_document, slug_for
from .scaffold import PLACEHOLDER_BODY, PLACEHOLDER_SUMMARY

__all__ = ["check_content"]

REQUIRED_FIELDS = {"post": ("Title", "Date", "Summary"), "page": ("Title",)}
# Output files written by the theme's direct templates: a post with one of these slugs
# would overwrite them.
RESERVED_SLUGS = {"index", "archives", "tags", "categories", "authors", "search", "404"}

_MARKDOWN_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<target><[^>]*>|[^)\s]*)")
_REFERENCE_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\[[^\]]*\]")
_MARKDOWN_LINK = re.compile(r"(?<!!)\[[^\]]*\]\((?P<target><[^>]*>|[^)\s]+)")
_REFERENCE_DEFINITION = re.compile(r"^\s{0,3}\[[^\]^][^\]]*\]:\s*(?P<target><[^>]*>|\S+)")
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_PELICAN_LINK = re.compile(r"^\{(?P<kind>filename|static|attach|tag|category|author|index)\}")
# Python-Markdown reads a `#` at the start of any line as a heading, with or without a space.
_ATX_LEVEL_ONE = re.compile(r"^#(?!#)\s*\S")
_SETEXT_LEVEL_ONE = re.compile(r"^=+\s*$")
SECOND_TITLE = (
    "a second level-1 heading: the title is the page's only one, so start sections with "
    "`## Heading`"
)
PLACEHOLDER_ADVICE = "replace it with your own words (or delete it)"


def _documents(content_dir: Path, settings: Mapping[str, Any]) -> list[Document]:
    documents = []
    for kind, setting in (("post", "ARTICLE_PATHS"), ("page", "PAGE_PATHS")):
        for folder in settings[setting]:
            for path in sorted((content_dir / folder).rglob("*.md")):
                documents.append(read_document(path, kind))
    return documents


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
    if "toc" in document.metadata:
        try:
            parse_toc_choice(document.value("toc"))
        except ValueError as error:
            yield Problem(document.path, document.line_of("toc"), f"Toc: {error}")


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
            others = ", ".join(display(other.path) for other in group if other is not document)
            if others:
                yield Problem(
                    document.path,
                    line,
                    f"duplicate slug {slug!r}, also used by {others}: set a different `Slug:`",
                )


def _check_images(document: Document) -> Iterator[Problem]:
    advice = "describe the image for people who cannot see it"
    for line_number, line in body_lines(document):
        for match in (*_MARKDOWN_IMAGE.finditer(line), *_REFERENCE_IMAGE.finditer(line)):
            if not match["alt"].strip():
                yield Problem(document.path, line_number, f"image without alt text: {advice}")
        for tag, attrs in html_tags(line):
            if tag == "img" and not (attrs.get("alt") or "").strip():
                yield Problem(
                    document.path, line_number, f'<img> without alt text: {advice} in alt="..."'
                )


def _check_headings(document: Document) -> Iterator[Problem]:
    previous: tuple[int, str] = (0, "")
    for line_number, line in body_lines(document):
        if _ATX_LEVEL_ONE.match(line) or any(tag == "h1" for tag, _ in html_tags(line)):
            yield Problem(document.path, line_number, SECOND_TITLE)
        elif (
            _SETEXT_LEVEL_ONE.match(line)
            and previous[0] == line_number - 1
            and previous[1].strip()
            and not previous[1].startswith("    ")
        ):
            yield Problem(document.path, previous[0], SECOND_TITLE)
        previous = (line_number, line)


# The placeholder's sentences and the pieces `new-post` wraps them into, long enough to be sure.
_PLACEHOLDER_SENTENCES = tuple(
    piece
    for piece in (
        *PLACEHOLDER_SUMMARY.split(". "),
        *(
            line.strip()
            for line in textwrap.wrap(
                f"Summary: {PLACEHOLDER_SUMMARY}", width=90, subsequent_indent="    "
            )[1:]
        ),
    )
    if len(piece) >= 20
)


def _check_placeholders(document: Document) -> Iterator[Problem]:
    """Text that `invoke new-post` wrote for the editor to replace."""
    summary = " ".join(document.value("summary").split())
    # Also a placeholder left in part: `new-post` wraps it, and an editor may replace only the
    # first line, leaving the rest ("... the title, on the home page and in search results.").
    if summary == PLACEHOLDER_SUMMARY or any(
        sentence in summary for sentence in _PLACEHOLDER_SENTENCES
    ):
        yield Problem(
            document.path,
            document.line_of("summary"),
            "Summary is the placeholder from `invoke new-post`: write one or two sentences "
            "that tell readers what they will learn",
        )
    for line_number, line in body_lines(document):
        if line.strip() in PLACEHOLDER_BODY:
            yield Problem(
                document.path,
                line_number,
                f"placeholder text from `invoke new-post`: {PLACEHOLDER_ADVICE}",
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
    for _tag, attrs in html_tags(line):
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
    if posixpath.splitext(path)[1] not in ("", ".html"):
        return f"no file of the site is at {path!r}; link images and files as {{static}}/images/..."
    return f"no page of the site is at {path!r}; link posts as {{filename}}posts/..."


def _check_links(document: Document, site: _Site, settings: Mapping[str, Any]) -> Iterator[Problem]:
    pattern = settings["ARTICLE_SAVE_AS" if document.kind == "post" else "PAGE_SAVE_AS"]
    url = document.value("save_as") or pattern.format(slug=document.slug)
    for line_number, line in body_lines(document):
        for target in _link_targets(line):
            reason = _broken_link_reason(target, document, site, url)
            if reason:
                message = f"broken internal link {target}: {reason}"
                yield Problem(document.path, line_number, message)


def _settings(settings: Mapping[str, Any] | None) -> dict[str, Any]:
    return {**DEFAULT_CONFIG, "ARTICLE_PATHS": ["posts"], **(settings or {})}


def drafts_in(content_dir: Path, settings: Mapping[str, Any] | None = None) -> list[Path]:
    """The posts and pages under content_dir that a build leaves unpublished (`Status: draft`)."""
    documents = _documents(Path(content_dir), _settings(settings))
    return [document.path for document in documents if document.is_draft]


def check_content(content_dir: Path, settings: Mapping[str, Any] | None = None) -> list[Problem]:
    """Every problem in the posts and pages under content_dir, in file and line order."""
    settings = _settings(settings)
    content_dir = Path(content_dir)
    documents = _documents(content_dir, settings)
    site = _site_map(content_dir, documents, settings)
    problems: list[Problem] = []
    for document in documents:
        problems += _check_front_matter(document)
        problems += _check_images(document)
        problems += _check_headings(document)
        problems += _check_placeholders(document)
        problems += _check_links(document, site, settings)
    problems += _check_slugs(documents)
    return sorted(problems, key=lambda problem: (str(problem.path), problem.line))
