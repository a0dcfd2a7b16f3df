"""Isso 0.14, the most used self-hosted comment server, as the peer in `bench/api.py --vs-isso`.

Isso and gunicorn are installed into a virtual environment of their own under the system temp
folder (never into the project's), kept there for the next run. Isso is configured as people
run it (`gunicorn --preload isso.run`, its documented deployment) with the guard and moderation
off, as the rate limits and moderation of our server are off in the same benchmark.

What differs between the two APIs, for the same three scenarios:

- list: Isso `GET /?uri=/posts/0.html`; ours `GET /api/v1/threads/bench-0/comments`.
- counts: Isso `POST /count` with a JSON list of 50 URIs; ours `GET /api/v1/counts?thread=…`.
- create: Isso `POST /new?uri=/posts/1.html`; ours `POST /api/v1/threads/bench-1/comments`.
  Isso answers from SQLite opened anew for every statement; it has no PostgreSQL.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

import httpx

__all__ = [
    "ISSO_VERSION",
    "isso_command",
    "isso_environment",
    "seed_isso",
    "write_isso_config",
    "write_isso_scripts",
]

ISSO_VERSION = "0.14.0"
GUNICORN_REQUIREMENT = "gunicorn>=22"
FIRST_URI = "/posts/0.html"
COMMENT = {"author": "Load", "email": "load@example.org", "text": "A *new* comment under load."}


def isso_environment() -> Path:
    """A virtual environment with Isso and gunicorn, made once and reused (its bin/ folder)."""
    home = Path(tempfile.gettempdir()) / f"comments-bench-isso-{ISSO_VERSION}"
    ready = home / ".installed"
    if ready.exists():
        return home / "bin"
    print(f"installing Isso {ISSO_VERSION} and gunicorn into {home} (once)", flush=True)
    venv.create(home, with_pip=True, clear=True)
    subprocess.run(
        [
            str(home / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            f"isso=={ISSO_VERSION}",
            GUNICORN_REQUIREMENT,
        ],
        check=True,
    )
    ready.write_text(f"isso=={ISSO_VERSION}\n")
    return home / "bin"


def write_isso_config(folder: Path, site_url: str) -> Path:
    """Isso's settings: its database in `folder`, no guard (rate limits), no moderation."""
    config = folder / "isso.cfg"
    config.write_text(
        "[general]\n"
        f"dbpath = {folder / 'isso.sqlite3'}\n"
        f"host = {site_url}\n"
        "notify = stdout\n"
        "[moderation]\n"
        "enabled = false\n"
        "[guard]\n"
        "enabled = false\n"
        "[server]\n"
        "reload = false\n"
        "profile = false\n"
    )
    return config


def isso_command(bin_folder: Path, workers: int) -> list[str]:
    """gunicorn with sync workers, preloaded as Isso's deployment guide shows."""
    return [
        str(bin_folder / "gunicorn"),
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--preload",
        "--log-level",
        "warning",
        "isso.run",
    ]


def thread_uri(number: int) -> str:
    return f"/posts/{number}.html"


def seed_isso(base_url: str, first_thread_comments: list[dict[str, str]], threads: int) -> None:
    """The same data as ours: a thread with every comment given, one comment on each other."""
    posts = [(FIRST_URI, "Post 0", comment) for comment in first_thread_comments]
    posts += [(thread_uri(n), f"Post {n}", COMMENT) for n in range(1, threads)]
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for uri, title, comment in posts:
            posted = client.post("/new", params={"uri": uri}, json={**comment, "title": title})
            posted.raise_for_status()
            client.cookies.clear()  # Isso sets one edit cookie per comment: readers send none
        listing = client.get("/", params={"uri": FIRST_URI}).json()
    listed, posted = listing["total_replies"], len(first_thread_comments)
    if listed != posted:
        sys.exit(f"Isso lists {listed} comments of the {posted} posted")


def write_isso_scripts(folder: Path, threads: int) -> dict[str, tuple[str, Path | None]]:
    """wrk's path and script of each scenario against Isso."""
    counts = folder / "isso_counts.lua"
    counts.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f"wrk.body = {json.dumps(json.dumps([thread_uri(n) for n in range(threads)]))}\n"
    )
    create = folder / "isso_create.lua"
    create.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f"wrk.body = {json.dumps(json.dumps(COMMENT))}\n"
    )
    return {
        "list": (f"/?uri={FIRST_URI}", None),
        "counts": ("/count", counts),
        "create": (f"/new?uri={thread_uri(1)}", create),
    }
