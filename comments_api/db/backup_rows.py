"""The rows a backup holds, read and written in bulk (comments_api.comments.backup owns the file).

Threads, comments and reports, each in the order of its key; columns the database derives from
other rows (a thread's version and approved count) are left out and recounted on import.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Table, select, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session

from comments_api.db.tables import Comment, Report, Status, Thread, UTCDateTime
from comments_api.db.upsert import insert_for

__all__ = [
    "KINDS",
    "RowsRefused",
    "Snapshot",
    "columns_of",
    "recount_thread",
    "reset_id_sequences",
    "snapshot",
    "time_columns_of",
    "upsert_rows",
]

TABLES: dict[str, Table] = {
    "thread": Thread.__table__,  # type: ignore[dict-item]
    "comment": Comment.__table__,  # type: ignore[dict-item]
    "report": Report.__table__,  # type: ignore[dict-item]
}
# The kinds of record, in the order an export holds them.
KINDS = tuple(TABLES)
KEYS = {"thread": "key", "comment": "id", "report": "id"}
DERIVED = {"thread": {"version", "approved_count"}}


class RowsRefused(Exception):
    """The database refused to write the rows; `reason` is its first line of explanation."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def columns_of(kind: str) -> list[str]:
    """The stored columns of a kind of record, in table order (derived columns left out)."""
    skipped = DERIVED.get(kind, set())
    return [column.key for column in TABLES[kind].columns if column.key not in skipped]


def time_columns_of(kind: str) -> frozenset[str]:
    """The columns of a kind of record that hold a moment in time."""
    return frozenset(
        column.key for column in TABLES[kind].columns if isinstance(column.type, UTCDateTime)
    )


@dataclass(frozen=True)
class Snapshot:
    """Every backed-up table as of one moment, read in batches so memory stays bounded."""

    connection: Connection
    batch: int

    def revision(self) -> str | None:
        """The database's migration revision."""
        found = self.connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return None if found is None else str(found)

    def rows(self, kind: str) -> Iterator[Sequence[Any]]:
        """The rows of a kind, in key order, as values in the order of `columns_of(kind)`."""
        table = TABLES[kind]
        query = select(*(table.c[name] for name in columns_of(kind))).order_by(table.c[KEYS[kind]])
        streaming = self.connection.execution_options(yield_per=self.batch)
        yield from streaming.execute(query)


@contextmanager
def snapshot(engine: Engine, batch: int) -> Iterator[Snapshot]:
    """One read transaction, so that every table is read as of the same moment."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            yield Snapshot(connection, batch)


def upsert_rows(session: Session, kind: str, rows: Sequence[dict[str, Any]]) -> None:
    """Insert the rows, or overwrite the ones of the same key; `RowsRefused` writes none."""
    key = KEYS[kind]
    insert = insert_for(session, TABLES[kind])
    statement = insert.on_conflict_do_update(
        index_elements=[key],
        set_={name: insert.excluded[name] for name in columns_of(kind) if name != key},
    )
    try:
        with session.begin_nested():
            session.execute(statement, list(rows))
    except SQLAlchemyError as exc:
        reason = exc.orig if isinstance(exc, DBAPIError) else exc
        raise RowsRefused(str(reason).strip().splitlines()[0]) from None


def recount_thread(session: Session, thread_key: str) -> None:
    """Derive a thread's approved count again, and give it a new version."""
    session.execute(
        text(
            "UPDATE threads SET version = version + 1, approved_count = "
            "(SELECT count(*) FROM comments WHERE thread_key = :key AND status = :approved) "
            "WHERE key = :key"
        ),
        {"key": thread_key, "approved": Status.APPROVED.value},
    )


def reset_id_sequences(engine: Engine) -> None:
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
