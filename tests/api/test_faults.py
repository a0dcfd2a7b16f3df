"""Faults answered honestly by a real server: a database away, terminated, locked, read-only or
full; Redis away. Nothing answers 500, nothing hangs, nothing acknowledged is lost."""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.api.faults_support import Link, frozen, small_disk
from tests.helpers import (
    DEPLOY_TOKEN,
    POSTGRES_URL,
    free_port,
    need,
    new_postgres_schema,
    postgres_available,
)
from tests.server_process import THREADS, ServerProcess, comment, server_env, sync

pytestmark = pytest.mark.slow

PATH = "/api/v1/threads/durable/comments"
UNAVAILABLE = "Comments are temporarily unavailable; your comment has not been sent."
PLAIN_POSTGRES = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")


def through(link: Link, url: str) -> str:
    """The same PostgreSQL database URL, reached through `link`."""
    return url.replace("@127.0.0.1:5432/", f"@127.0.0.1:{link.port}/")


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["retry-after"]) > 0
    body = response.json()
    assert body["detail"].startswith(UNAVAILABLE)
    assert body["errors"][0]["field"] == "database"


def until_healthy(client: httpx.Client, seen: list[int], tries: int = 100) -> None:
    for _ in range(tries):
        status = client.get("/health").status_code
        seen.append(status)
        if status == 200:
            return
        time.sleep(0.2)
    raise AssertionError(f"the server did not recover: {seen[-5:]}")


@pytest.mark.postgres
def test_postgresql_unreachable_answers_503_everywhere_then_recovers(tmp_path: Path) -> None:
    need(postgres_available(), "PostgreSQL is not reachable on 127.0.0.1:5432")
    link = Link().mend()
    with (
        new_postgres_schema() as url,
        ServerProcess(server_env(through(link, url)), tmp_path) as server,
        httpx.Client(base_url=server.base_url, timeout=15) as client,
    ):
        sync(server.base_url)
        before = client.post(PATH, json=comment(1))
        assert before.status_code == 201
        link.cut()  # the database stops: connections drop and new ones are refused

        assert_unavailable(
            client.post(PATH, json=comment(2), headers={"Origin": "http://blog.test"})
        )
        widget = client.post(PATH, json=comment(3), headers={"Origin": "http://blog.test"})
        assert widget.headers["access-control-allow-origin"] == "http://blog.test"
        assert_unavailable(client.get(PATH))
        assert_unavailable(client.get(PATH, params={"limit": "5"}))
        assert_unavailable(client.get("/api/v1/counts", params={"thread": "durable"}))
        assert_unavailable(client.get("/api/v1/threads/durable/feed.atom"))
        assert_unavailable(
            client.put(
                "/api/v1/threads", json=THREADS, headers={"Authorization": f"Bearer {DEPLOY_TOKEN}"}
            )
        )
        form = client.post(PATH, data={**comment(4), "body": "Words I <typed> with care"})
        assert form.status_code == 503
        assert form.headers["retry-after"]
        assert "text/html" in form.headers["content-type"]
        assert UNAVAILABLE in form.text
        assert "<textarea" in form.text and "Words I &lt;typed&gt; with care" in form.text
        health = client.get("/health")
        assert health.status_code == 503 and health.headers["retry-after"]

        link.mend()  # the database is back, on the same address
        seen: list[int] = []
        until_healthy(client, seen)
        statuses = []
        for number in range(5, 15):
            statuses.append(client.post(PATH, json=comment(number)).status_code)
            statuses.append(client.get(PATH).status_code)
        assert 500 not in seen + statuses
        assert statuses[-2:] == [201, 200]
    link.cut()


