"""Backups an operator can trust: `comments-api export`, `export --verify` and `import`.

Run through the command's entry point (`cli.main`, in this process), and killed in a process of
its own for the crash tests, on SQLite and PostgreSQL, against databases seeded directly with
SQL so that large ones take a second, not minutes.
"""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import delete, insert, select, text, update

from comments_api import Settings
from comments_api.db.engine import alembic_config, create_database_engine, migrate
from comments_api.db.tables import Comment, Report, Thread
from tests.helpers import (
    CliRun,
    cli_environment,
    cli_variables,
    comments_api_cli,
    new_postgres_schema,
)

LARGE = 20_000
BODY = "A comment long enough to look like one that people write, with *some* Markdown. " * 6
STARTED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


# --- databases -----------------------------------------------------------------------------


def seed(
    database_url: str, comments: int, prefix: str = "post", first_id: int | None = None
) -> None:
    """Threads, comments (a reply among them) and a report, inserted in one transaction."""
    engine = create_database_engine(database_url, pool_size=1)
    migrate(engine)
    threads = [f"{prefix}-{number}" for number in range(10)]
    with engine.begin() as connection:
        connection.execute(
            insert(Thread),
            [
                {
                    "key": key,
                    "title": f"Post {key} ü",
                    "url": f"/posts/{key}.html",
                    "created_at": STARTED,
                    "published_at": STARTED,
                    "closed_at": None,
                    "retired_at": None,
                    "version": 1,
                    "approved_count": 0,
                }
                for key in threads
            ],
        )
        if first_id is None:
            first_id = connection.execute(
                text("SELECT coalesce(max(id), 0) FROM comments")
            ).scalar()
        connection.execute(
            insert(Comment),
            [
                {
                    "id": first_id + number + 1,
                    "thread_key": threads[number % len(threads)],
                    "parent_id": first_id + 1 if number == 1 else None,
                    "author_name": f"Reader {number}",
                    "author_email": f"r{number}@example.org",
                    "author_url": None,
                    "user_id": None,
                    "member": False,
                    "verified": False,
                    "body_md": BODY,
                    "body_html": f"<p>{BODY}</p>",
                    "status": "approved",
                    "spam_score": 0.25,
                    "held_reasons": "",
                    "notify": False,
                    "client_hash": "c" * 64,
                    "edit_token_hash": None,
                    "created_at": STARTED + timedelta(seconds=number),
                    "edited_at": None,
                    "updated_at": STARTED + timedelta(seconds=number),
                    "withdrawn_at": None,
                }
                for number in range(comments)
            ],
        )
        connection.execute(
            insert(Report),
            [
                {
                    "id": first_id + 1,
                    "comment_id": first_id + 1,
                    "reason": "Check this",
                    "client_hash": None,
                    "created_at": STARTED,
                    "resolved_at": None,
                }
            ],
        )
    engine.dispose()


def change_something(database_url: str) -> None:
    """What happens after a backup: a comment goes, a title changes, a comment arrives."""
    engine = create_database_engine(database_url, pool_size=1)
    with engine.begin() as connection:
        newest = connection.execute(text("SELECT max(id) FROM comments")).scalar()
        connection.execute(delete(Report))
        connection.execute(delete(Comment).where(Comment.id == newest))
        connection.execute(update(Thread).where(Thread.key == "post-1").values(title="Renamed"))
    engine.dispose()
    seed(database_url, 1, prefix="later")


def database_state(database_url: str) -> list[tuple[Any, ...]]:
    """Every row of the exported tables, in a stable order."""
    engine = create_database_engine(database_url, pool_size=1)
    with engine.connect() as connection:
        rows = [
            tuple(row)
            for table in ("threads", "comments", "reports")
            for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY 1"))
        ]
    engine.dispose()
    return rows


@contextmanager
def another_database(settings: Settings, folder: Path) -> Iterator[Settings]:
    """Settings for a second, empty database of the same kind."""
    if settings.is_sqlite:
        yield replace(settings, database_url=f"sqlite:///{folder / 'other.sqlite3'}")
        return
    with new_postgres_schema() as url:
        yield replace(settings, database_url=url)


# --- the command ---------------------------------------------------------------------------


