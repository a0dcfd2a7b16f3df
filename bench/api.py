"""Load benchmark of the comments API: the real server (2 workers) under wrk, SQLite, PostgreSQL.

    .venv/bin/python bench/api.py                  # 20 s per scenario, 32 connections
    .venv/bin/python bench/api.py --duration 5 --databases sqlite
    .venv/bin/python bench/api.py --vs-isso        # and Isso 0.14 on the same data (~6 min)
    .venv/bin/python bench/api.py --vs-isso --quick    # 5 s per scenario (~2 min)

For each database it starts `python -m comments_api serve --workers 2` on a loopback port
(rate limits off, comments published at once), loads 50 threads with 50 comments on the first
and one on each other, then runs wrk against three scenarios: list a thread, counts for 50
threads, create a comment. It prints requests/s, p50 and p99 latency, errors, the workers' CPU
time per request (user and system, all threads; on a shared machine it moves less than
requests/s), and the memory of each worker after the load: resident (RSS) and unique (USS, the
pages no other process shares: what one more worker really costs). Memory is also printed after
start, and after each third of `--soak` seconds of creating comments (growth: the end against
the first third). The cold start is the time from starting the process to its first answered
request on a database already migrated (a restart).

The baseline, measured in the same run: uvicorn with the same workers serving the same thread
list as fixed bytes from a bare ASGI function, no framework and no database: the ceiling of the
list scenario (its p99 is a goal's yardstick).

With `--vs-isso`, Isso 0.14 (gunicorn, as many sync workers) is seeded with the same threads and
comments and run through the same scenarios on SQLite after ours, and the ratios ours / Isso are
printed with the goals (bench/isso_peer.py says what differs between the two APIs).
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
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx
from isso_peer import (
    ISSO_VERSION,
    isso_command,
    isso_environment,
    seed_isso,
    write_isso_config,
    write_isso_scripts,
)

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEPLOY_TOKEN = "bench-deploy-token"
THREADS = 50
FIRST_THREAD_COMMENTS = [
    {
        "author": f"Reader {number}",
        "email": f"reader{number}@example.org",
        "text": f"Comment {number}: *Markdown* with a [link](https://example.org/{number}).",
    }
    for number in range(50)
]
NEW_COMMENT = {"author": "Load", "email": "load@example.org", "text": "A *new* comment under load."}
# 2 workers, 32 connections, this 2-core machine; ratios are ours / Isso in the same run.
MEMORY_GOAL_MB = 50
COLD_START_GOAL_SECONDS = 1.5
RATIO_GOALS = {("sqlite", "list"): 100, ("sqlite", "counts"): 5, ("sqlite", "create"): 5}
RATIO_GOALS |= {("postgresql", "list"): 100, ("postgresql", "counts"): 5}
RATIO_GOALS |= {("postgresql", "create"): 3}
CREATE_P99_GOAL_MS = 150
LIST_P99_GOAL_VS_BASELINE = 3


@dataclass
class Memory:
    """Per worker, in MB: resident (RSS) and unique (USS)."""

    rss: list[float]
    uss: list[float]

    def __str__(self) -> str:
        return ", ".join(f"{r:.0f}/{u:.0f}" for r, u in zip(self.rss, self.uss, strict=True))

    def worst(self) -> float:
        return max([*self.rss, *self.uss], default=0.0)

    def growth_since(self, earlier: Memory) -> float:
        """The largest rise of any worker's RSS or USS, in MB (workers in the same order)."""
        rises = [now - then for now, then in zip(self.rss, earlier.rss, strict=False)]
        rises += [now - then for now, then in zip(self.uss, earlier.uss, strict=False)]
        return max(rises, default=0.0)


@dataclass
class Result:
    system: str
    database: str
    scenario: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    memory: Memory
    cpu_ms_per_request: float


