"""An incremental build (the cached snapshot brought up to date) writes the same bytes as a full
one: a real API process, real Pelican builds, and a comparison of every file written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from comments_api.db.engine import create_database_engine
from comments_api.db.storage import Storage
from comments_api.db.tables import Comment, utcnow
from comments_api.moderation.actions import Action, apply_action
from tests.live_site import (
    BUILD_TOKEN,
    Build,
    CommentsApi,
    build_site,
    content_folder,
    post,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def api(tmp_path: Path) -> Iterator[CommentsApi]:
    server = CommentsApi(tmp_path / "api")
    server.start()
    yield server
    server.stop()


def build(content: Path, output: Path, api: CommentsApi, cache: Path, **settings: object) -> Build:
    built = build_site(
        content,
        output,
        COMMENTS_API_URL=api.url,
        COMMENTS_SNAPSHOT=True,
        COMMENTS_SNAPSHOT_TOKEN=BUILD_TOKEN,
        CACHE_PATH=str(cache),
        **settings,
    )
    assert built.result.returncode == 0, built.log
    return built


def moderate(api: CommentsApi, comment_id: int, action: Action) -> None:
    """A moderator's action on the API's database, as the moderation pages make it."""
    engine = create_database_engine(f"sqlite:///{api.folder / 'comments.sqlite3'}", pool_size=1)
    storage = Storage(engine)
    try:
        with storage.writing() as session:
            apply_action(session, comment_id, action, "moderator@example.org")
    finally:
        storage.close()
        engine.dispose()


# Pagefind's index is not byte-stable even between two runs over the same pages (the order of
# its filter table varies), so it is left out; every page, feed and asset is compared.
UNSTABLE = "pagefind"


def files(output: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(output)): path.read_bytes()
        for path in sorted(output.rglob("*"))
        if path.is_file() and path.relative_to(output).parts[0] != UNSTABLE
    }


def differences(first: Path, second: Path) -> list[str]:
    one, other = files(first), files(second)
    return sorted(name for name in one.keys() | other.keys() if one.get(name) != other.get(name))


def test_an_incremental_build_writes_the_same_bytes_as_a_full_one(
    tmp_path: Path, api: CommentsApi
) -> None:
    content = content_folder(tmp_path / "content")
    post(content, "open-post", "An open post")
    post(content, "other-post", "Another post", date="2030-01-16 10:00")
    cache = tmp_path / "cache"
    first = build(content, tmp_path / "first", api, cache)
    api.sync_threads(first.output / "comments" / "threads.json")

    kept = api.post_comment("open-post", author="Kept Reader", body="Stays as it is.")
    edited = api.post_comment("open-post", author="Editing Reader", body="Teh typo.")
    removed = api.post_comment("other-post", author="Removed Reader", body="Taken down later.")
    withdrawn = api.post_comment("other-post", author="Shy Reader", body="Taken back later.")
    for created in (kept, edited, removed, withdrawn):
        api.approve(created["comment"]["id"])
    second = build(content, tmp_path / "second", api, cache)
    assert "Stays as it is." in second.page("open-post.html")

    fresh = api.post_comment("open-post", author="New Reader", body="Approved after the build.")
    api.approve(fresh["comment"]["id"])
    status, _ = api.call(
        "PATCH",
        f"/api/v1/comments/{edited['comment']['id']}",
        {"body": "The typo, fixed."},
        {"X-Edit-Token": edited["edit_token"]},
    )
    assert status == 200
    moderate(api, removed["comment"]["id"], "reject")
    status, _ = api.call(
        "DELETE",
        f"/api/v1/comments/{withdrawn['comment']['id']}",
        None,
        {"X-Edit-Token": withdrawn["edit_token"]},
    )
    assert status == 204
    api.post_comment(
        "open-post", author="Held Reader", email="held@example.net", body="Not approved yet."
    )

    incremental = build(content, tmp_path / "incremental", api, cache)
    full = build(content, tmp_path / "full", api, tmp_path / "empty-cache")
    assert differences(incremental.output, full.output) == []
    page = incremental.page("open-post.html")
    assert "Approved after the build." in page and "The typo, fixed." in page
    assert "Teh typo." not in page and "Not approved yet." not in page
    other = incremental.page("other-post.html")
    assert "Taken down later." not in other and "Taken back later." not in other
    assert differences(second.output, full.output) != [], "the comparison can tell builds apart"


def age_every_comment(api: CommentsApi) -> None:
    """As if every comment had last changed an hour ago (before the cursor's overlap)."""
    engine = create_database_engine(f"sqlite:///{api.folder / 'comments.sqlite3'}", pool_size=1)
    try:
        with engine.begin() as connection:
            connection.execute(update(Comment).values(updated_at=utcnow() - timedelta(hours=1)))
    finally:
        engine.dispose()


def test_a_cursor_the_api_does_not_know_means_one_full_fetch_and_the_same_pages(
    tmp_path: Path, api: CommentsApi
) -> None:
    content = content_folder(tmp_path / "content")
    post(content, "open-post", "An open post")
    cache = tmp_path / "cache"
    first = build(content, tmp_path / "first", api, cache)
    api.sync_threads(first.output / "comments" / "threads.json")
    created = api.post_comment("open-post", author="Ann Example", body="Approved once.")
    api.approve(created["comment"]["id"])
    age_every_comment(api)
    kept = cache / "comments" / "snapshot.json"
    kept.unlink()  # no cache: the next build fetches it all, and keeps it
    build(content, tmp_path / "second", api, cache)
    assert len(json.loads(kept.read_text())["comments"]) == 1

    # The build trusts its cache for what did not change: it asks only for the changes.
    stored = json.loads(kept.read_text())
    stored["comments"] = [{**comment, "html": "<p>Stale.</p>"} for comment in stored["comments"]]
    kept.write_text(json.dumps(stored))
    trusting = build(content, tmp_path / "trusting", api, cache)
    assert "Stale." in trusting.page("open-post.html")

    stored["changes_since"] = "1700000000000000.not-signed-by-this-api"
    kept.write_text(json.dumps(stored))
    again = build(content, tmp_path / "again", api, cache)
    full = build(content, tmp_path / "full", api, tmp_path / "empty-cache")
    assert differences(again.output, full.output) == []
    assert "Stale." not in again.page("open-post.html")
    assert json.loads(kept.read_text())["changes_since"] != stored["changes_since"]
