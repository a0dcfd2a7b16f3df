"""The hot read (a thread's state row) three ways, in one process, on SQLite and PostgreSQL.

    .venv/bin/python bench/hot_reads.py                 # 3 rounds of 3 s per way
    .venv/bin/python bench/hot_reads.py --seconds 2 --concurrency 32

Each way answers `--concurrency` asyncio tasks that read one thread's state in a loop, as the
list route does for concurrent requests:

- `in loop` (the baseline): the synchronous driver call on the event loop, which the service
  did before; fastest, but a database that does not answer freezes the loop.
- `thread`: `HotReader.thread_state_soon`, the service's way now: the query runs on the
  reader's own thread and the loop waits for it a bounded time.
- `async`: psycopg's AsyncConnection (PostgreSQL only), one connection, awaited with
  `asyncio.wait_for`.

With `--keys 1` (the default) every task reads the same thread, as when a post is busy: the
service's reader then answers the requests that queued up meanwhile with one query. With
`--keys` equal to `--concurrency` each task reads a thread of its own: nothing is shared.

Rounds alternate the ways so that load from other programs falls on all of them; the best
round of each is printed with its ratio to the baseline of the same database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from comments_api.db.engine import create_database_engine, migrate  # noqa: E402
from comments_api.db.storage import Storage  # noqa: E402
from comments_api.db.tables import Thread, utcnow  # noqa: E402
from comments_api.db.thread_versions import HotReader  # noqa: E402

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
KEY = "bench-post"

Read = Callable[[str], Awaitable[object]]


async def rate(read: Read, seconds: float, concurrency: int, keys: int) -> float:
    """Reads per second by `concurrency` tasks reading for `seconds`, over `keys` threads."""
    done = 0
    stop = time.monotonic() + seconds

    async def reader(key: str) -> None:
        nonlocal done
        while time.monotonic() < stop:
            await read(key)
            done += 1

    started = time.monotonic()
    await asyncio.gather(*(reader(f"{KEY}-{n % keys}") for n in range(concurrency)))
    return done / (time.monotonic() - started)


def seeded(url: str, keys: int) -> Storage:
    engine = create_database_engine(url, pool_size=2)
    migrate(engine)
    storage = Storage(engine)
    with storage.writing() as session:
        for number in range(keys):
            session.add(
                Thread(
                    key=f"{KEY}-{number}",
                    title="Bench",
                    url=f"/{number}.html",
                    created_at=utcnow(),
                    version=1,
                    approved_count=0,
                )
            )
    return storage


async def measure(name: str, url: str, plain: str | None, arguments: argparse.Namespace) -> None:
    storage = seeded(url, arguments.keys)
    in_loop = HotReader(storage.engine)  # called synchronously: the old way
    threaded = HotReader(storage.engine)
    ways: dict[str, Read] = {}

    async def old(key: str) -> object:
        return in_loop._query_now(*in_loop._state_query(key))

    ways["in loop"] = old
    ways["thread"] = threaded.thread_state_soon
    connection: psycopg.AsyncConnection[tuple[object, ...]] | None = None
    if plain is not None:
        connection = await psycopg.AsyncConnection.connect(plain, autocommit=True)

        async def native(key: str) -> object:
            async def query() -> object:
                assert connection is not None
                sql, parameters = threaded._state_query(key)
                cursor = await connection.execute(sql, tuple(parameters))
                return await cursor.fetchall()

            return await asyncio.wait_for(query(), 3)

        ways["async"] = native
    best = dict.fromkeys(ways, 0.0)
    for _ in range(arguments.rounds):
        for way, read in ways.items():
            measured = await rate(read, arguments.seconds, arguments.concurrency, arguments.keys)
            best[way] = max(best[way], measured)
    baseline = best["in loop"]
    for way, value in best.items():
        print(f"{name:<11}{way:<9}{value:>10.0f}{value / baseline:>8.2f}", flush=True)
    if connection is not None:
        await connection.close()
    in_loop.close()
    threaded.close()
    storage.close()
    storage.engine.dispose()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="seconds per way and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--keys", type=int, default=1, help="threads the readers spread over")
    arguments = parser.parse_args()
    print(
        f"{arguments.concurrency} concurrent readers of {arguments.keys} threads, "
        f"best of {arguments.rounds} rounds of {arguments.seconds:g} s, "
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    )
    print(f"{'database':<11}{'way':<9}{'reads/s':>10}{'vs loop':>8}")
    with tempfile.TemporaryDirectory() as folder:
        await measure("sqlite", f"sqlite:///{folder}/bench.sqlite3", None, arguments)
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        options = f"?options=-csearch_path%3D{schema}"
        await measure(
            "postgresql",
            f"postgresql+psycopg://postgres@127.0.0.1:5432/test{options}",
            f"{POSTGRES}{options}",
            arguments,
        )
    finally:
        with psycopg.connect(POSTGRES, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
