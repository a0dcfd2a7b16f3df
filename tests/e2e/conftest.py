"""A built site and the real comments API on loopback ports, and a reader's browser tab."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.plugin.support import (
    BUILD_TOKEN,
    Build,
    CommentsApi,
    build_site,
    content_folder,
    post,
)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class StaticSite:
    """The output folder served by an in-process server on 127.0.0.1 (bound before the build,
    so the build knows the site's address)."""

    folder: Path
    server: ThreadingHTTPServer = field(init=False)

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        handler = functools.partial(QuietHandler, directory=str(self.folder))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Stack:
    """Site + API, built with a snapshot of what the API held at build time."""

    site: StaticSite
    api: CommentsApi
    content: Path

    def build(self) -> Build:
        build = build_site(
            self.content,
            self.site.folder,
            COMMENTS_API_URL=self.api.url,
            COMMENTS_SITE_URL=self.site.url,
            COMMENTS_SNAPSHOT=True,
            COMMENTS_SNAPSHOT_TOKEN=BUILD_TOKEN,
            COMMENTS_SNAPSHOT_TIMEOUT=5,
            COMMENTS_SIGN_IN=True,
        )
        assert build.result.returncode == 0, build.log
        return build

    def publish(self) -> Build:
        """Build, send the manifest to the API, build again with the current snapshot."""
        self.api.sync_threads(self.build().output / "comments" / "threads.json")
        return self.build()

    def url(self, slug: str) -> str:
        return f"{self.site.url}/{slug}.html"


def start_stack(folder: Path, posts: list[tuple[str, str]]) -> Stack:
    site = StaticSite(folder / "output")
    api = CommentsApi(folder / "api", site_origin=site.url)
    try:
        api.start()
    except BaseException:
        site.close()
        raise
    content = content_folder(folder / "content")
    for slug, title in posts:
        post(content, slug, title)
    return Stack(site, api, content)


@pytest.fixture(scope="module")
def stack_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Stack]]:
    """Start site+API stacks; all are stopped when the module is done."""
    stacks: list[Stack] = []

    def start(posts: list[tuple[str, str]]) -> Stack:
        stack = start_stack(tmp_path_factory.mktemp("stack"), posts)
        stacks.append(stack)
        return stack

    yield start
    for stack in stacks:
        stack.api.stop()
        stack.site.close()


@dataclass
class Reader:
    """A browser tab; collects uncaught page errors so tests can assert there were none."""

    page: Any
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def reader_factory(browser: Any) -> Iterator[Callable[..., Reader]]:
    contexts: list[Any] = []

    def open_tab(**context_options: Any) -> Reader:
        context = browser.new_context(**context_options)
        contexts.append(context)
        page = context.new_page()
        reader = Reader(page)
        page.on("pageerror", lambda error: reader.errors.append(str(error)))
        return reader

    yield open_tab
    for context in contexts:
        context.close()


@pytest.fixture
def reader(reader_factory: Callable[..., Reader]) -> Reader:
    return reader_factory()
