"""The API run as operators run it: `python -m comments_api serve` in a process of its own.

The one process harness of the suite: the API tests start it directly (with `server_env`), and
the site and browser tests through `tests.live_site.CommentsApi`, which adds the site's side.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.helpers import DEPLOY_TOKEN, ROOT, free_port

# One thread, for the tests that only need somewhere to comment.
THREADS = {
    "threads": [{"key": "durable", "title": "Durable", "url": "/durable.html", "closed": False}]
}


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    """The settings of an API process that publishes at once, without rate limits."""
    return {
        "COMMENTS_ENV": "test",
        "COMMENTS_DATABASE_URL": database_url,
        "COMMENTS_SECRET_KEY": secrets.token_urlsafe(32),
        "COMMENTS_DEPLOY_TOKEN": DEPLOY_TOKEN,
        "COMMENTS_SITE_URL": "http://blog.test",
        "COMMENTS_MODERATION": "publish",
        "COMMENTS_RATE_LIMITS_ENABLED": "false",
        **extra,
    }


def sync(base_url: str) -> None:
    """Give the server the `THREADS` manifest, as a deploy does."""
    response = httpx.put(
        f"{base_url}/api/v1/threads",
        json=THREADS,
        headers={"Authorization": f"Bearer {DEPLOY_TOKEN}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text


def comment(number: int) -> dict[str, str]:
    return {
        "author": f"Writer {number}",
        "email": f"w{number}@example.org",
        "body": f"Comment number {number}",
    }


class ServerProcess:
    """`python -m comments_api serve` on a loopback port, as operators run it."""

    def __init__(
        self,
        env: dict[str, str],
        cwd: Path,
        workers: int = 1,
        *,
        port: int | None = None,
        log: Path | None = None,
        log_level: str = "warning",
    ) -> None:
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
        self.cwd = cwd
        self.workers = workers
        self.log_level = log_level
        self.process: subprocess.Popen[bytes] | None = None
        self.log = log or cwd / f"server-{self.port}.log"

    def start(self) -> ServerProcess:
        command = [
            sys.executable,
            "-m",
            "comments_api",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--log-level",
            self.log_level,
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        # One client for every try: making one costs more than asking (it loads the CA bundle).
        with httpx.Client(timeout=1) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"the comments API exited:\n{self.log.read_text()}")
                try:
                    if client.get(self.base_url + "/health").status_code == 200:
                        return self
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
        log = self.log.read_text()
        raise RuntimeError(f"the comments API did not answer /health in 30 s:\n{log}")

    def kill(self) -> None:
        """SIGKILL the whole process group: no shutdown hooks, no flushing."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
