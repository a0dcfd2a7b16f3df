"""`invoke sync-threads` sends the built manifest to a real comments API, and says what failed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import ROOT
from tests.live_site import (
    DEPLOY_TOKEN,
    CommentsApi,
    build_site,
    content_folder,
    post,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CommentsApi]:
    server = CommentsApi(tmp_path_factory.mktemp("api"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    content = content_folder(tmp_path_factory.mktemp("content"))
    post(content, "open-post", "An open post")
    post(content, "second-post", "A second post")
    build = build_site(content, tmp_path_factory.mktemp("site") / "out")
    assert build.result.returncode == 0, build.log
    return build.output / "comments" / "threads.json"


def sync(manifest: Path, api_url: str, token: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "COMMENTS_API_URL": api_url, "COMMENTS_DEPLOY_TOKEN": token}
    return subprocess.run(
        [sys.executable, "-m", "invoke", "-r", str(ROOT), "sync-threads", f"--manifest={manifest}"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_manifest_reaches_the_api_and_a_second_send_changes_nothing(
    manifest: Path, api: CommentsApi
) -> None:
    first = sync(manifest, api.url, DEPLOY_TOKEN)
    assert first.returncode == 0, first.stderr
    assert "2 created, 0 updated, 0 retired" in first.stderr
    again = sync(manifest, api.url, DEPLOY_TOKEN)
    assert "0 created, 0 updated, 0 retired" in again.stderr
    api.post_comment("second-post", body="The thread is open for comments.")
    # The feed each post's comments section links to answers for a synced thread.
    feed = urllib.request.urlopen(f"{api.url}/api/v1/threads/open-post/feed.atom", timeout=10)
    assert feed.status == 200
    assert feed.headers["Content-Type"].startswith("application/atom+xml")


def test_a_wrong_token_is_named_with_the_setting_to_check(manifest: Path, api: CommentsApi) -> None:
    refused = sync(manifest, api.url, "not-the-deploy-token")
    assert refused.returncode == 1
    assert "answered HTTP 403 (check COMMENTS_DEPLOY_TOKEN): That is not the deploy token." in (
        refused.stderr
    )


def test_an_unreachable_api_is_said_in_words(manifest: Path) -> None:
    address = f"http://127.0.0.1:{unused_port()}"
    refused = sync(manifest, address, DEPLOY_TOKEN)
    assert refused.returncode == 1
    assert f"not sent: the comments API at {address}/api/v1/threads is unreachable" in (
        refused.stderr
    )