@pytest.mark.postgres
def test_terminated_postgresql_backends_give_503_and_lose_nothing(tmp_path: Path) -> None:
    need(postgres_available(), "PostgreSQL is not reachable on 127.0.0.1:5432")
    name = f"faults-{uuid.uuid4().hex[:8]}"
    acknowledged: list[int] = []
    statuses: list[int] = []
    stop = threading.Event()
    failures: list[str] = []

    def writer(first: int, base_url: str) -> None:
        with httpx.Client(base_url=base_url, timeout=15) as client:
            for number in range(first, first + 10_000, 4):
                if stop.is_set():
                    return
                try:
                    response = client.post(PATH, json=comment(number))
                    statuses.append(response.status_code)
                    if response.status_code == 201:
                        acknowledged.append(response.json()["comment"]["id"])
                    statuses.append(client.get(PATH).status_code)
                except httpx.HTTPError as error:  # reported with the server's log below
                    failures.append(repr(error))

    with new_postgres_schema() as url:
        env = server_env(f"{url}&application_name={name}")
        with ServerProcess(env, tmp_path, workers=2) as server:
            sync(server.base_url)
            writers = [threading.Thread(target=writer, args=(n, server.base_url)) for n in range(4)]
            for thread in writers:
                thread.start()
            terminated = 0
            with psycopg.connect(PLAIN_POSTGRES, autocommit=True) as killer:
                for _ in range(12):
                    time.sleep(0.25)
                    rows = killer.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = %s",
                        (name,),
                    ).fetchall()
                    terminated += len(rows)
            time.sleep(1)
            stop.set()
            for thread in writers:
                thread.join(timeout=60)
            with httpx.Client(base_url=server.base_url, timeout=15) as client:
                until_healthy(client, [])
                for _ in range(50):
                    listing = client.get(PATH)
                    if listing.status_code == 200:
                        break
                    time.sleep(0.2)
                stored = {item["id"] for item in listing.json()["comments"]}
    assert terminated > 0
    server_log = server.log.read_text(errors="replace")[-6000:]
    assert not failures, f"{failures[:5]}\n{server_log}"
    assert set(statuses) <= {200, 201, 503}, f"{sorted(set(statuses))}\n{server_log}"
    assert len(acknowledged) > 20
    missing = sorted(set(acknowledged) - stored)
    assert not missing, f"{len(missing)} acknowledged comments lost: {missing[:10]}"


def blocked_by(pid: int) -> int:
    """How many backends wait for a lock that backend `pid` holds."""
    with psycopg.connect(PLAIN_POSTGRES, autocommit=True) as observer:
        row = observer.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", (pid,)
        ).fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.postgres
def test_a_locked_table_answers_503_while_health_says_why(tmp_path: Path) -> None:
    need(postgres_available(), "PostgreSQL is not reachable on 127.0.0.1:5432")
    with new_postgres_schema() as url:
        schema = url.rsplit("%3D", 1)[1]
        env = server_env(
            url, COMMENTS_DB_LOCK_TIMEOUT_SECONDS="3", COMMENTS_DB_READ_TIMEOUT_SECONDS="4"
        )
        with (
            ServerProcess(env, tmp_path) as server,
            httpx.Client(
                base_url=server.base_url,
                timeout=6,  # the bound: nothing may wait longer
            ) as client,
        ):
            sync(server.base_url)
            assert client.post(PATH, json=comment(1)).status_code == 201
            locked, release = threading.Event(), threading.Event()
            holder_pid: list[int] = []

            def hold_lock() -> None:
                with psycopg.connect(PLAIN_POSTGRES) as holder:
                    holder.execute(f'LOCK TABLE "{schema}".threads IN ACCESS EXCLUSIVE MODE')
                    holder_pid.append(holder.info.backend_pid)
                    locked.set()
                    release.wait(20)
                    holder.rollback()

            holder = threading.Thread(target=hold_lock)
            holder.start()
            try:
                assert locked.wait(10)
                # A list request waits for the lock; the service answers others meanwhile.
                waiting: list[httpx.Response] = []
                reader = threading.Thread(
                    target=lambda: waiting.append(httpx.get(server.base_url + PATH, timeout=6))
                )
                reader.start()
                for _ in range(100):
                    if blocked_by(holder_pid[0]):
                        break
                    time.sleep(0.02)
                assert blocked_by(holder_pid[0]) == 1
                assert client.get("/health").status_code in {200, 503}
                assert client.get("/docs").status_code == 200
                assert blocked_by(holder_pid[0]) == 1, "answered only after the read gave up"
                reader.join(timeout=10)
                assert_unavailable(waiting[0])
                health = client.get("/health")
                assert health.status_code == 503
                assert "lock" in health.json()["errors"][0]["message"]
                assert_unavailable(client.get(PATH))
                assert_unavailable(client.get("/api/v1/counts", params={"thread": "durable"}))
                assert_unavailable(client.post(PATH, json=comment(2)))
                assert client.get("/docs").status_code == 200
            finally:
                release.set()
                holder.join(timeout=25)
            seen: list[int] = []
            until_healthy(client, seen)
            for _ in range(50):
                if client.get(PATH).status_code == 200:
                    break
                time.sleep(0.2)
            assert client.get(PATH).json()["count"] == 1


