"""Building the real site for tests, and what the content says the build must contain.

`build_site` uses pelicanconf.py with the production feeds from publishconf.py, and an absolute
SITEURL pointing at the local server, so canonical URLs, feeds and the sitemap look as they
will in production while the browser tests load every page and asset from 127.0.0.1.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bs4 import BeautifulSoup
from pelican import Pelican
from pelican.settings import get_settings_from_file, read_settings

from plugins.editorial import Document, read_document
from tests.helpers import ROOT

FEED_SETTINGS = ("FEED_ALL_ATOM", "CATEGORY_FEED_ATOM")


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves the output folder without logging every request to stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


class WarningCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.name}: {record.getMessage()}")


@dataclass
class BuiltSite:
    """The output folder of a build, with what the content says it should contain."""

    output: Path
    siteurl: str
    settings: dict[str, Any]
    warnings: list[str]
    _soups: dict[Path, BeautifulSoup] = field(default_factory=dict)

    @property
    def host(self) -> str:
        return urlsplit(self.siteurl).netloc

    def url(self, relative: str) -> str:
        return f"{self.siteurl}/{relative}"

    def html_files(self) -> list[Path]:
        return sorted(self.output.rglob("*.html"))

    def soup(self, path: Path | str) -> BeautifulSoup:
        path = self.output / path
        if path not in self._soups:
            self._soups[path] = BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")
        return self._soups[path]

    def file_for(self, url: str) -> Path | None:
        """The output file a same-site URL points to, or None when it leads nowhere."""
        path = urlsplit(url).path.lstrip("/")
        candidate = self.output / path
        if path == "" or path.endswith("/"):
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None


def content_documents(kind: str) -> list[Document]:
    folder = {"post": "posts", "page": "pages"}[kind]
    return [read_document(path, kind) for path in sorted((ROOT / "content" / folder).glob("*.md"))]


def published_posts() -> list[Document]:
    return [document for document in content_documents("post") if not document.is_draft]


def draft_posts() -> list[Document]:
    return [document for document in content_documents("post") if document.is_draft]


def build_site(output: Path, siteurl: str, **overrides: Any) -> BuiltSite:
    """Build the real content and theme with Pelican into `output`."""
    production = get_settings_from_file(str(ROOT / "publishconf.py"))
    settings = read_settings(
        str(ROOT / "pelicanconf.py"),
        override={
            "OUTPUT_PATH": str(output),
            "SITEURL": siteurl,
            "CACHE_CONTENT": False,
            "LOAD_CONTENT_CACHE": False,
            # The read cache in the build's own folder, read in this process (no fork in pytest).
            "CACHE_PATH": str(output.parent / f"{output.name}-cache"),
            "READ_CACHE_WORKERS": 1,
            **{name: production[name] for name in FEED_SETTINGS},
            **overrides,
        },
    )
    collector = WarningCollector()
    root_logger = logging.getLogger()
    root_logger.addHandler(collector)
    try:
        Pelican(settings).run()
    finally:
        root_logger.removeHandler(collector)
    return BuiltSite(output, siteurl, settings, collector.messages)
