"""The site's build hook, called by `python -m comments_api serve` itself through the outbox.

A real server process on a loopback port, a SQLite file in tmp_path and a real hook receiver
(tests/hook_receiver.py) on a loopback port of its own. A moderator's approval is made the way
the CLI and e-mailed links make it (`apply_action` in a storage transaction); the hook call
comes from the server's background sender, never from the test.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from comments_api.db.engine import create_database_engine
from comments_api.db.storage import Storage
from comments_api.db.tables import OutboxMessage
from comments_api.moderation.actions import apply_action
from tests.helpers import DEPLOY_TOKEN
from tests.hook_receiver import HookReceiver
from tests.server_process import ServerProcess
from tests.server_process import server_env as shared_server_env

pytestmark = pytest.mark.slow

HOOK_TOKEN = "hook-token-" + "x" * 20
THREADS = {
    "threads": [
        {"key": "first-post", "title": "First post", "url": "/first-post.html", "closed": False}
    ]
}
# Bounded waits for what the server does by itself; generous because the machine is shared.
ARRIVAL_SECONDS = 60


def server_env(database_url: str, hook_url: str, settle_seconds: int) -> dict[str, str]:
    return shared_server_env(
        database_url,
        COMMENTS_PUBLIC_URL="http://api.test",
        COMMENTS_MODERATION="hold-guests",
        COMMENTS_MAIL_INTERVAL_SECONDS="1",
        COMMENTS_MAIL_RETRY_SECONDS="1",
        COMMENTS_BUILD_HOOK_URL=hook_url,
        COMMENTS_BUILD_HOOK_TOKEN=HOOK_TOKEN,
        COMMENTS_BUILD_HOOK_SECONDS=str(settle_seconds),
    )


def held_comments(base_url: str, count: int) -> list[int]:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        synced = client.put(
            "/api/v1/threads", json=THREADS, headers={"Authorization": f"Bearer {DEPLOY_TOKEN}"}
        )
        assert synced.status_code == 200, synced.text
        ids = []
        for number in range(count):
            created = client.post(
                "/api/v1/threads/first-post/comments",
                json={"author": "Grace", "email": "g@example.org", "body": f"Comment {number}"},
            )
            assert created.status_code == 201, created.text
            assert created.json()["status"] == "pending"
            ids.append(created.json()["comment"]["id"])
        return ids


def approve(database_url: str, *comment_ids: int) -> None:
    """A moderator approves, as `comments-api` and the e-mailed links do."""
    engine = create_database_engine(database_url, pool_size=1)
    storage = Storage(engine)
    try:
        for comment_id in comment_ids:
            with storage.writing() as session:
                apply_action(session, comment_id, "approve", "moderator@blog.test")
    finally:
        storage.close()
        engine.dispose()


def rebuild_rows(database_url: str) -> list[OutboxMessage]:
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            return list(
                session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "rebuild"))
            )
    finally:
        engine.dispose()


def test_three_approvals_within_the_window_ask_the_site_to_rebuild_once(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'comments.sqlite3'}"
    with (
        HookReceiver() as receiver,
        ServerProcess(server_env(database_url, receiver.url, 2), tmp_path) as server,
    ):
        ids = held_comments(server.base_url, 3)
        assert receiver.calls == []  # held comments change no static page
        approve(database_url, *ids)
        [call] = receiver.wait_for(1, ARRIVAL_SECONDS)
        # More background rounds (one a second) pass the window again: no second call.
        time.sleep(3)
        calls = list(receiver.calls)

    assert len(calls) == 1
    assert call.path == "/repos/blog/site/dispatches"
    assert call.headers["Authorization"] == f"Bearer {HOOK_TOKEN}"
    assert call.headers["Accept"] == "application/vnd.github+json"
    assert call.body["event_type"] == "comments-changed"
    assert call.body["client_payload"]["site"] == "http://blog.test"
    [row] = rebuild_rows(database_url)
    assert row.sent_at is not None and row.attempts == 0


def test_a_rebuild_asked_for_before_a_crash_is_sent_after_the_restart(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'comments.sqlite3'}"
    with HookReceiver() as receiver:
        env = server_env(database_url, receiver.url, 30)
        server = ServerProcess(env, tmp_path).start()
        try:
            [comment_id] = held_comments(server.base_url, 1)
            approve(database_url, comment_id)
        finally:
            server.kill()  # SIGKILL: no shutdown, no flushing, well inside the 30 s window
        assert receiver.calls == []
        [waiting] = rebuild_rows(database_url)
        assert waiting.sent_at is None

        with ServerProcess({**env, "COMMENTS_BUILD_HOOK_SECONDS": "1"}, tmp_path):
            [call] = receiver.wait_for(1, ARRIVAL_SECONDS)

    assert call.body["event_type"] == "comments-changed"
    [sent] = rebuild_rows(database_url)
    assert sent.sent_at is not None


def test_a_receiver_answering_500_is_asked_again_until_it_answers(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'comments.sqlite3'}"
    with (
        HookReceiver(answers=(500, 500, 204)) as receiver,
        ServerProcess(server_env(database_url, receiver.url, 1), tmp_path) as server,
    ):
        [comment_id] = held_comments(server.base_url, 1)
        approve(database_url, comment_id)
        calls = receiver.wait_for(3, ARRIVAL_SECONDS)
        deadline = time.monotonic() + ARRIVAL_SECONDS
        while rebuild_rows(database_url)[0].sent_at is None and time.monotonic() < deadline:
            time.sleep(0.2)

    assert [call.body["event_type"] for call in calls[:3]] == ["comments-changed"] * 3
    [row] = rebuild_rows(database_url)
    assert row.attempts == 2  # two failures, then the answer
    assert row.sent_at is not None and row.last_error is None
