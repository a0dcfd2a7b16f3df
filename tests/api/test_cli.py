"""The `comments-api` command, run as operators run it, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from comments_api import Settings
from tests.helpers import CliRun, cli_environment, cli_variables, comments_api_cli

pytestmark = pytest.mark.anyio


def run_cli(settings: Settings, *arguments: str, stdin: str | None = None) -> CliRun:
    """`comments-api ARGUMENTS` through its entry point, in this process; it must succeed."""
    variables = cli_variables(settings.database_url, settings.secret_key)
    data = stdin.encode("utf-8") if stdin is not None else None
    result = comments_api_cli(*arguments, env=variables, stdin=data)
    assert result.returncode == 0, result.stderr
    return result


def installed_command(settings: Settings, *arguments: str) -> subprocess.CompletedProcess[str]:
    """The `comments-api` program pip installed, in a process of its own."""
    program = Path(sys.executable).with_name("comments-api")
    assert program.is_file(), f"{program} is missing: pip install -e . installs it"
    return subprocess.run(
        [str(program), *arguments],
        env=cli_environment(settings.database_url, settings.secret_key),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_installed_command_migrates_and_is_idempotent(settings: Settings) -> None:
    first = installed_command(settings, "migrate")
    assert first.returncode == 0, first.stderr
    assert "up to date" in first.stdout
    assert run_cli(settings, "migrate").stdout == first.stdout


def test_the_installed_command_refuses_an_unknown_command(settings: Settings) -> None:
    refused = installed_command(settings, "frobnicate")
    assert refused.returncode == 2
    assert "invalid choice: 'frobnicate'" in refused.stderr


async def test_sync_threads_list_pending_and_approve(settings: Settings, tmp_path: Path) -> None:
    manifest = tmp_path / "threads.json"
    manifest.write_text(
        json.dumps(
            {
                "threads": [
                    {"key": "hello", "title": "Hello", "url": "/posts/hello.html", "closed": False}
                ]
            }
        )
    )
    assert "created 1" in run_cli(settings, "sync-threads", str(manifest)).stdout

    import httpx

    from comments_api import create_app

    app = create_app(settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://api.test"
    ) as client:
        created = await client.post(
            "/api/v1/threads/hello/comments",
            json={"author": "Cy", "email": "cy@example.org", "body": "Held for now"},
        )
        comment_id = created.json()["comment"]["id"]
        pending = run_cli(settings, "list-pending").stdout
        assert f"{comment_id}\thello" in pending
        assert "Held for now" in pending
        assert "cy@example.org" in pending  # operators see the address; the public never does

        assert "Approved" in run_cli(settings, "approve", str(comment_id)).stdout
        again = run_cli(settings, "approve", str(comment_id)).stdout  # exit 0: it is approved
        assert again == f"Comment {comment_id} is already approved; nothing changed.\n"
        listing = (await client.get("/api/v1/threads/hello/comments")).json()
        assert [c["id"] for c in listing["comments"]] == [comment_id]
        empty_queue = run_cli(settings, "list-pending").stdout
        assert empty_queue == "No comments are waiting for moderation.\n", "silence says nothing"
    app.state.service.storage.close()
    app.state.service.storage.engine.dispose()


async def test_export_import_export_round_trips_exactly(settings: Settings, tmp_path: Path) -> None:
    from dataclasses import replace

    import httpx

    from comments_api import create_app
    from tests.helpers import DEPLOY_TOKEN, new_postgres_schema

    app = create_app(replace(settings, moderation="publish"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("198.51.100.4", 1)),
        base_url="http://api.test",
    ) as client:
        await client.put(
            "/api/v1/threads",
            json={
                "threads": [
                    {"key": "a", "title": "A ü", "url": "/a.html", "closed": False},
                    {"key": "b", "title": "B", "url": "/b.html", "closed": True},
                ]
            },
            headers={"Authorization": f"Bearer {DEPLOY_TOKEN}"},
        )
        first = await client.post(
            "/api/v1/threads/a/comments",
            json={
                "author": "Dee",
                "email": "dee@example.org",
                "body": "Ünïcode *and* [a](https://x.org)",
                "website": "https://dee.example",
                "notify": True,
            },
        )
        first_id = first.json()["comment"]["id"]
        await client.post(
            "/api/v1/threads/a/comments",
            json={"author": "Eve", "email": "eve@example.org", "body": "reply", "parent": first_id},
        )
        await client.post(f"/api/v1/comments/{first_id}/report", json={"reason": "check"})
        await client.delete(
            f"/api/v1/comments/{first_id}", headers={"X-Edit-Token": first.json()["edit_token"]}
        )
    app.state.service.storage.close()
    app.state.service.storage.engine.dispose()

    exported = run_cli(settings, "export").stdout
    lines = exported.splitlines()
    assert len(lines) == 1 + 2 + 2 + 1 + 1  # header, threads, comments, report, trailer
    comment = json.loads(lines[3])
    assert comment["author_email"] == "dee@example.org"
    assert comment["status"] == "deleted"
    assert comment["withdrawn_at"], "the author's withdrawal travels with the comment"
    assert json.loads(lines[4])["withdrawn_at"] is None
    assert comment["edit_token_hash"] and comment["client_hash"]

    backup = tmp_path / "backup.jsonl"
    backup.write_text(exported)
    if settings.is_sqlite:
        empty = replace(settings, database_url=f"sqlite:///{tmp_path / 'restored.sqlite3'}")
        run_cli(empty, "import", str(backup))
        run_cli(empty, "import", str(backup))  # a second import changes nothing
        assert run_cli(empty, "export").stdout == exported
    else:
        with new_postgres_schema() as url:
            empty = replace(settings, database_url=url)
            run_cli(empty, "import", str(backup))
            run_cli(empty, "import", stdin=exported)
            assert run_cli(empty, "export").stdout == exported
