"""Export and import: JSON lines with every stored field, in a stable order, round-tripping.

An export is a header line (with the database's migration revision), one line per record
(threads by key, then comments and reports by id) and a trailer that counts the records of each
kind and gives the SHA-256 of every line before it. An import checks all of that while it
loads, in one transaction: a file that was cut short or changed is refused and changes nothing.

A backup made before members chose their names (revision 0008; older exports name no revision)
carries names taken from members' addresses on their comments: those are imported as "Member".
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from comments_api.db.backup_rows import (
    KINDS,
    RowsRefused,
    columns_of,
    recount_thread,
    reset_id_sequences,
    snapshot,
    time_columns_of,
    upsert_rows,
)
from comments_api.db.bans import accounts_by_id
from comments_api.db.storage import Storage
from comments_api.db.tables import UNCHOSEN_NAME

__all__ = [
    "FORMAT",
    "BackupRefused",
    "BackupSummary",
    "export_lines",
    "export_to_file",
    "import_file",
    "import_lines",
    "verify_file",
    "write_export",
]

FORMAT = 2
# Columns added after backups were first made, and what an older backup's rows get.
ADDED_LATER: dict[str, dict[str, Any]] = {"thread": {"summary": ""}}
# Rows fetched from the database, and written to it, at a time: memory stays bounded.
BATCH = 1000
INCOMPLETE = "the file is incomplete (an export that was stopped, or a partial copy)"
# From this migration on, members choose their names; before it, they were derived.
NAMES_CHOSEN_REVISION = 8


class BackupRefused(Exception):
    """A file that is not a complete, unchanged export; the message says what is wrong."""

    def __init__(self, *problems: str) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class BackupSummary:
    """What a trailer states: the records of each kind and the checksum of the lines."""

    counts: dict[str, int]
    sha256: str

    def describe(self) -> str:
        return ", ".join(_amount(count, kind) for kind, count in self.counts.items())


def _amount(count: int, kind: str) -> str:
    return f"{count} {kind}" if count == 1 else f"{count} {kind}s"


class _Tally:
    """Counts the records of each kind and hashes every line, as the trailer states them."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.counts = dict.fromkeys(KINDS, 0)

    def add(self, line: str, kind: str | None = None) -> str:
        self.digest.update(line.encode("utf-8") + b"\n")
        if kind is not None:
            self.counts[kind] += 1
        return line

    def summary(self) -> BackupSummary:
        return BackupSummary(dict(self.counts), self.digest.hexdigest())

    def trailer(self) -> str:
        fields = {"counts": self.counts, "kind": "trailer", "sha256": self.digest.hexdigest()}
        return json.dumps(fields, sort_keys=True)


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


# --- export --------------------------------------------------------------------------------


def export_lines(storage: Storage) -> Iterator[str]:
    """The export, line by line (without line ends): header, records, trailer."""
    return _export(storage, _Tally())


def _export(storage: Storage, tally: _Tally) -> Iterator[str]:
    with snapshot(storage.engine, BATCH) as rows:
        header = {"format": FORMAT, "kind": "header", "revision": rows.revision()}
        yield tally.add(json.dumps(header, sort_keys=True))
        for kind in KINDS:
            names = columns_of(kind)
            for row in rows.rows(kind):
                record = {"kind": kind, **{n: _encode(v) for n, v in zip(names, row, strict=True)}}
                yield tally.add(json.dumps(record, sort_keys=True, ensure_ascii=False), kind)
    yield tally.trailer()


def write_export(storage: Storage, out: BinaryIO) -> BackupSummary:
    """Stream the export into `out` (UTF-8); returns what its trailer states."""
    tally = _Tally()
    for line in _export(storage, tally):
        out.write(line.encode("utf-8") + b"\n")
    return tally.summary()


