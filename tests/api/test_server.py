"""Real server processes on loopback ports: the wire, crash durability, scale-out."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import httpx
import pytest

from tests.helpers import (
    REDIS_URL,
    need,
    new_postgres_schema,
    postgres_available,
    redis_available,
)
from tests.server_process import ServerProcess, comment, server_env, sync

pytestmark = pytest.mark.slow


def test_the_server_answers_over_real_http(tmp_path: Path) -> None:
    env = server_env(f"sqlite:///{tmp_path / 'wire.sqlite3'}", COMMENTS_MODERATION="hold-guests")
    with ServerProcess(env, tmp_path) as server:
        sync(server.base_url)
        with httpx.Client(base_url=server.base_url, timeout=10) as client:
            created = client.post(
                "/api/v1/threads/durable/comments",
                json=comment(1),
                headers={"Origin": "http://blog.test"},
            )
            assert created.status_code == 201
            assert created.headers["access-control-allow-origin"] == "http://blog.test"
            form = client.post("/api/v1/threads/durable/comments", data=comment(2))
            assert form.status_code == 303
            assert form.headers["location"] == (
                "http://blog.test/durable.html#comment-awaiting-moderation"
            )
            listing = client.get("/api/v1/threads/durable/comments")
            assert listing.json() == {
                "thread": "durable",
                "count": 0,
                "closed": False,
                "comments": [],
            }
            assert client.get("/openapi.json").json()["info"]["title"] == "Comments API"
            assert "server" not in listing.headers


def acknowledged_writes_survive_sigkill(database_url: str, folder: Path, workers: int = 1) -> None:
    env = server_env(database_url)
    acknowledged: list[int] = []
    stop = threading.Event()

    def writer(first: int) -> None:
        with httpx.Client(base_url=server.base_url, timeout=10) as client:
            number = first
            while not stop.is_set():
                try:
                    response = client.post("/api/v1/threads/durable/comments", json=comment(number))
                except httpx.HTTPError:
                    return  # the server is gone: this write was never acknowledged
                if response.status_code == 201:
                    acknowledged.append(response.json()["comment"]["id"])
                number += 1000

    server = ServerProcess(env, folder, workers).start()
    try:
        sync(server.base_url)
        writers = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
        for thread in writers:
            thread.start()
        while len(acknowledged) < 60:
            stop.wait(0.01)
        server.kill()  # SIGKILL while writes are in flight
        stop.set()
        for thread in writers:
            thread.join(timeout=20)
    finally:
        server.kill()

    restarted = ServerProcess(env, folder).start()
    try:
        listing = httpx.get(
            f"{restarted.base_url}/api/v1/threads/durable/comments", timeout=10
        ).json()
    finally:
        restarted.stop()
    stored = {item["id"] for item in listing["comments"]}
    missing = sorted(set(acknowledged) - stored)
    assert not missing, f"{len(missing)} acknowledged comments lost: {missing[:10]}"
    assert listing["count"] == len(stored) >= 60


def test_acknowledged_comments_survive_a_sigkill_on_sqlite(tmp_path: Path) -> None:
    acknowledged_writes_survive_sigkill(f"sqlite:///{tmp_path / 'crash.sqlite3'}", tmp_path)


def test_acknowledged_comments_survive_a_sigkill_of_two_forked_workers_on_sqlite(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'crash.sqlite3'}"
    acknowledged_writes_survive_sigkill(url, tmp_path, workers=2)


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            command_line = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if f"PPid:\t{parent}\n" in status and b"resource_tracker" not in command_line:
            found.append(int(entry.name))
    return found


def _resident_and_unique_kib(pid: int) -> tuple[int, int]:
    fields = {}
    for line in (Path("/proc") / str(pid) / "smaps_rollup").read_text().splitlines()[1:]:
        name, _, rest = line.partition(":")
        fields[name] = int(rest.split()[0])
    return fields["Rss"], fields["Private_Clean"] + fields["Private_Dirty"]


def test_workers_are_forked_from_the_server_and_share_its_memory(tmp_path: Path) -> None:
    env = server_env(f"sqlite:///{tmp_path / 'forked.sqlite3'}")
    with ServerProcess(env, tmp_path, workers=2) as server:
        assert server.process is not None
        for _ in range(20):  # both workers answer
            assert httpx.get(server.base_url + "/health", timeout=5).status_code == 200
        workers = _children(server.process.pid)
        assert len(workers) == 2, workers
        serve_command = (Path("/proc") / str(server.process.pid) / "cmdline").read_bytes()
        for pid in workers:
            # Forked, not spawned: a spawned worker runs `python -c "from multiprocessing…"`.
            assert (Path("/proc") / str(pid) / "cmdline").read_bytes() == serve_command
            resident, unique = _resident_and_unique_kib(pid)
            # Most of a forked worker's pages are the server's, shared; a spawned worker's are
            # nearly all its own.
            assert unique < resident / 2, f"worker {pid}: {unique} KiB of {resident} its own"


@pytest.mark.postgres
def test_acknowledged_comments_survive_a_sigkill_on_postgresql(tmp_path: Path) -> None:
    need(postgres_available(), "PostgreSQL is not reachable on 127.0.0.1:5432")
    with new_postgres_schema() as url:
        acknowledged_writes_survive_sigkill(url, tmp_path)


@pytest.mark.postgres
@pytest.mark.redis
def test_two_processes_share_rate_limits_and_see_each_others_writes(tmp_path: Path) -> None:
    need(postgres_available(), "PostgreSQL is not reachable on 127.0.0.1:5432")
    need(redis_available(), "Redis is not reachable on 127.0.0.1:6379")
    with new_postgres_schema() as url:
        env = server_env(
            url,
            COMMENTS_REDIS_URL=REDIS_URL,
            COMMENTS_RATE_LIMITS_ENABLED="true",
            COMMENTS_RATE_LIMIT_CREATE="4/minute",
        )
        with ServerProcess(env, tmp_path) as first, ServerProcess(env, tmp_path) as second:
            sync(first.base_url)
            path = "/api/v1/threads/durable/comments"
            one, two = httpx.Client(base_url=first.base_url), httpx.Client(base_url=second.base_url)
            with one, two:
                before = two.get(path)
                etag = before.headers["etag"]
                created = one.post(path, json=comment(1))
                assert created.status_code == 201
                seen = two.get(path, headers={"If-None-Match": etag})
                assert seen.status_code == 200
                assert [c["id"] for c in seen.json()["comments"]] == [
                    created.json()["comment"]["id"]
                ]
                assert two.get("/api/v1/counts?thread=durable").json() == {"counts": {"durable": 1}}
                statuses = [
                    client.post(path, json=comment(n)).status_code
                    for n, client in enumerate([two, one, two, one, two], start=2)
                ]
                assert statuses == [201, 201, 201, 429, 429]
                refused = one.post(path, json=comment(9))
                assert refused.status_code == 429
                assert "4 per minute" in json.loads(refused.content)["detail"]
