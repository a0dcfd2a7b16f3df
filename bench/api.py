"""Load benchmark of the comments API: the real server (2 workers) under wrk, SQLite, PostgreSQL.

    .venv/bin/python bench/api.py                  # 20 s per scenario, 32 connections
    .venv/bin/python bench/api.py --duration 5 --databases sqlite

For each database it starts `python -m comments_api serve --workers 2` on a loopback port
(rate limits off, comments published at once), loads 50 threads with 50 comments on the first,
then runs wrk against three scenarios: list a thread, counts for 50 threads, create a comment.
It prints requests/s, p50 and p99 latency, errors and the resident memory of each worker.
The baseline, measured in the same run: uvicorn with the same workers serving the same thread
list as fixed bytes from a bare ASGI function, no framework and no database; the `vs base`
column is ours / baseline for the read scenarios (1.00 would be the server's own ceiling).
Needs `wrk` (Debian package `wrk`); PostgreSQL on 127.0.0.1:5432 for the second half.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEPLOY_TOKEN = "bench-deploy-token"
GOALS = {  # on SQLite, 2 workers, this 2-core machine
    "list": "≥ 2500 req/s, p99 ≤ 40 ms",
    "counts": "≥ 2500 req/s",
    "create": "≥ 400 req/s",
}
MEMORY_GOAL_MB = 100


@dataclass
class Result:
    scenario: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    worker_rss_mb: list[float]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'bench.sqlite3'}"
        return
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    plain = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(plain, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


BASELINE_APP = """
import os

BODY = open(os.environ["BENCH_BASELINE_BODY"], "rb").read()
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
"""


@contextmanager
def baseline_server(body: bytes, folder: Path, workers: int) -> Iterator[tuple[str, int]]:
    """The ceiling: the same uvicorn serving the same bytes from a bare ASGI function."""
    (folder / "baseline_app.py").write_text(BASELINE_APP)
    (folder / "baseline_body.json").write_bytes(body)
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "baseline_app:app",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    env = {**os.environ, "BENCH_BASELINE_BODY": str(folder / "baseline_body.json")}
    with started(command, folder, env, "baseline.log") as running:
        yield running


@contextmanager
def started(
    command: list[str], folder: Path, env: dict[str, str], log_name: str
) -> Iterator[tuple[str, int]]:
    """Start a server process on a free loopback port; yield its URL and pid once it answers."""
    port = free_port()
    log = (folder / log_name).open("wb")
    process = subprocess.Popen(
        command + ["--host", "127.0.0.1", "--port", str(port)],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base_url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log_text = (folder / log_name).read_text()
                raise SystemExit(f"the server did not start:\n{log_text}")
            time.sleep(0.2)
        # Every worker answers before we measure (each opens its own connections).
        for _ in range(40):
            httpx.get(base_url + "/health", timeout=5)
        yield base_url, process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


@contextmanager
def server(database_url: str, folder: Path, workers: int) -> Iterator[tuple[str, int]]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "COMMENTS_ENV": "test",
        "COMMENTS_DATABASE_URL": database_url,
        "COMMENTS_SECRET_KEY": secrets.token_urlsafe(32),
        "COMMENTS_DEPLOY_TOKEN": DEPLOY_TOKEN,
        "COMMENTS_MODERATION": "publish",
        "COMMENTS_RATE_LIMITS_ENABLED": "false",
        "COMMENTS_MIN_SUBMIT_SECONDS": "0",
    }
    command = [
        sys.executable,
        "-m",
        "comments_api",
        "serve",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    with started(command, folder, env, "server.log") as running:
        yield running


def worker_rss_mb(parent: int) -> list[float]:
    """Resident memory of the server's worker processes (children of the supervisor)."""
    sizes = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(parent) and "VmRSS" in fields:
            if "resource_tracker" in (entry / "cmdline").read_bytes().decode(errors="replace"):
                continue  # the resource tracker, not a worker
            sizes.append(int(fields["VmRSS"].split()[0]) / 1024)
    return sorted(sizes) or [0.0]


