"""Helpers for the API tests: PostgreSQL schemas, Redis, server processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.helpers import ROOT, free_port

POSTGRES_URL = os.environ.get(
    "COMMENTS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("COMMENTS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
BUILD_TOKEN = "build-token-for-tests"
DEPLOY_TOKEN = "deploy-token-for-tests"


def cli_environment(database_url: str, secret_key: str) -> dict[str, str]:
    """The environment `comments-api` runs with in the tests: this checkout, these settings."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "COMMENTS_ENV": "test",
        "COMMENTS_DATABASE_URL": database_url,
        "COMMENTS_SECRET_KEY": secret_key,
    }


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def postgres_available() -> bool:
    return _reachable("127.0.0.1", 5432)


def redis_available() -> bool:
    return _reachable("127.0.0.1", 6379)


@contextmanager
def new_postgres_schema() -> Iterator[str]:
    """A database URL whose connections live in a new, empty schema (dropped afterwards)."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:16]}"
    plain = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(plain, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


class ServerProcess:
    """`python -m comments_api serve` on a loopback port, as operators run it."""

    def __init__(self, env: dict[str, str], cwd: Path, workers: int = 1) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
        self.cwd = cwd
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None
        self.log = cwd / f"server-{self.port}.log"

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
            "warning",
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
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()}")
            try:
                if httpx.get(self.base_url + "/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.log.read_text()}")

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
