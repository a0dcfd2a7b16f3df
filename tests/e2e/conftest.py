"""A built site and the real comments API on loopback ports, and a reader's browser tab."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.mail.support import SmtpServer, link_containing
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


@dataclass
class MailingApi(CommentsApi):
    """The API process with sign-in: its mail goes to a real SMTP server on a loopback port.

    It runs as in development, so the session cookie is not Secure: the browser talks plain
    HTTP to 127.0.0.1.
    """

    smtp_port: int = 0

    def environment(self) -> dict[str, str]:
        return {
            **super().environment(),
            "COMMENTS_ENV": "development",
            "COMMENTS_THREADS_FILE": "",
            "COMMENTS_SMTP_HOST": "127.0.0.1",
            "COMMENTS_SMTP_PORT": str(self.smtp_port),
            "COMMENTS_SMTP_FROM": "comments@blog.test",
            "COMMENTS_MAIL_INTERVAL_SECONDS": "1",
        }


def start_stack(
    folder: Path, posts: list[tuple[str, str]], smtp: SmtpServer | None = None
) -> Stack:
    site = StaticSite(folder / "output")
    api = (
        MailingApi(folder / "api", site_origin=site.url, smtp_port=smtp.port)
        if smtp
        else CommentsApi(folder / "api", site_origin=site.url)
    )
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

    def start(posts: list[tuple[str, str]], smtp: SmtpServer | None = None) -> Stack:
        stack = start_stack(tmp_path_factory.mktemp("stack"), posts, smtp)
        stacks.append(stack)
        return stack

    yield start
    for stack in stacks:
        stack.api.stop()
        stack.site.close()


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on a free loopback port, for sign-in links."""
    server = SmtpServer().start()
    yield server
    server.stop()


def sign_in_link(smtp: SmtpServer, address: str, seen: int) -> str:
    """The link in the next "Your sign-in link" message to `address` after `seen` of them.

    The API's mail sender works off the request path, once a second; allow it 30 s.
    """
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        received = sign_in_messages(smtp, address)
        if len(received) > seen:
            return link_containing(received[-1], "/api/v1/auth/callback")
        time.sleep(0.1)
    raise AssertionError(f"no sign-in message reached {address}")


def sign_in_messages(smtp: SmtpServer, address: str) -> list[Any]:
    return [m for m in smtp.mailbox.to(address) if m["Subject"] == "Your sign-in link"]


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
