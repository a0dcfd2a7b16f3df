"""Mail from `python -m comments_api serve` itself: the background sender, no manual delivery.

A real server process on a loopback port, a SQLite file in tmp_path and a real SMTP server
(aiosmtpd) on a loopback port of its own. Nothing in these tests calls `deliver_pending`:
the messages arrive because the server's lifespan runs the background sender.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from comments_api.db.tables import Comment, OutboxMessage, Status
from tests.helpers import DEPLOY_TOKEN
from tests.server_process import ServerProcess
from tests.server_process import server_env as shared_server_env
from tests.smtp import SmtpServer, link_containing, text_of

pytestmark = pytest.mark.slow

MODERATOR = "moderator@blog.test"
THREADS = {
    "threads": [
        {"key": "first-post", "title": "First post", "url": "/first-post.html", "closed": False}
    ]
}
# Bounded waits for things the server does by itself; generous because the machine is shared.
# A failed delivery is retried after RETRY_SECONDS here (30 s by default).
ARRIVAL_SECONDS = 60
RETRY_SECONDS = 1


def server_env(database_url: str, smtp_port: int) -> dict[str, str]:
    return shared_server_env(
        database_url,
        COMMENTS_PUBLIC_URL="http://api.test",
        COMMENTS_MODERATION="hold-guests",
        COMMENTS_SMTP_HOST="127.0.0.1",
        COMMENTS_SMTP_PORT=str(smtp_port),
        COMMENTS_SMTP_FROM="Blog comments <comments@blog.test>",
        COMMENTS_MODERATOR_EMAILS=MODERATOR,
        COMMENTS_MAIL_INTERVAL_SECONDS="1",
        COMMENTS_MAIL_RETRY_SECONDS=str(RETRY_SECONDS),
    )


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A mail server that the test starts when it wants (stopped again at the end)."""
    server = SmtpServer()
    yield server
    server.stop()


def post_guest_comment(base_url: str, body: str) -> httpx.Response:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        synced = client.put(
            "/api/v1/threads", json=THREADS, headers={"Authorization": f"Bearer {DEPLOY_TOKEN}"}
        )
        assert synced.status_code == 200, synced.text
        return client.post(
            "/api/v1/threads/first-post/comments",
            json={"author": "Grace", "email": "grace@example.org", "body": body},
        )


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting {seconds:g} s for {what}")
        time.sleep(0.2)


def test_a_held_guest_comment_reaches_the_moderator_through_the_background_sender(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    smtp.start()
    database_url = f"sqlite:///{tmp_path / 'comments.sqlite3'}"
    with ServerProcess(server_env(database_url, smtp.port), tmp_path) as server:
        created = post_guest_comment(server.base_url, "Held until someone looks at it")
        assert created.status_code == 201, created.text
        assert created.json()["status"] == "pending"
        comment_id = created.json()["comment"]["id"]

        [message] = smtp.mailbox.wait_for(1, timeout=ARRIVAL_SECONDS)

    assert str(message["To"]) == MODERATOR
    assert str(message["Subject"]) == "Held for moderation: Grace on First post"
    assert "Held until someone looks at it" in text_of(message)
    assert "grace@example.org" in text_of(message)  # moderators see the address
    assert link_containing(message, "/moderation/email-action/").startswith("http://api.test/")
    with Session(create_engine(database_url)) as session:
        stored = session.get(Comment, comment_id)
        assert stored is not None and stored.status == Status.PENDING.value


def test_with_the_mail_server_down_the_comment_is_kept_and_the_mail_arrives_once_it_is_up(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    database_url = f"sqlite:///{tmp_path / 'comments.sqlite3'}"
    database = create_engine(database_url)

    def delivery_attempts() -> int:
        with Session(database) as session:
            return sum(session.scalars(select(OutboxMessage.attempts)).all())

    try:
        with ServerProcess(server_env(database_url, smtp.port), tmp_path) as server:
            created = post_guest_comment(server.base_url, "Posted while the mail server is down")
            assert created.status_code == 201, created.text
            assert created.json()["status"] == "pending"
            comment_id = created.json()["comment"]["id"]
            with Session(database) as session:
                stored = session.get(Comment, comment_id)
                assert stored is not None
                assert stored.body_md == "Posted while the mail server is down"
                assert stored.status == Status.PENDING.value

            # The sender tries, finds no mail server, and keeps the message for later.
            wait_until(lambda: delivery_attempts() >= 1, ARRIVAL_SECONDS, "a failed delivery")
            assert smtp.mailbox.messages == []
            with Session(database) as session:
                [waiting] = session.scalars(select(OutboxMessage)).all()
            assert waiting.sent_at is None and waiting.last_error

            smtp.start()
            [message] = smtp.mailbox.wait_for(1, timeout=ARRIVAL_SECONDS)
            assert "Posted while the mail server is down" in text_of(message)
            assert str(message["To"]) == MODERATOR

            def marked_sent() -> bool:
                with Session(database) as session:
                    return None not in session.scalars(select(OutboxMessage.sent_at)).all()

            wait_until(marked_sent, ARRIVAL_SECONDS, "the message to be marked sent")
    finally:
        database.dispose()
    assert len(smtp.mailbox.messages) == 1, "the message went out exactly once"
