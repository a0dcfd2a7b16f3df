"""Export and import: JSON lines with every stored field, in a stable order, round-tripping."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, TextIO

from sqlalchemy import Engine, Table, select, text
from sqlalchemy.orm import DeclarativeBase

from comments_api.models import Comment, Report, Status, Thread, UTCDateTime
from comments_api.storage import Storage

__all__ = ["FORMAT", "export_lines", "import_lines", "write_export"]

FORMAT = 1
# Derived columns are recomputed on import rather than trusted from the file.
DERIVED = {"threads": {"version", "approved_count"}}
KINDS: tuple[tuple[str, type[DeclarativeBase]], ...] = (
    ("thread", Thread),
    ("comment", Comment),
    ("report", Report),
)
ORDER = {"thread": Thread.key, "comment": Comment.id, "report": Report.id}


def _table(model: type[DeclarativeBase]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _columns(model: type[DeclarativeBase]) -> list[str]:
    table = _table(model)
    skipped = DERIVED.get(table.name, set())
    return [column.key for column in table.columns if column.key not in skipped]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _is_time(model: type[DeclarativeBase], name: str) -> bool:
    return isinstance(_table(model).columns[name].type, UTCDateTime)


def export_lines(storage: Storage) -> Iterator[str]:
    """One JSON object per line: a header, then threads by key, comments and reports by id."""
    yield json.dumps({"format": FORMAT, "kind": "header"}, sort_keys=True)
    with storage.reading() as session:
        for kind, model in KINDS:
            names = _columns(model)
            for record in session.scalars(select(model).order_by(ORDER[kind])):
                row = {name: _encode(getattr(record, name)) for name in names}
                yield json.dumps({"kind": kind, **row}, sort_keys=True, ensure_ascii=False)


def write_export(storage: Storage, out: TextIO) -> int:
    count = 0
    for line in export_lines(storage):
        out.write(line + "\n")
        count += 1
    return count - 1


def import_lines(storage: Storage, lines: Iterable[str]) -> dict[str, int]:
    """Insert or overwrite each record by its key; importing the same file twice is a no-op."""
    counts = {kind: 0 for kind, _ in KINDS}
    models = dict(KINDS)
    touched_threads: set[str] = set()
    with storage.writing() as session:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            record = json.loads(line)
            kind = record.pop("kind", None)
            if kind == "header":
                if record.get("format") != FORMAT:
                    raise ValueError(f"line {number}: unsupported export format {record!r}")
                continue
            if kind not in models:
                raise ValueError(f"line {number}: unknown kind {kind!r}")
            model = models[kind]
            names = set(_columns(model))
            values = {
                name: (
                    datetime.fromisoformat(value)
                    if value is not None and _is_time(model, name)
                    else value
                )
                for name, value in record.items()
                if name in names
            }
            identity = values[_table(model).primary_key.columns.keys()[0]]
            existing = session.get(model, identity)
            if existing is None:
                if model is Thread:
                    values.update(version=1, approved_count=0)
                session.add(model(**values))
            else:
                for name, value in values.items():
                    setattr(existing, name, value)
            if model is Comment:
                touched_threads.add(str(values["thread_key"]))
            elif model is Thread:
                touched_threads.add(str(values["key"]))
            session.flush()
            counts[kind] += 1
        for key in touched_threads:
            _recount(session, key)
    _reset_sequences(storage.engine)
    return counts


def _recount(session: Any, thread_key: str) -> None:
    session.execute(
        text(
            "UPDATE threads SET version = version + 1, approved_count = "
            "(SELECT count(*) FROM comments WHERE thread_key = :key AND status = :approved) "
            "WHERE key = :key"
        ),
        {"key": thread_key, "approved": Status.APPROVED.value},
    )


def _reset_sequences(engine: Engine) -> None:
    """PostgreSQL: make new ids follow the imported ones."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        for table in ("comments", "reports"):
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"GREATEST((SELECT max(id) FROM {table}), 1), "
                    f"(SELECT max(id) FROM {table}) IS NOT NULL)"
                )
            )
