"""`comments-api export` and `import`: what they tell the operator, and their exit codes."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from comments_api.comments.backup import (
    BackupRefused,
    export_to_file,
    import_file,
    verify_file,
    write_export,
)
from comments_api.db.storage import Storage

__all__ = ["add_backup_commands", "export_command", "import_command"]

# How often a long import says how far it has got.
PROGRESS_EVERY = 10_000


def add_backup_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The `export` and `import` subcommands and their options."""
    export = commands.add_parser(
        "export", help="write every record as JSON lines, ending in a checked trailer"
    )
    target = export.add_mutually_exclusive_group()
    target.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="file to replace once the export is complete (default stdout)",
    )
    target.add_argument(
        "--verify", type=Path, metavar="FILE", help="check a backup file without importing it"
    )
    restore = commands.add_parser(
        "import", help="load a checked export in one transaction (idempotent)"
    )
    restore.add_argument("file", type=Path, nargs="?", help="export file (default stdin)")


def export_command(arguments: argparse.Namespace, open_storage: Callable[[], Storage]) -> int:
    if arguments.verify is not None:
        return _verify(arguments.verify)
    storage = open_storage()
    if arguments.output is None:
        try:
            write_export(storage, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        except BrokenPipeError:
            # Whatever read the export stopped early; what it got has no trailer.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            print("comments-api: the export's reader stopped reading it", file=sys.stderr)
            return 1
        return 0
    try:
        summary = export_to_file(storage, arguments.output)
    except OSError as exc:
        print(f"comments-api: cannot write {arguments.output}: {exc.strerror}", file=sys.stderr)
        return 1
    print(
        f"Exported {summary.describe()} to {arguments.output} (sha256 {summary.sha256})",
        file=sys.stderr,
    )
    return 0


def _verify(path: Path) -> int:
    try:
        with path.open("rb") as source:
            summary = verify_file(source)
    except OSError as exc:
        print(f"comments-api: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 1
    except BackupRefused as refusal:
        print(f"comments-api: {path} is not a complete backup: {refusal}.", file=sys.stderr)
        return 1
    print(f"{path} is a complete backup: {summary.describe()} (sha256 {summary.sha256}).")
    return 0


def import_command(arguments: argparse.Namespace, open_storage: Callable[[], Storage]) -> int:
    name = str(arguments.file) if arguments.file else "standard input"
    try:
        with _seekable(arguments.file) as source:
            total = sum(verify_file(source).counts.values())
            source.seek(0)
            summary = import_file(open_storage(), source, _progress(total))
    except OSError as exc:
        print(f"comments-api: cannot read {name}: {exc.strerror}", file=sys.stderr)
        return 1
    except BackupRefused as refusal:
        print(
            f"comments-api: {name} was refused: {refusal}. "
            "Nothing was imported; the database is unchanged.",
            file=sys.stderr,
        )
        return 1
    print(f"{summary.describe()} imported")
    return 0


@contextmanager
def _seekable(path: Path | None) -> Iterator[BinaryIO]:
    """The file, or standard input copied to a temporary file: it is read twice."""
    if path is not None:
        with path.open("rb") as source:
            yield source
        return
    with tempfile.TemporaryFile() as spool:
        shutil.copyfileobj(sys.stdin.buffer, spool)
        spool.seek(0)
        yield spool


def _progress(total: int) -> Callable[[int], None]:
    reported = 0

    def report(loaded: int) -> None:
        nonlocal reported
        if loaded // PROGRESS_EVERY > reported // PROGRESS_EVERY:
            print(
                f"{loaded} of {total} records loaded (kept only if all of them are)",
                file=sys.stderr,
                flush=True,
            )
        reported = loaded

    return report