@contextlib.contextmanager
def stopped_backends(link: Link) -> Iterator[None]:
    """SIGSTOP the PostgreSQL backends serving the relay's connections (ours alone), then
    SIGCONT them: the database keeps the connections open and answers nothing."""
    need(os.geteuid() == 0, "stopping a PostgreSQL backend needs root: run the tests as root")
    with psycopg.connect(PLAIN_POSTGRES, autocommit=True) as observer:
        rows = observer.execute(
            "SELECT pid FROM pg_stat_activity WHERE client_addr = '127.0.0.1' "
            "AND client_port = ANY(%s) AND pid <> pg_backend_pid()",
            (link.server_ports,),
        ).fetchall()
    pids = [pid for (pid,) in rows]
    assert pids, "no backend behind the relay"
    stopped: list[int] = []
    try:
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
            stopped.append(pid)
        yield
    finally:
        for pid in stopped:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


@contextlib.contextmanager
def stalled_network(link: Link) -> Iterator[None]:
    link.stall()
    try:
        yield
    finally:
        link.flow()


@pytest.mark.postgres
@pytest.mark.parametrize("stall", [stalled_network, stopped_backends], ids=["network", "sigstop"])
def test_a_stalled_postgresql_answers_503_quickly_and_health_says_why(
    tmp_path: Path, stall: Callable[[Link], contextlib.AbstractContextManager[None]]
) -> None:
    need(postgres_available(), "PostgreSQL is not reachable on 127.0.0.1:5432")
    link = Link().mend()
    env_extra = {
        "COMMENTS_DB_LOCK_TIMEOUT_SECONDS": "1",
        "COMMENTS_DB_READ_TIMEOUT_SECONDS": "2",
        "COMMENTS_DB_CONNECT_TIMEOUT_SECONDS": "1",
    }
    with (
        new_postgres_schema() as url,
        ServerProcess(server_env(through(link, url), **env_extra), tmp_path) as server,
        httpx.Client(base_url=server.base_url, timeout=5) as client,  # the bound
    ):
        sync(server.base_url)
        first = client.post(PATH, json=comment(1))
        assert first.status_code == 201
        assert client.get(PATH).status_code == 200
        with stall(link):
            assert_unavailable(client.get(PATH))
            health = client.get("/health")
            assert health.status_code == 503 and health.headers["retry-after"]
            assert "did not answer" in health.json()["errors"][0]["message"]
            assert client.get("/docs").status_code == 200
            assert_unavailable(client.get("/api/v1/counts", params={"thread": "durable"}))
            assert_unavailable(client.post(PATH, json=comment(2)))
            assert_unavailable(
                client.put(
                    "/api/v1/threads",
                    json=THREADS,
                    headers={"Authorization": f"Bearer {DEPLOY_TOKEN}"},
                )
            )
            assert client.get("/docs").status_code == 200
        seen: list[int] = []
        until_healthy(client, seen)
        for _ in range(50):
            if client.get(PATH).status_code == 200:
                break
            time.sleep(0.2)
        listing = client.get(PATH).json()
        assert [item["id"] for item in listing["comments"]] == [first.json()["comment"]["id"]]
        assert client.post(PATH, json=comment(3)).status_code == 201
    link.cut()


def test_a_read_only_sqlite_file_answers_503_to_writes_and_still_reads(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "16m") as disk:
        database = disk / "comments.sqlite3"
        env = server_env(f"sqlite:///{database}")
        with ServerProcess(env, tmp_path) as server:
            sync(server.base_url)
            first = httpx.post(server.base_url + PATH, json=comment(1), timeout=10)
            assert first.status_code == 201
        with (
            frozen(database),
            ServerProcess(env, tmp_path) as server,
            httpx.Client(base_url=server.base_url, timeout=15) as client,
        ):
            assert_unavailable(client.post(PATH, json=comment(2)))
            form = client.post(PATH, data={**comment(3), "body": "Kept for the reader"})
            assert form.status_code == 503 and "Kept for the reader" in form.text
            listing = client.get(PATH)
            assert listing.status_code == 200
            assert [c["id"] for c in listing.json()["comments"]] == [first.json()["comment"]["id"]]


