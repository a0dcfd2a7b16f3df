"""Dropping columns without copying tables, where SQLite can (3.35 and later)."""

from __future__ import annotations

import sqlite3

from alembic import op

__all__ = ["drop_plain_columns"]

NATIVE_DROP_COLUMN = sqlite3.sqlite_version_info >= (3, 35, 0)


def drop_plain_columns(table: str, *columns: str) -> None:
    """Drop columns that no index, key or constraint uses.

    SQLite's batch mode copies the table and drops the old one; with foreign keys on, that drop
    deletes every row first, which runs each reference's ON DELETE action (replies lost their
    parents) and checks each row's references one scan at a time (quadratic). SQLite's own
    DROP COLUMN rewrites the rows in place instead.
    """
    if op.get_bind().dialect.name != "sqlite" or NATIVE_DROP_COLUMN:
        for column in columns:
            op.drop_column(table, column)
        return
    # Older SQLite: copy the table; the copy must keep AUTOINCREMENT.
    with op.batch_alter_table(table, table_kwargs={"sqlite_autoincrement": True}) as batch:
        for column in columns:
            batch.drop_column(column)