def load(base_url: str) -> None:
    """50 threads; 50 approved comments on the first one."""
    threads = [
        {"key": f"bench-{n}", "title": f"Post {n}", "url": f"/posts/{n}.html", "closed": False}
        for n in range(50)
    ]
    response = httpx.put(
        f"{base_url}/api/v1/threads",
        json={"threads": threads},
        headers={"Authorization": f"Bearer {DEPLOY_TOKEN}"},
        timeout=30,
    )
    response.raise_for_status()
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for number in range(50):
            body = f"Comment {number}: *Markdown* with a [link](https://example.org/{number})."
            client.post(
                "/api/v1/threads/bench-0/comments",
                json={
                    "author": f"Reader {number}",
                    "email": f"reader{number}@example.org",
                    "body": body,
                    "parent": None,
                },
            ).raise_for_status()
    listing = httpx.get(f"{base_url}/api/v1/threads/bench-0/comments", timeout=10).json()
    assert listing["count"] == 50, listing["count"]


def parse_duration_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(
    url: str,
    seconds: int,
    connections: int,
    threads: int,
    script: Path | None,
    scenario: str,
    server_pid: int,
) -> Result:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "5s",
    ]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    rss = worker_rss_mb(server_pid)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = parse_duration_ms(re.search(r"\s50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = parse_duration_ms(re.search(r"\s99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if socket_errors:
        errors += sum(int(value) for value in socket_errors.groups())
    return Result(scenario, rate, p50, p99, total, errors, rss)


def bench(kind: str, arguments: argparse.Namespace) -> list[Result]:
    folder = Path(tempfile.mkdtemp(prefix=f"comments-bench-{kind}-"))
    create_script = folder / "create.lua"
    create_script.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f"wrk.body = {json.dumps(json.dumps({'author': 'Load', 'email': 'load@example.org', 'body': 'A *new* comment under load.'}))}\n"  # noqa: E501
    )
    counts_query = urlencode([("thread", f"bench-{n}") for n in range(50)])
    try:
        with database(kind, folder) as url, server(url, folder, arguments.workers) as (base, pid):
            load(base)
            scenarios = [
                ("list", f"{base}/api/v1/threads/bench-0/comments", None),
                ("counts", f"{base}/api/v1/counts?{counts_query}", None),
                ("create", f"{base}/api/v1/threads/bench-1/comments", create_script),
            ]
            body = httpx.get(scenarios[0][1], timeout=10).content
            with baseline_server(body, folder, arguments.workers) as (baseline_base, baseline_pid):
                results = [
                    run_wrk(
                        baseline_base + "/",
                        arguments.duration,
                        arguments.connections,
                        arguments.threads,
                        None,
                        "baseline",
                        baseline_pid,
                    )
                ]
            for name, target, script in scenarios:
                if name not in arguments.scenarios:
                    continue
                results.append(
                    run_wrk(
                        target,
                        arguments.duration,
                        arguments.connections,
                        arguments.threads,
                        script,
                        name,
                        pid,
                    )
                )
            return results
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="API worker processes")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--scenarios", default="list,counts,create")
    arguments = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 1
    print(
        f"{arguments.workers} workers, {arguments.connections} connections, "
        f"{arguments.duration} s per scenario, wrk -t{arguments.threads}, {os.cpu_count()} CPUs"
    )
    header = (
        f"{'database':<11}{'scenario':<9}{'req/s':>9}{'vs base':>8}{'p50 ms':>9}"
        f"{'p99 ms':>9}{'requests':>10}{'errors':>8}  RSS per worker (MB)   goal (SQLite)"
    )
    print(header)
    print("-" * len(header))
    for kind in arguments.databases.split(","):
        results = bench(kind, arguments)
        baseline_rate = results[0].requests_per_second
        for result in results:
            rss = ", ".join(f"{size:.0f}" for size in result.worker_rss_mb)
            goal = GOALS.get(result.scenario, "") if kind == "sqlite" else ""
            ratio = result.requests_per_second / baseline_rate
            versus = f"{ratio:.2f}" if result.scenario != "create" else "-"
            print(
                f"{kind:<11}{result.scenario:<9}{result.requests_per_second:>9.0f}{versus:>8}"
                f"{result.p50_ms:>9.1f}{result.p99_ms:>9.1f}{result.requests:>10}"
                f"{result.errors:>8}  {rss:<21} {goal}",
                flush=True,
            )
    print(f"memory goal: ≤ {MEMORY_GOAL_MB} MB per worker")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
