"""The build never depends on the live API: an outage or a bad answer costs one warning."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.helpers import free_port
from tests.live_site import build_site, content_folder, post

pytestmark = pytest.mark.slow

WARNING = "Comments snapshot skipped"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = content_folder(tmp_path / "content")
    post(folder, "open-post", "An open post")
    post(folder, "second-post", "A second post")
    return folder


class NotAnApi(BaseHTTPRequestHandler):
    """A web server that answers every request with an HTML page, like a misrouted proxy."""

    def do_GET(self) -> None:  # noqa: N802 (the http.server naming)
        body = b"<!doctype html><title>Welcome</title><p>Nothing here."
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def html_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), NotAnApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def assert_built_without_snapshot(build_output: Path) -> None:
    page = BeautifulSoup((build_output / "open-post.html").read_text(), "lxml")
    assert page.select_one("#comments-heading").get_text() == "Comments (0)"
    assert page.select_one("form.comment-form") is not None
    assert (build_output / "comments" / "threads.json").exists()


def test_build_succeeds_with_one_warning_when_the_api_is_down(
    content: Path, tmp_path: Path
) -> None:
    nobody_listens = f"http://127.0.0.1:{free_port()}"
    build = build_site(
        content,
        tmp_path / "output",
        COMMENTS_API_URL=nobody_listens,
        COMMENTS_SNAPSHOT=True,
        COMMENTS_SNAPSHOT_TIMEOUT=2,
    )

    assert build.result.returncode == 0, build.log
    assert build.log.count(WARNING) == 1, build.log
    assert "unreachable" in build.log
    assert_built_without_snapshot(build.output)


def test_build_succeeds_with_one_warning_when_the_api_answers_badly(
    content: Path, tmp_path: Path, html_server: str
) -> None:
    build = build_site(
        content, tmp_path / "output", COMMENTS_API_URL=html_server, COMMENTS_SNAPSHOT=True
    )

    assert build.result.returncode == 0, build.log
    assert build.log.count(WARNING) == 1, build.log
    assert "did not answer with JSON" in build.log
    assert_built_without_snapshot(build.output)


def test_publish_with_fatal_warnings_still_succeeds_when_the_api_is_down(
    content: Path, tmp_path: Path
) -> None:
    nobody_listens = f"http://127.0.0.1:{free_port()}"
    build = build_site(
        content,
        tmp_path / "output",
        publish=True,
        fatal=True,
        COMMENTS_API_URL=nobody_listens,
        COMMENTS_SNAPSHOT_TIMEOUT=2,
        environment={"COMMENTS_BUILD_TOKEN": "any", "SITEURL": "https://blog.example.org"},
    )

    assert build.result.returncode == 0, build.log
    assert build.log.count(WARNING) == 1, build.log
    assert_built_without_snapshot(build.output)


def test_other_warnings_still_fail_a_publish_build(content: Path, tmp_path: Path) -> None:
    post(content, "typo-post", "A post with a typo", comments="yes")
    build = build_site(
        content,
        tmp_path / "output",
        publish=True,
        fatal=True,
        COMMENTS_SNAPSHOT=False,
        environment={"SITEURL": "https://blog.example.org"},
    )

    assert build.result.returncode != 0, build.log
    assert "write open, closed or off" in build.log


def test_publish_without_an_api_address_fails_with_a_clear_message(
    content: Path, tmp_path: Path
) -> None:
    build = build_site(
        content,
        tmp_path / "output",
        publish=True,
        fatal=True,
        environment={"SITEURL": "https://blog.example.org", "COMMENTS_API_URL": ""},
    )
    assert build.result.returncode != 0
    assert "COMMENTS_API_URL must be the comments API's absolute address" in build.log