def test_a_full_disk_answers_507_and_tells_the_operator(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "1m") as disk:
        env = server_env(f"sqlite:///{disk / 'comments.sqlite3'}")
        server = ServerProcess(env, tmp_path)
        acknowledged: list[int] = []
        statuses: list[int] = []
        with server, httpx.Client(base_url=server.base_url, timeout=15) as client:
            sync(server.base_url)
            for number in range(600):
                response = client.post(
                    PATH, json={**comment(number), "body": f"{number} " + "x" * 4900}
                )
                statuses.append(response.status_code)
                if response.status_code == 201:
                    acknowledged.append(response.json()["comment"]["id"])
                elif response.status_code == 507:
                    full = response
                    break
            assert statuses[-1] == 507, statuses[-5:]
            assert set(statuses) == {201, 507}
            assert "run out of storage space" in full.json()["detail"]
            assert int(full.headers["retry-after"]) > 0
            again = [client.post(PATH, json=comment(n)).status_code for n in range(3)]
            assert again == [507, 507, 507]
            listing = client.get(PATH)
            assert listing.status_code == 200
            stored = {item["id"] for item in listing.json()["comments"]}
        assert acknowledged and set(acknowledged) <= stored
        log = server.log.read_text()
        assert log.count("The database's disk is full") == 1
        assert "Traceback" not in log


def test_redis_down_rate_limits_per_process_and_accepts_comments(tmp_path: Path) -> None:
    env = server_env(
        f"sqlite:///{tmp_path / 'comments.sqlite3'}",
        COMMENTS_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
        COMMENTS_RATE_LIMITS_ENABLED="true",
        COMMENTS_RATE_LIMIT_CREATE="3/minute",
    )
    server = ServerProcess(env, tmp_path)
    with server, httpx.Client(base_url=server.base_url, timeout=15) as client:
        sync(server.base_url)
        statuses = [client.post(PATH, json=comment(n)).status_code for n in range(5)]
        assert statuses == [201, 201, 201, 429, 429]
    log = server.log.read_text()
    assert "Redis does not answer" in log and "counted per process" in log


def test_a_sqlite_write_lock_held_elsewhere_answers_503_within_the_busy_timeout(
    tmp_path: Path,
) -> None:
    database = tmp_path / "comments.sqlite3"
    env = server_env(f"sqlite:///{database}", COMMENTS_DB_BUSY_TIMEOUT_SECONDS="1")
    with (
        ServerProcess(env, tmp_path) as server,
        httpx.Client(base_url=server.base_url, timeout=5) as client,  # the bound
    ):
        sync(server.base_url)
        assert client.post(PATH, json=comment(1)).status_code == 201
        other = sqlite3.connect(database, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
            assert_unavailable(client.post(PATH, json=comment(2)))
            assert client.get(PATH).status_code == 200
            assert client.get("/health").status_code == 200
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert client.post(PATH, json=comment(3)).status_code == 201
        assert client.get(PATH).json()["count"] == 2


def test_sqlite_writers_queue_across_processes_for_the_busy_timeout_at_most(
    tmp_path: Path,
) -> None:
    database = tmp_path / "comments.sqlite3"
    env = server_env(f"sqlite:///{database}", COMMENTS_DB_BUSY_TIMEOUT_SECONDS="1")
    with (
        ServerProcess(env, tmp_path) as server,
        httpx.Client(base_url=server.base_url, timeout=5) as client,  # the bound
    ):
        sync(server.base_url)
        first = client.post(PATH, json=comment(1))
        assert first.status_code == 201
        # Another process of the service is writing, and does not finish.
        with open(f"{database}-writer.lock", "a+b") as writer:
            fcntl.flock(writer.fileno(), fcntl.LOCK_EX)
            try:
                assert_unavailable(client.post(PATH, json=comment(2)))
                assert client.get(PATH).status_code == 200
            finally:
                fcntl.flock(writer.fileno(), fcntl.LOCK_UN)
        assert client.post(PATH, json=comment(3)).status_code == 201
        assert [item["id"] for item in client.get(PATH).json()["comments"]][0] == (
            first.json()["comment"]["id"]
        )
        assert client.get(PATH).json()["count"] == 2
