"""Peak memory of `comments-api export` (and of `export --verify` and `import`) by database size.

    .venv/bin/python bench/export_memory.py                          # 0, 65,000 and 100,000
    .venv/bin/python bench/export_memory.py --comments 0 20000 --databases sqlite postgresql

For each size it makes a fresh database (a SQLite file, or a new schema on PostgreSQL at
127.0.0.1:5432), fills it with SQL (threads of 1,000 comments of about 500 characters each,
rendered HTML alongside), then runs each command as operators do, in a process of its own,
which reports its peak resident memory (VmHWM) as it ends: the kernel's figure for that program
alone (`wait4` would also count the process it was forked from). The baseline is the same
command on an empty database, run the same way in the same run: `vs empty` is the ratio, so a
streaming export stays near 1.0 however many comments there are. The import loads the export
into another empty database.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from comments_api.db.engine import create_database_engine, migrate  # noqa: E402
from comments_api.db.tables import Comment, Thread  # noqa: E402

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PER_THREAD = 1000
CHUNK = 5000
BODY = (
    "Thanks for writing this up. We tried the same change on our ward last spring and saw the "
    "same thing: the first fortnight was rough, then the handovers got shorter and calmer. "
    "Two things helped: a *single* checklist everyone signed, and a weekly ten-minute review. "
    "Has anyone measured whether the effect lasts beyond six months? [Our notes are "
    "here](https://example.org/notes) if they help."
)
STARTED = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass
class Run:
    database: str
    comments: int
    command: str
    peak_rss_mb: float
    seconds: float
    file_mb: float


@contextmanager
def empty_database(kind: str, folder: Path, name: str) -> Iterator[str]:
    """A URL of a new, empty database of that kind (dropped afterwards on PostgreSQL)."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / f'{name}.sqlite3'}"
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


def fill(url: str, comments: int) -> None:
    """Migrate, then insert the threads and comments with plain SQL, in chunks."""
    engine = create_database_engine(url, pool_size=1)
    migrate(engine)
    thread_keys = [f"post-{number}" for number in range(max(1, -(-comments // PER_THREAD)))]
    with engine.begin() as connection:
        connection.execute(
            insert(Thread),
            [
                {
                    "key": key,
                    "title": f"Post {key}",
                    "url": f"/posts/{key}.html",
                    "created_at": STARTED,
                    "published_at": STARTED,
                    "closed_at": None,
                    "retired_at": None,
                    "version": 1,
                    "approved_count": 0,
                }
                for key in thread_keys
            ],
        )
        for start in range(0, comments, CHUNK):
            connection.execute(
                insert(Comment),
                [
                    {
                        "id": number + 1,
                        "thread_key": thread_keys[number // PER_THREAD],
                        "parent_id": None,
                        "author_name": f"Reader {number}",
                        "author_email": f"reader{number}@example.org",
                        "author_url": None,
                        "user_id": None,
                        "member": False,
                        "verified": False,
                        "body_md": BODY,
                        "body_html": f"<p>{BODY}</p>",
                        "status": "approved",
                        "spam_score": 0.0,
                        "held_reasons": "",
                        "notify": False,
                        "client_hash": secrets.token_hex(32),
                        "edit_token_hash": None,
                        "created_at": STARTED + timedelta(seconds=number),
                        "edited_at": None,
                        "updated_at": STARTED + timedelta(seconds=number),
                        "withdrawn_at": None,
                    }
                    for number in range(start, min(start + CHUNK, comments))
                ],
            )
    engine.dispose()


# `comments-api ARGUMENTS`, then its own peak resident memory (kB) as the last line on stderr.
MEASURED = """
import sys
from comments_api.cli import main
code = main(sys.argv[1:])
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print("peak", peak.split()[1], file=sys.stderr)
raise SystemExit(code)
"""


def measure(url: str, *arguments: str) -> tuple[float, float]:
    """Run `comments-api ARGUMENTS` in its own process: (peak RSS in MB, seconds)."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "COMMENTS_ENV": "test",
        "COMMENTS_DATABASE_URL": url,
        "COMMENTS_SECRET_KEY": secrets.token_urlsafe(32),
    }
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", MEASURED, *arguments],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    seconds = time.monotonic() - started
    if result.returncode != 0:
        raise SystemExit(f"comments-api {' '.join(arguments)} failed: {result.stderr}")
    peak_kb = int(result.stderr.strip().splitlines()[-1].split()[1])
    return peak_kb / 1024, seconds


def runs_for(kind: str, comments: int, folder: Path) -> list[Run]:
    backup = folder / f"{kind}-{comments}.jsonl"
    with empty_database(kind, folder, f"source-{comments}") as source:
        fill(source, comments)
        export_rss, export_seconds = measure(source, "export", "-o", str(backup))
    size = backup.stat().st_size / 1e6
    verify_rss, verify_seconds = measure(source, "export", "--verify", str(backup))
    with empty_database(kind, folder, f"target-{comments}") as target:
        import_rss, import_seconds = measure(target, "import", str(backup))
    backup.unlink()
    return [
        Run(kind, comments, "export", export_rss, export_seconds, size),
        Run(kind, comments, "export --verify", verify_rss, verify_seconds, size),
        Run(kind, comments, "import", import_rss, import_seconds, size),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, nargs="+", default=[65_000, 100_000])
    parser.add_argument(
        "--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite"]
    )
    arguments = parser.parse_args()
    sizes = [0, *(size for size in arguments.comments if size)]
    results: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="export-memory-") as folder:
        for kind in arguments.databases:
            for comments in sizes:
                results.extend(runs_for(kind, comments, Path(folder)))
                print(f"  {kind}: {comments} comments measured", file=sys.stderr, flush=True)
    baseline = {(run.database, run.command): run.peak_rss_mb for run in results if not run.comments}
    print(
        f"{'database':<11}{'command':<17}{'comments':>9}{'peak RSS':>11}{'vs empty':>10}"
        f"{'seconds':>9}{'file':>10}"
    )
    for run in results:
        ratio = run.peak_rss_mb / baseline[(run.database, run.command)]
        print(
            f"{run.database:<11}{run.command:<17}{run.comments:>9}{run.peak_rss_mb:>8.1f} MB"
            f"{ratio:>10.2f}{run.seconds:>9.1f}{run.file_mb:>7.1f} MB"
        )


if __name__ == "__main__":
    main()