def export_to_file(storage: Storage, target: Path) -> BackupSummary:
    """Write beside `target`, sync, then rename over it: a crash leaves the old file whole."""
    folder = target.parent
    descriptor, partial = tempfile.mkstemp(dir=folder, prefix=f"{target.name}.", suffix=".partial")
    try:
        with open(descriptor, "wb", buffering=1 << 20) as out:
            summary = write_export(storage, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    _sync_folder(folder)
    return summary


def _sync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable."""
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# --- checking ------------------------------------------------------------------------------


class _Checker:
    """Reads an export line by line and says what is wrong with it, if anything."""

    def __init__(self) -> None:
        self.tally = _Tally()
        self.line = 0
        self.header: dict[str, Any] = {}
        self.trailer: dict[str, Any] | None = None

    def read(self, raw: bytes) -> dict[str, Any] | None:
        """The record on this line, or None for the header and the trailer."""
        self.line += 1
        number = self.line
        if self.trailer is not None:
            raise BackupRefused(f"line {number} follows the trailer: the file was added to")
        try:
            line = raw.removesuffix(b"\n").decode("utf-8")
            record = json.loads(line)
        except (UnicodeDecodeError, ValueError, RecursionError):
            if not raw.endswith(b"\n"):
                raise BackupRefused(f"line {number} is cut off: {INCOMPLETE}") from None
            raise BackupRefused(f"line {number} is not JSON") from None
        kind = record.get("kind") if isinstance(record, dict) else None
        if number == 1:
            _check_header(record if kind == "header" else None)
            self.header = record
            self.tally.add(line)
            return None
        if kind == "trailer":
            self.trailer = record
            return None
        if kind not in KINDS:
            raise BackupRefused(f"line {number} is not a record of an export (kind {kind!r})")
        self.tally.add(line, kind)
        assert isinstance(record, dict)
        return record

    def finish(self) -> BackupSummary:
        """What the file holds, once its trailer agrees with every line before it."""
        if self.line == 0:
            raise BackupRefused("the file is empty")
        if self.trailer is None:
            raise BackupRefused(
                f"the file ends at line {self.line} without the trailer an export ends with: "
                + INCOMPLETE
            )
        held = self.tally.summary()
        stated, checksum = self.trailer.get("counts"), self.trailer.get("sha256")
        if not isinstance(stated, dict) or not isinstance(checksum, str):
            raise BackupRefused(f"line {self.line}: the trailer lacks its counts or checksum")
        problems = [
            f"the trailer counts {_amount(stated.get(kind, 0), kind)}, the file holds {count}"
            for kind, count in held.counts.items()
            if stated.get(kind, 0) != count
        ]
        if checksum != held.sha256:
            problems.append(
                "the checksum does not match: lines were changed, added or removed after the export"
            )
        if problems:
            raise BackupRefused(*problems)
        return held


def _check_header(header: dict[str, Any] | None) -> None:
    if header is None:
        raise BackupRefused("line 1 is not the header of an export")
    if header.get("format") != FORMAT:
        raise BackupRefused(
            f"it is an export of format {header.get('format')!r}; this version reads format "
            f"{FORMAT} (format 1 had no trailer, so it cannot be checked: export again)"
        )


def verify_file(source: Iterable[bytes]) -> BackupSummary:
    """Check a whole export without importing it."""
    checker = _Checker()
    for raw in source:
        checker.read(raw)
    return checker.finish()


# --- import --------------------------------------------------------------------------------


def import_file(
    storage: Storage, source: Iterable[bytes], progress: Callable[[int], None] | None = None
) -> BackupSummary:
    """Insert or overwrite each record by its key, in one transaction checked as it goes.

    Importing the same file twice changes nothing; `progress` hears how many records are in.
    """
    checker = _Checker()
    touched_threads: set[str] = set()
    loaded = 0
    with storage.writing() as session:
        for kind, batch in _batches(checker, source):
            if kind == "comment" and _names_were_derived(checker.header):
                _withdraw_derived_names(session, batch)
            _upsert(session, kind, batch)
            if kind == "thread":
                touched_threads.update(str(values["key"]) for _, values in batch)
            elif kind == "comment":
                touched_threads.update(str(values["thread_key"]) for _, values in batch)
            loaded += len(batch)
            if progress is not None:
                progress(loaded)
        summary = checker.finish()  # a refusal here rolls everything back
        for key in sorted(touched_threads):
            recount_thread(session, key)
    reset_id_sequences(storage.engine)
    return summary


def import_lines(storage: Storage, lines: Iterable[str]) -> BackupSummary:
    """Import lines such as `export_lines` gives (line ends optional)."""
    return import_file(storage, (line.removesuffix("\n").encode() + b"\n" for line in lines))


def _batches(
    checker: _Checker, source: Iterable[bytes]
) -> Iterator[tuple[str, list[tuple[int, dict[str, Any]]]]]:
    """Checked records as column values, in runs of one kind, with their line numbers."""
    kind = ""
    batch: list[tuple[int, dict[str, Any]]] = []
    for raw in source:
        record = checker.read(raw)
        if record is None:
            continue
        if batch and (record["kind"] != kind or len(batch) >= BATCH):
            yield kind, batch
            batch = []
        kind = record["kind"]
        batch.append((checker.line, _values(kind, record, checker.line)))
    if batch:
        yield kind, batch


def _values(kind: str, record: dict[str, Any], number: int) -> dict[str, Any]:
    times = time_columns_of(kind)
    values: dict[str, Any] = {}
    for name in columns_of(kind):
        if name not in record and name in ADDED_LATER.get(kind, {}):
            values[name] = ADDED_LATER[kind][name]  # a backup made before the column existed
            continue
        if name not in record:
            raise BackupRefused(f"line {number}: the {kind} has no {name!r}")
        value = record[name]
        if value is not None and name in times:
            try:
                value = datetime.fromisoformat(value)
            except (TypeError, ValueError):
                raise BackupRefused(f"line {number}: {name} is not a time") from None
        values[name] = value
    if kind == "thread":
        values.update(version=1, approved_count=0)  # recounted once everything is in
    return values


def _names_were_derived(header: dict[str, Any]) -> bool:
    revision = header.get("revision")
    if revision is None:
        return True
    return str(revision).isdigit() and int(revision) < NAMES_CHOSEN_REVISION


def _derived_name(email: str) -> str:
    """The name the service gave a new member before they chose: their address before the @."""
    return email.split("@", 1)[0][:80] or "member"


def _withdraw_derived_names(session: Session, batch: list[tuple[int, dict[str, Any]]]) -> None:
    """Members' comments named after their address show "Member", as migration 0008 did."""
    user_ids = {values["user_id"] for _, values in batch if values.get("user_id") is not None}
    if not user_ids:
        return
    members = {user.id: user for user in accounts_by_id(session, sorted(user_ids))}
    for _, values in batch:
        user_id, name = values.get("user_id"), str(values.get("author_name") or "")
        if user_id is None:
            continue  # a guest typed their name
        member = members.get(user_id)
        if member is not None and member.name_chosen and member.display_name == name:
            continue  # the member has since chosen this very name
        addresses = [values.get("author_email"), member.email if member is not None else None]
        derived = {_derived_name(str(address)).casefold() for address in addresses if address}
        if name.casefold() in derived:
            values["author_name"] = UNCHOSEN_NAME


def _upsert(session: Session, kind: str, batch: list[tuple[int, dict[str, Any]]]) -> None:
    """Write a batch; if the database refuses it, find and name the line it refused."""
    try:
        upsert_rows(session, kind, [values for _, values in batch])
        return
    except RowsRefused:
        pass
    for number, values in batch:
        try:
            upsert_rows(session, kind, [values])
        except RowsRefused as refused:
            raise BackupRefused(
                f"line {number}: the database refused this {kind} ({refused.reason})"
            ) from None
    raise AssertionError("a batch was refused but none of its records")  # pragma: no cover