@dataclass
class Run:
    """Everything measured of one server on one database."""

    system: str
    database: str
    results: list[Result] = field(default_factory=list)
    after_start: Memory | None = None
    soak: list[Memory] = field(default_factory=list)
    cold_start_seconds: float | None = None

    def result(self, scenario: str) -> Result | None:
        return next((r for r in self.results if r.scenario == scenario), None)


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


@dataclass
class Server:
    base_url: str
    pid: int
    start_seconds: float


@contextmanager
def baseline_server(body: bytes, folder: Path, workers: int) -> Iterator[Server]:
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
    with started(command, folder, env, "baseline.log", "--host", "--port") as running:
        yield running


@contextmanager
def started(
    command: list[str],
    folder: Path,
    env: dict[str, str],
    log_name: str,
    host_option: str | None,
    port_option: str,
    health: str = "/health",
) -> Iterator[Server]:
    """Start a server process on a free loopback port; yield it once it answers."""
    port = free_port()
    log = (folder / log_name).open("ab")
    if host_option is None:  # gunicorn: one --bind HOST:PORT
        address = [port_option, f"127.0.0.1:{port}"]
    else:
        address = [host_option, "127.0.0.1", port_option, str(port)]
    began = time.monotonic()
    process = subprocess.Popen(
        command + address,
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = began + 60
        while True:
            try:
                if httpx.get(base_url + health, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log_text = (folder / log_name).read_text()
                raise SystemExit(f"the server did not start:\n{log_text}")
            time.sleep(0.01)
        start_seconds = time.monotonic() - began
        # Every worker answers before we measure (each opens its own connections).
        for _ in range(40):
            httpx.get(base_url + health, timeout=5)
        yield Server(base_url, process.pid, start_seconds)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def our_environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "COMMENTS_ENV": "test",
        "COMMENTS_DATABASE_URL": database_url,
        "COMMENTS_SECRET_KEY": "bench-" + secrets.token_urlsafe(32),
        "COMMENTS_DEPLOY_TOKEN": DEPLOY_TOKEN,
        "COMMENTS_MODERATION": "publish",
        "COMMENTS_RATE_LIMITS_ENABLED": "false",
        "COMMENTS_MIN_SUBMIT_SECONDS": "0",
    }


@contextmanager
def server(database_url: str, folder: Path, workers: int) -> Iterator[Server]:
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
    environment = our_environment(database_url)
    with started(command, folder, environment, "server.log", "--host", "--port") as running:
        yield running


def _memory_of(pid: int) -> tuple[float, float] | None:
    """RSS and USS of one process, in MB, from the kernel's summary of its mappings."""
    try:
        rollup = (Path("/proc") / str(pid) / "smaps_rollup").read_text()
    except OSError:
        return None
    fields = {}
    for line in rollup.splitlines()[1:]:
        name, _, rest = line.partition(":")
        fields[name] = int(rest.split()[0]) / 1024
    return fields["Rss"], fields["Private_Clean"] + fields["Private_Dirty"]


def worker_pids(parent: int) -> list[int]:
    """The server's worker processes: children of the supervisor."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            command_line = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() != str(parent):
            continue
        if "resource_tracker" in command_line:
            continue  # multiprocessing's resource tracker, not a worker
        pids.append(int(entry.name))
    return sorted(pids)


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time of these processes (all their threads), in seconds."""
    ticks = 0
    for pid in pids:
        try:
            stat = (Path("/proc") / str(pid) / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def worker_memory(parent: int) -> Memory:
    """RSS and USS of the server's worker processes, in pid order (the same worker each time)."""
    sizes = [size for pid in worker_pids(parent) if (size := _memory_of(pid)) is not None]
    return Memory([rss for rss, _ in sizes], [uss for _, uss in sizes])


def thread_key(number: int) -> str:
    return f"bench-{number}"


def load(base_url: str) -> None:
    """50 threads; 50 approved comments on the first one, one on each of the others."""
    threads = [
        {"key": thread_key(n), "title": f"Post {n}", "url": f"/posts/{n}.html", "closed": False}
        for n in range(THREADS)
    ]
    response = httpx.put(
        f"{base_url}/api/v1/threads",
        json={"threads": threads},
        headers={"Authorization": f"Bearer {DEPLOY_TOKEN}"},
        timeout=30,
    )
    response.raise_for_status()

    def ours(comment: dict[str, str]) -> dict[str, object]:
        return {
            "author": comment["author"],
            "email": comment["email"],
            "body": comment["text"],
            "parent": None,
        }

    with httpx.Client(base_url=base_url, timeout=30) as client:
        for comment in FIRST_THREAD_COMMENTS:
            client.post(
                f"/api/v1/threads/{thread_key(0)}/comments", json=ours(comment)
            ).raise_for_status()
        for number in range(1, THREADS):
            client.post(
                f"/api/v1/threads/{thread_key(number)}/comments", json=ours(NEW_COMMENT)
            ).raise_for_status()
    listing = httpx.get(f"{base_url}/api/v1/threads/{thread_key(0)}/comments", timeout=10).json()
    assert listing["count"] == len(FIRST_THREAD_COMMENTS), listing["count"]


def parse_duration_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


@dataclass
class Load:
    seconds: int
    connections: int
    threads: int


def run_wrk(
    url: str, load: Load, script: Path | None, scenario: str, run: Run, server_pid: int
) -> Result:
    command = [
        "wrk",
        f"-t{load.threads}",
        f"-c{load.connections}",
        f"-d{load.seconds}s",
        "--latency",
        "--timeout",
        "5s",
    ]
    if script is not None:
        command += ["-s", str(script)]
    workers = worker_pids(server_pid)
    cpu_before = cpu_seconds(workers)
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    cpu = cpu_seconds(workers) - cpu_before
    memory = worker_memory(server_pid)
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
    cpu_ms = cpu * 1000 / total if total else 0.0
    return Result(run.system, run.database, scenario, rate, p50, p99, total, errors, memory, cpu_ms)


def soak(url: str, load: Load, script: Path | None, run: Run, server_pid: int) -> None:
    """Memory after start and after each third of a long create load."""
    run.soak.append(worker_memory(server_pid))
    third = Load(max(1, load.seconds // 3), load.connections, load.threads)
    for _ in range(3):
        run_wrk(url, third, script, "soak", run, server_pid)
        run.soak.append(worker_memory(server_pid))


def write_create_script(folder: Path) -> Path:
    script = folder / "create.lua"
    body = {"author": NEW_COMMENT["author"], "email": NEW_COMMENT["email"]}
    body["body"] = NEW_COMMENT["text"]
    script.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f"wrk.body = {json.dumps(json.dumps(body))}\n"
    )
    return script


def bench_ours(kind: str, arguments: argparse.Namespace, load_: Load) -> tuple[Run, Run]:
    """Ours on one database, and the bare-ASGI baseline serving the same list."""
    folder = Path(tempfile.mkdtemp(prefix=f"comments-bench-{kind}-"))
    create_script = write_create_script(folder)
    counts_query = urlencode([("thread", thread_key(n)) for n in range(THREADS)])
    ours = Run("ours", kind)
    baseline = Run("baseline", kind)
    try:
        with database(kind, folder) as url:
            with server(url, folder, arguments.workers) as running:
                base = running.base_url
                ours.after_start = worker_memory(running.pid)
                load(base)
                scenarios = [
                    ("list", f"{base}/api/v1/threads/{thread_key(0)}/comments", None),
                    ("counts", f"{base}/api/v1/counts?{counts_query}", None),
                    ("create", f"{base}/api/v1/threads/{thread_key(1)}/comments", create_script),
                ]
                body = httpx.get(scenarios[0][1], timeout=10).content
                with baseline_server(body, folder, arguments.workers) as bare:
                    baseline.after_start = worker_memory(bare.pid)
                    baseline.results.append(
                        run_wrk(bare.base_url + "/", load_, None, "list", baseline, bare.pid)
                    )
                for name, target, script in scenarios:
                    if name in arguments.scenarios:
                        ours.results.append(run_wrk(target, load_, script, name, ours, running.pid))
                if arguments.soak and kind == "sqlite":
                    soak_load = Load(arguments.soak, load_.connections, load_.threads)
                    soak(scenarios[2][1], soak_load, create_script, ours, running.pid)
            # A restart on the migrated database: process start to first answer.
            with server(url, folder, arguments.workers) as restarted:
                ours.cold_start_seconds = restarted.start_seconds
        return ours, baseline
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def bench_isso(arguments: argparse.Namespace, load_: Load) -> Run:
    """Isso 0.14 under gunicorn, seeded like ours, through the same scenarios."""
    bin_folder = isso_environment()
    folder = Path(tempfile.mkdtemp(prefix="comments-bench-isso-"))
    run = Run("isso", "sqlite")
    environment = {**os.environ, "ISSO_SETTINGS": str(write_isso_config(folder, unused_site()))}
    command = isso_command(bin_folder, arguments.workers)
    scenarios = write_isso_scripts(folder, THREADS)
    try:
        with started(command, folder, environment, "isso.log", None, "--bind", "/info") as isso:
            run.after_start = worker_memory(isso.pid)
            seed_isso(isso.base_url, FIRST_THREAD_COMMENTS, THREADS)
            for name, (path, script) in scenarios.items():
                if name in arguments.scenarios:
                    result = run_wrk(isso.base_url + path, load_, script, name, run, isso.pid)
                    run.results.append(result)
        with started(command, folder, environment, "isso.log", None, "--bind", "/info") as again:
            run.cold_start_seconds = again.start_seconds
        return run
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def import_profile(top: int = 8) -> str:
    """What a worker imports before it can answer, by package: time spent in each one's code."""
    environment = our_environment("sqlite:///:memory:")
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import comments_api.cli, comments_api.app"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    by_package: dict[str, float] = {}
    for line in completed.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _, name = line.removeprefix("import time:").split("|")
        package = name.strip().split(".")[0]
        by_package[package] = by_package.get(package, 0.0) + int(self_us) / 1000
    total = sum(by_package.values())
    largest = sorted(by_package.items(), key=lambda item: -item[1])[:top]
    shown = ", ".join(f"{package} {ms:.0f}" for package, ms in largest)
    return f"{len(by_package)} packages, {total:.0f} ms; the largest (ms): {shown}"


def unused_site() -> str:
    """The site Isso is told it serves: nothing listens there (Isso only warns at start)."""
    return f"http://127.0.0.1:{free_port()}"


def print_results(runs: list[Run]) -> None:
    header = (
        f"{'system':<9}{'database':<12}{'scenario':<9}{'req/s':>9}{'p50 ms':>9}"
        f"{'p99 ms':>9}{'requests':>10}{'errors':>8}{'CPU ms':>8}  MB per worker after, RSS/USS"
    )
    print(header)
    print("-" * len(header))
    for run in runs:
        for result in run.results:
            print(
                f"{run.system:<9}{run.database:<12}{result.scenario:<9}"
                f"{result.requests_per_second:>9.0f}{result.p50_ms:>9.1f}{result.p99_ms:>9.1f}"
                f"{result.requests:>10}{result.errors:>8}{result.cpu_ms_per_request:>8.2f}"
                f"  {result.memory}",
                flush=True,
            )
    print()
    for run in runs:
        line = f"{run.system:<9}{run.database:<12}after start: {run.after_start} MB RSS/USS"
        if run.cold_start_seconds is not None:
            line += f"; cold start (restart to first answer) {run.cold_start_seconds:.2f} s"
        print(line)
        if run.soak:
            print(f"{'':<21}create soak, every third: " + " -> ".join(map(str, run.soak)))


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def print_goals(runs: list[Run], with_isso: bool) -> None:
    by_key = {(run.system, run.database): run for run in runs}
    print("\ngoals")
    memory_runs = [run for run in runs if run.system == "ours"]
    for run in memory_runs:
        sizes = [run.after_start, *(r.memory for r in run.results if r.scenario != "soak")]
        worst = max(size.worst() for size in sizes if size is not None)
        print(
            f"  {run.database:<12}memory ≤ {MEMORY_GOAL_MB} MB per worker (RSS and USS): "
            f"worst {worst:.0f} MB  {verdict(worst <= MEMORY_GOAL_MB)}"
        )
        if len(run.soak) > 1:
            growth = run.soak[-1].growth_since(run.soak[1])
            print(
                f"  {run.database:<12}no growth under load (RSS/USS, after the first third to "
                f"the end): {growth:+.1f} MB  {verdict(growth <= 1.0)}"
            )
        if run.cold_start_seconds is not None:
            print(
                f"  {run.database:<12}cold start ≤ {COLD_START_GOAL_SECONDS} s: "
                f"{run.cold_start_seconds:.2f} s  "
                f"{verdict(run.cold_start_seconds <= COLD_START_GOAL_SECONDS)}"
            )
        create = run.result("create")
        if create is not None and run.database == "sqlite":
            print(
                f"  {run.database:<12}create p99 ≤ {CREATE_P99_GOAL_MS} ms: "
                f"{create.p99_ms:.0f} ms  {verdict(create.p99_ms <= CREATE_P99_GOAL_MS)}"
            )
        listing = run.result("list")
        baseline = by_key.get(("baseline", run.database))
        if listing is not None and baseline is not None and baseline.results:
            ceiling = baseline.results[0].p99_ms * LIST_P99_GOAL_VS_BASELINE
            print(
                f"  {run.database:<12}list p99 ≤ {LIST_P99_GOAL_VS_BASELINE}× bare ASGI "
                f"({baseline.results[0].p99_ms:.1f} ms): {listing.p99_ms:.1f} ms  "
                f"{verdict(listing.p99_ms <= ceiling)}"
            )
    isso = by_key.get(("isso", "sqlite"))
    if not with_isso or isso is None:
        return
    print(f"\nours / Isso {ISSO_VERSION} (Isso on SQLite; its count is a POST of URIs, ours a GET)")
    for (database_kind, scenario), goal in RATIO_GOALS.items():
        ours = by_key.get(("ours", database_kind))
        mine = ours.result(scenario) if ours else None
        theirs = isso.result(scenario)
        if mine is None or theirs is None or theirs.requests_per_second == 0:
            continue
        ratio = mine.requests_per_second / theirs.requests_per_second
        print(
            f"  {database_kind:<12}{scenario:<7} {ratio:>7.1f}×  (goal ≥ {goal}×)  "
            f"{verdict(ratio >= goal)}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="API worker processes")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--scenarios", default="list,counts,create")
    parser.add_argument(
        "--soak", type=int, default=60, help="seconds of create load watched for memory growth"
    )
    parser.add_argument("--vs-isso", action="store_true", help=f"and Isso {ISSO_VERSION}")
    parser.add_argument("--quick", action="store_true", help="5 s per scenario, 15 s of soak")
    arguments = parser.parse_args()
    if arguments.quick:
        arguments.duration, arguments.soak = 5, 15
    if shutil.which("wrk") is None:
        print(
            "wrk is not installed, so nothing was measured: apt-get install -y wrk",
            file=sys.stderr,
        )
        return 1
    print(
        f"{arguments.workers} workers, {arguments.connections} connections, "
        f"{arguments.duration} s per scenario, wrk -t{arguments.threads}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f} before the run"
    )
    load_ = Load(arguments.duration, arguments.connections, arguments.threads)
    runs: list[Run] = []
    for kind in arguments.databases.split(","):
        ours, baseline = bench_ours(kind, arguments, load_)
        runs += [baseline, ours]
    if arguments.vs_isso:
        runs.append(bench_isso(arguments, load_))
    print()
    print_results(runs)
    print_goals(runs, arguments.vs_isso)
    print(f"\nimported before the first answer: {import_profile()}")
    print(f"load average {os.getloadavg()[0]:.2f} after the run")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
