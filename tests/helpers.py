"""Helpers shared by every test folder: the CI rule, free ports, the databases, npm tools, axe-core.

The CI rule: when CI=true, a test that would skip because a service, browser or tool is
missing fails instead, so that a green CI run means every test really ran.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, chdir, contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
POSTGRES_URL = os.environ.get(
    "COMMENTS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("COMMENTS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
BUILD_TOKEN = "build-token-for-tests"
DEPLOY_TOKEN = "deploy-token-for-tests"


# The first post of the harness's manifest, and a comment every check accepts.
COMMENTS = "/api/v1/threads/first-post/comments"
GOOD = {"author": "Ada", "email": "ada@example.org", "body": "Hello"}


def assert_refused(response: Any, status: int, field: str | None) -> None:
    """The API's error body: this status, a detail, and (with `field`) that field named."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) >= {"detail", "errors"}
    assert isinstance(body["detail"], str) and body["detail"]
    if field is not None:
        fields = [error["field"] for error in body["errors"]]
        assert field in fields, body
        assert all(error["message"] for error in body["errors"])


def need(available: bool, reason: str) -> None:
    """Skip the test when something it needs is missing; in CI, fail instead."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


def cli_environment(database_url: str, secret_key: str) -> dict[str, str]:
    """The environment a `comments-api` process runs with in the tests: this checkout, these
    settings."""
    return {**os.environ, "PYTHONPATH": str(ROOT), **cli_variables(database_url, secret_key)}


@dataclass
class CliRun:
    """What `comments-api` answered: its exit status and what it wrote."""

    returncode: int
    stdout: str
    stderr: str


def comments_api_cli(
    *arguments: str | Path,
    env: dict[str, str],
    stdin: bytes | None = None,
    cwd: Path | None = None,
) -> CliRun:
    """`comments-api ARGUMENTS` run in this process through `cli.main`, as its entry point runs
    it, with these COMMENTS_* variables set and standard input and output of its own."""
    from unittest import mock

    from comments_api.cli import main

    out, err = io.BytesIO(), io.BytesIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    stderr = io.TextIOWrapper(err, encoding="utf-8", write_through=True)
    stdin_stream = io.TextIOWrapper(io.BytesIO(stdin or b""), encoding="utf-8")
    with ExitStack() as scope:
        scope.enter_context(mock.patch.dict(os.environ, env))
        scope.enter_context(mock.patch.object(sys, "stdin", stdin_stream))
        scope.enter_context(redirect_stdout(stdout))
        scope.enter_context(redirect_stderr(stderr))
        if cwd is not None:
            scope.enter_context(chdir(cwd))
        try:
            code = main([str(argument) for argument in arguments])
        except SystemExit as exit_:  # argparse refusing the arguments
            code = 0 if exit_.code is None else exit_.code if isinstance(exit_.code, int) else 1
    return CliRun(code, out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8"))


def cli_variables(database_url: str, secret_key: str, **more: str) -> dict[str, str]:
    """The COMMENTS_* variables `comments-api` runs with in the tests."""
    return {
        "COMMENTS_ENV": "test",
        "COMMENTS_DATABASE_URL": database_url,
        "COMMENTS_SECRET_KEY": secret_key,
        **more,
    }


def node_tool(relative_path: str) -> Path:
    """Path of a file installed by `npm ci` (see package.json), or skip/fail when absent."""
    path = NODE_MODULES / relative_path
    need(path.exists(), f"{relative_path} is missing: run `npm ci` (make test does)")
    return path


def java_available() -> bool:
    return shutil.which("java") is not None and (
        subprocess.run(["java", "-version"], capture_output=True).returncode == 0
    )


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.2 A/AA rules) on the page; return its violations."""
    page.add_script_tag(path=str(node_tool("axe-core/axe.min.js")))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return list(result["violations"])


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """Readable summary of axe violations for an assertion message."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['failureSummary']}")
    return "\n".join(lines)


@dataclass
class Reader:
    """A browser tab; collects uncaught page errors so tests can assert there were none."""

    page: Any
    errors: list[str] = field(default_factory=list)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by its relative path, with its bytes."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def differences(expected: Path, built: Path) -> list[str]:
    """What differs between two output trees: changed files, then missing and extra ones."""
    wanted, got = tree(expected), tree(built)
    changed = [name for name in wanted.keys() & got.keys() if wanted[name] != got[name]]
    return (
        sorted(changed)
        + [f"missing {name}" for name in sorted(wanted.keys() - got.keys())]
        + [f"extra {name}" for name in sorted(got.keys() - wanted.keys())]
    )
