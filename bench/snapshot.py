"""Incremental snapshot: what a site build transfers after 10 approvals, full vs incremental.

    .venv/bin/python bench/snapshot.py                       # 100,000 comments, 2,000 threads
    .venv/bin/python bench/snapshot.py --comments 20000 --threads 400 --approvals 10

It fills a SQLite database (comments approved an hour ago), starts `python -m comments_api
serve` on a loopback port, and measures the plugin's own fetch (plugins/comments/snapshot.py,
with its cache in a temporary CACHE_PATH) twice after 10 new approvals: with no cache (the
full snapshot, every page) and with the cache the previous build left (only the changes since
its cursor). Bytes are counted as the server sends them (response bodies); times are the
plugin's whole fetch, cache read and write included. The full fetch, in the same run, is the
baseline: the goal is incremental bytes ≤ 1 % of the full snapshot's.
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from comments_api.db.engine import create_database_engine, migrate  # noqa: E402
from comments_api.db.storage import Storage  # noqa: E402
from comments_api.db.tables import Comment, Status, Thread, utcnow  # noqa: E402
from comments_api.moderation.actions import apply_action  # noqa: E402
from plugins.comments import snapshot as plugin_snapshot  # noqa: E402
from plugins.comments.settings import read_settings  # noqa: E402
from tests.server_process import ServerProcess  # noqa: E402

BUILD_TOKEN = "bench-build-token"
GOAL_PERCENT = 1.0
BODY = "<p>A comment of ordinary length, with a sentence or two about the post and a thought.</p>"


def fill(database_url: str, comments: int, threads: int) -> None:
    engine = create_database_engine(database_url, pool_size=1)
    migrate(engine)
    an_hour_ago = utcnow() - timedelta(hours=1)
    with engine.begin() as connection:
        connection.execute(
            insert(Thread),
            [
                {
                    "key": f"post-{number}",
                    "title": f"Post {number}",
                    "url": f"/posts/post-{number}.html",
                    "summary": "",
                    "created_at": an_hour_ago,
                    "published_at": an_hour_ago,
                    "closed_at": None,
                    "retired_at": None,
                    "version": 1,
                    "approved_count": comments // threads,
                }
                for number in range(threads)
            ],
        )
        batch: list[dict[str, Any]] = []
        for number in range(comments):
            batch.append(
                {
                    "thread_key": f"post-{number % threads}",
                    "author_name": f"Reader {number}",
                    "author_email": f"reader{number}@example.org",
                    "body_md": BODY,
                    "body_html": BODY,
                    "status": Status.APPROVED.value,
                    "created_at": an_hour_ago,
                    "updated_at": an_hour_ago,
                }
            )
            if len(batch) == 5000:
                connection.execute(insert(Comment), batch)
                batch = []
        if batch:
            connection.execute(insert(Comment), batch)
    engine.dispose()


def approve_new(database_url: str, count: int) -> None:
    """`count` guests' comments held, then approved by a moderator, as in real use."""
    engine = create_database_engine(database_url, pool_size=1)
    storage = Storage(engine)
    now = utcnow()
    try:
        with engine.begin() as connection:
            for number in range(count):
                connection.execute(
                    insert(Comment).values(
                        thread_key=f"post-{number}",
                        author_name=f"New reader {number}",
                        body_md="New",
                        body_html="<p>New</p>",
                        status=Status.PENDING.value,
                        created_at=now,
                        updated_at=now,
                    )
                )
        with engine.connect() as connection:
            held = [
                row[0]
                for row in connection.exec_driver_sql(
                    "SELECT id FROM comments WHERE status = 'pending' ORDER BY id"
                )
            ]
        for comment_id in held:
            with storage.writing() as session:
                apply_action(session, comment_id, "approve", "bench@example.org")
    finally:
        storage.close()
        engine.dispose()


@contextmanager
def counted_bytes() -> Iterator[list[int]]:
    """Count the body bytes of every answer the plugin's HTTP client reads."""
    counted = [0, 0]  # bytes, requests
    original = urllib.request.urlopen

    class Counting:
        def __init__(self, response: Any) -> None:
            self.response = response

        def __enter__(self) -> Counting:
            return self

        def __exit__(self, *exc: object) -> None:
            self.response.close()

        def read(self) -> bytes:
            body: bytes = self.response.read()
            counted[0] += len(body)
            counted[1] += 1
            return body

    def urlopen(*args: Any, **kwargs: Any) -> Counting:
        return Counting(original(*args, **kwargs))

    urllib.request.urlopen = urlopen  # type: ignore[assignment]
    try:
        yield counted
    finally:
        urllib.request.urlopen = original


def fetch(base_url: str, cache: Path) -> tuple[int, int, float, int]:
    """(bytes, requests, seconds, comments) of one build's snapshot fetch."""
    settings = read_settings(
        {
            "COMMENTS_API_URL": base_url,
            "COMMENTS_SNAPSHOT": True,
            "COMMENTS_SNAPSHOT_TOKEN": BUILD_TOKEN,
            "COMMENTS_SNAPSHOT_TIMEOUT": 60,
            "CACHE_PATH": str(cache),
        }
    )
    with counted_bytes() as counted:
        started = time.perf_counter()
        by_thread = plugin_snapshot.fetch_snapshot(settings)
        seconds = time.perf_counter() - started
    assert by_thread is not None, "the snapshot failed"
    return counted[0], counted[1], seconds, sum(len(c) for c in by_thread.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=2_000)
    parser.add_argument("--approvals", type=int, default=10)
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-snapshot-"))
    database_url = f"sqlite:///{folder / 'comments.sqlite3'}"
    try:
        started = time.perf_counter()
        fill(database_url, options.comments, options.threads)
        print(
            f"filled {options.comments:,} comments over {options.threads:,} threads "
            f"in {time.perf_counter() - started:.1f} s"
        )
        env = {
            "COMMENTS_ENV": "test",
            "COMMENTS_DATABASE_URL": database_url,
            "COMMENTS_SECRET_KEY": secrets.token_urlsafe(32),
            "COMMENTS_BUILD_TOKEN": BUILD_TOKEN,
            "COMMENTS_RATE_LIMITS_ENABLED": "false",
        }
        with ServerProcess(env, folder) as server:
            cache = folder / "cache"
            fetch(server.base_url, cache)  # the previous build: leaves its snapshot and cursor
            approve_new(database_url, options.approvals)
            full_bytes, full_requests, full_seconds, full_count = fetch(
                server.base_url, folder / "no-cache"
            )
            bytes_, requests, seconds, count = fetch(server.base_url, cache)
        assert count == full_count, (count, full_count)
        percent = 100 * bytes_ / full_bytes
        print(f"after {options.approvals} approvals ({full_count:,} comments in the snapshot):")
        for name, sent, asked, took in [
            ("full", full_bytes, full_requests, full_seconds),
            ("incremental", bytes_, requests, seconds),
        ]:
            print(f"  {name:<12} {sent:>12,} B  {asked:>4} requests  {took:7.3f} s")
        print(
            f"  incremental / full: bytes {percent:.3f} %  (goal ≤ {GOAL_PERCENT:g} %), "
            f"time {seconds / full_seconds:.3f}"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