def command(*arguments: str | Path) -> list[str]:
    return [sys.executable, "-m", "comments_api", *map(str, arguments)]


def comments_api(settings: Settings, *arguments: str | Path, stdin: bytes | None = None) -> CliRun:
    variables = cli_variables(settings.database_url, settings.secret_key)
    return comments_api_cli(*arguments, env=variables, stdin=stdin)


def succeeds(settings: Settings, *arguments: str | Path, stdin: bytes | None = None) -> CliRun:
    result = comments_api(settings, *arguments, stdin=stdin)
    assert result.returncode == 0, result.stderr
    return result


def start(settings: Settings, log: Path, *arguments: str | Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        return subprocess.Popen(
            command(*arguments),
            env=cli_environment(settings.database_url, settings.secret_key),
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def kill_when(process: subprocess.Popen[bytes], ready: Callable[[], bool], what: str) -> None:
    """SIGKILL the process as soon as `ready()` holds; fail if it ended first."""
    deadline = time.monotonic() + 120
    while not ready():
        assert process.poll() is None, f"the command ended before {what}: seed more rows"
        assert time.monotonic() < deadline, f"waited two minutes for {what}"
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


# --- the trailer ---------------------------------------------------------------------------


def test_an_export_ends_with_counts_and_a_checksum_of_every_line_before(
    settings: Settings, tmp_path: Path
) -> None:
    seed(settings.database_url, 25)
    backup = tmp_path / "comments.jsonl"
    result = succeeds(settings, "export", "-o", backup)
    assert "25 comments" in result.stderr

    data = backup.read_bytes()
    *records, trailer_line = data.splitlines(keepends=True)
    trailer = json.loads(trailer_line)
    assert trailer["kind"] == "trailer"
    assert trailer["counts"] == {"thread": 10, "comment": 25, "report": 1}
    assert trailer["sha256"] == hashlib.sha256(b"".join(records)).hexdigest()
    assert backup.stat().st_mode & 0o077 == 0, "a backup holds addresses: owner only"
    assert not [path for path in tmp_path.iterdir() if path.name.endswith(".partial")]

    to_stdout = succeeds(settings, "export").stdout.encode()
    assert to_stdout == data, "stdout gets the same file, trailer and all"


def test_verify_checks_a_backup_without_opening_the_database(
    settings: Settings, tmp_path: Path
) -> None:
    seed(settings.database_url, 25)
    backup = tmp_path / "comments.jsonl"
    succeeds(settings, "export", "-o", backup)

    nowhere = replace(settings, database_url=f"sqlite:///{tmp_path / 'absent' / 'x.sqlite3'}")
    checked = succeeds(nowhere, "export", "--verify", backup)
    assert "complete backup" in checked.stdout
    assert "10 threads, 25 comments, 1 report" in checked.stdout
    assert not (tmp_path / "absent").exists()


# --- damaged files are refused -----------------------------------------------------------


def cut_mid_line(data: bytes) -> bytes:
    lines = data.splitlines(keepends=True)
    return b"".join(lines[:5]) + lines[5][:20]


def cut_at_a_line_end(data: bytes) -> bytes:
    return b"".join(data.splitlines(keepends=True)[:5])


def without_trailer(data: bytes) -> bytes:
    return b"".join(data.splitlines(keepends=True)[:-1])


def one_record_changed(data: bytes) -> bytes:
    return data.replace(b'"Reader 3"', b'"Mallory"', 1)


def one_record_removed(data: bytes) -> bytes:
    lines = data.splitlines(keepends=True)
    return b"".join(lines[:12] + lines[13:])


def trailer_count_changed(data: bytes) -> bytes:
    *records, trailer_line = data.splitlines(keepends=True)
    trailer = json.loads(trailer_line)
    trailer["counts"]["comment"] += 1
    return b"".join(records) + json.dumps(trailer, sort_keys=True).encode() + b"\n"


def emptied(data: bytes) -> bytes:
    return b""


def not_an_export(data: bytes) -> bytes:
    return b"threads,comments\n1,2\n"


DAMAGES = {
    "cut in the middle of a line": (cut_mid_line, "incomplete"),
    "cut at the end of a line": (cut_at_a_line_end, "incomplete"),
    "trailer missing": (without_trailer, "incomplete"),
    "a record changed": (one_record_changed, "checksum does not match"),
    "a record removed": (one_record_removed, "the trailer counts 25 comments, the file holds 24"),
    "a count changed": (trailer_count_changed, "the trailer counts 26 comments, the file holds 25"),
    "empty": (emptied, "the file is empty"),
    "not an export": (not_an_export, "line 1 is not JSON"),
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_backup_is_refused_by_verify_and_by_import_and_changes_nothing(
    settings: Settings, tmp_path: Path, damage: str
) -> None:
    damaged_by, complaint = DAMAGES[damage]
    seed(settings.database_url, 25)
    backup = tmp_path / "comments.jsonl"
    succeeds(settings, "export", "-o", backup)
    change_something(settings.database_url)
    before = database_state(settings.database_url)
    damaged = tmp_path / "damaged.jsonl"
    damaged.write_bytes(damaged_by(backup.read_bytes()))

    verified = comments_api(settings, "export", "--verify", damaged)
    assert verified.returncode == 1, verified.stdout
    assert complaint in verified.stderr
    assert str(damaged) in verified.stderr

    refused = comments_api(settings, "import", damaged)
    assert refused.returncode == 1, refused.stdout
    assert complaint in refused.stderr
    assert "Nothing was imported" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert database_state(settings.database_url) == before


def test_standard_input_is_checked_the_same_way(settings: Settings, tmp_path: Path) -> None:
    seed(settings.database_url, 25)
    exported = succeeds(settings, "export").stdout.encode()
    change_something(settings.database_url)
    before = database_state(settings.database_url)

    refused = comments_api(settings, "import", stdin=cut_mid_line(exported))
    assert refused.returncode == 1, refused.stdout
    assert "standard input was refused: line 6 is cut off" in refused.stderr
    assert database_state(settings.database_url) == before

    assert "25 comments" in succeeds(settings, "import", stdin=exported).stdout
    assert database_state(settings.database_url) != before, "the intact export does import"


def test_an_import_that_fails_part_way_changes_nothing(settings: Settings, tmp_path: Path) -> None:
    seed(settings.database_url, 25)
    backup = tmp_path / "comments.jsonl"
    succeeds(settings, "export", "-o", backup)
    change_something(settings.database_url)
    before = database_state(settings.database_url)
    # A well-formed file whose last comment belongs to a thread that is not in it.
    *records, _trailer = backup.read_bytes().splitlines(keepends=True)
    last_comment = max(i for i, line in enumerate(records) if b'"kind": "comment"' in line)
    records[last_comment] = records[last_comment].replace(b'"post-', b'"missing-', 1)
    counts = {"thread": 10, "comment": 25, "report": 1}
    trailer = {
        "counts": counts,
        "kind": "trailer",
        "sha256": hashlib.sha256(b"".join(records)).hexdigest(),
    }
    inconsistent = tmp_path / "inconsistent.jsonl"
    inconsistent.write_bytes(b"".join(records) + json.dumps(trailer).encode() + b"\n")

    refused = comments_api(settings, "import", inconsistent)
    assert refused.returncode == 1, refused.stdout
    assert "Nothing was imported" in refused.stderr
    assert f"line {last_comment + 1}" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert database_state(settings.database_url) == before


# --- crashes -------------------------------------------------------------------------------


def test_a_killed_export_leaves_the_previous_backup_intact(
    settings: Settings, tmp_path: Path
) -> None:
    seed(settings.database_url, LARGE)
    folder = tmp_path / "backups"
    folder.mkdir()
    backup = folder / "comments.jsonl"
    succeeds(settings, "export", "-o", backup)
    previous = backup.read_bytes()
    change_something(settings.database_url)

    def writing() -> bool:
        others = [path for path in folder.iterdir() if path != backup]
        return backup.stat().st_size != len(previous) or any(
            path.stat().st_size > 0 for path in others
        )

    export = start(settings, tmp_path / "export.log", "export", "-o", backup)
    kill_when(export, writing, "the export started writing")

    assert backup.read_bytes() == previous
    assert "complete backup" in succeeds(settings, "export", "--verify", backup).stdout
    for leftover in (path for path in folder.iterdir() if path != backup):
        checked = comments_api(settings, "export", "--verify", leftover)
        assert checked.returncode == 1 and "incomplete" in checked.stderr

    succeeds(settings, "export", "-o", backup)
    assert backup.read_bytes() != previous, "the next export replaces it"


def test_a_killed_import_leaves_the_database_as_before(settings: Settings, tmp_path: Path) -> None:
    with another_database(settings, tmp_path) as source:
        seed(source.database_url, LARGE)
        backup = tmp_path / "comments.jsonl"
        succeeds(source, "export", "-o", backup)
    seed(settings.database_url, 3, prefix="here", first_id=LARGE + 100)
    before = database_state(settings.database_url)
    log = tmp_path / "import.log"

    restore = start(settings, log, "import", backup)
    kill_when(restore, lambda: "records loaded" in log.read_text(), "the import loaded rows")

    assert database_state(settings.database_url) == before
    imported = succeeds(settings, "import", backup)
    assert f"{LARGE} comments" in imported.stdout
    assert len(database_state(settings.database_url)) == len(before) + 10 + LARGE + 1


# --- names taken from addresses ----------------------------------------------------------


def add_member_comments(database_url: str) -> None:
    """Two members' comments, one named after the address (as before 0008), and a guest's."""
    seed(database_url, 1)
    engine = create_database_engine(database_url, pool_size=1)
    authors = [
        (1, "grace", "grace@example.org"),  # the name the service used to derive
        (2, "Ada Lovelace", "ada@example.org"),  # a name the member chose
        (None, "bob", "bob@example.org"),  # a guest typed it
    ]
    with engine.begin() as connection:
        template = dict(connection.execute(select(Comment.__table__)).mappings().one())
        connection.execute(
            insert(Comment),
            [
                {
                    **template,
                    "id": 100 + number,
                    "author_name": name,
                    "author_email": email,
                    "user_id": user_id,
                    "member": user_id is not None,
                }
                for number, (user_id, name, email) in enumerate(authors)
            ],
        )
    engine.dispose()


def names_shown(database_url: str) -> list[str]:
    engine = create_database_engine(database_url, pool_size=1)
    with engine.connect() as connection:
        names = connection.execute(
            select(Comment.author_name).where(Comment.id >= 100).order_by(Comment.id)
        ).scalars()
        result = list(names)
    engine.dispose()
    return result


def with_header(data: bytes, header: dict[str, Any]) -> bytes:
    """The same export with another header line (and a trailer that agrees with it)."""
    _, *records, trailer_line = data.splitlines(keepends=True)
    lines = [json.dumps(header, sort_keys=True).encode() + b"\n", *records]
    trailer = json.loads(trailer_line)
    trailer["sha256"] = hashlib.sha256(b"".join(lines)).hexdigest()
    return b"".join(lines) + json.dumps(trailer, sort_keys=True).encode() + b"\n"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ({"format": 2, "kind": "header"}, ["Member", "Ada Lovelace", "bob"]),
        ({"format": 2, "kind": "header", "revision": "0007"}, ["Member", "Ada Lovelace", "bob"]),
        ({"format": 2, "kind": "header", "revision": "0008"}, ["grace", "Ada Lovelace", "bob"]),
    ],
    ids=["no revision", "before 0008", "from 0008"],
)
def test_a_backup_from_before_chosen_names_shows_member_for_names_taken_from_addresses(
    settings: Settings, tmp_path: Path, header: dict[str, Any], expected: list[str]
) -> None:
    add_member_comments(settings.database_url)
    backup = tmp_path / "comments.jsonl"
    succeeds(settings, "export", "-o", backup)
    revisions = ScriptDirectory.from_config(alembic_config(settings.database_url))
    newest = revisions.get_current_head()
    assert json.loads(backup.read_bytes().splitlines()[0])["revision"] == newest
    older = tmp_path / "older.jsonl"
    older.write_bytes(with_header(backup.read_bytes(), header))
    with another_database(settings, tmp_path) as other:
        succeeds(other, "import", older)
        assert names_shown(other.database_url) == expected
