"""The app harness starts each app on a copy of a migrated database: the copy must be exactly
what the migrations build, or every in-process test would run on a schema nobody ships."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, inspect, select, text

from comments_api.db.engine import create_database_engine, migrate
from comments_api.db.tables import SpamModelVersion, SpamToken
from comments_api.moderation.spam_model import SpamModelStore
from tests.harness import start_migrated
from tests.helpers import POSTGRES_URL, need, new_postgres_schema, postgres_available


def schema_of(engine: Engine) -> dict[str, Any]:
    """Every table's columns, keys, indexes and constraints, and the revision it is at."""
    with engine.connect() as connection:
        found = inspect(connection)
        tables = {
            table: {
                "columns": [
                    (c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                    for c in found.get_columns(table)
                ],
                "primary key": found.get_pk_constraint(table),
                "foreign keys": found.get_foreign_keys(table),
                "indexes": sorted(found.get_indexes(table), key=lambda index: str(index["name"])),
                "unique": found.get_unique_constraints(table),
                "checks": found.get_check_constraints(table),
            }
            for table in sorted(found.get_table_names())
        }
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        if connection.dialect.name == "sqlite":
            tables["sqlite_master"] = connection.execute(
                text("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")
            ).all()
    return {"tables": tables, "revision": revision}


def built_both_ways(first_url: str, second_url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    migrated = create_database_engine(first_url, 1)
    copied = create_database_engine(second_url, 1)
    try:
        migrate(migrated)
        start_migrated(copied)
        return schema_of(migrated), schema_of(copied)
    finally:
        migrated.dispose()
        copied.dispose()


def test_the_sqlite_copy_is_the_migrated_schema(tmp_path: Any) -> None:
    migrated, copied = built_both_ways(
        f"sqlite:///{tmp_path / 'migrated.sqlite3'}", f"sqlite:///{tmp_path / 'copy.sqlite3'}"
    )
    assert len(migrated["tables"]) > 10
    assert copied == migrated


@pytest.mark.postgres
def test_the_postgresql_copy_is_the_migrated_schema() -> None:
    need(postgres_available(), f"PostgreSQL is not reachable at {POSTGRES_URL}")
    with new_postgres_schema() as first, new_postgres_schema() as second:
        migrated, copied = built_both_ways(first, second)
    assert len(migrated["tables"]) > 10
    assert copied == migrated


def test_a_database_with_tables_is_left_as_it_is(database_url: str) -> None:
    engine = create_database_engine(database_url, 1)
    try:
        migrate(engine, "0001")
        start_migrated(engine)
        with engine.connect() as connection:
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).one()
    finally:
        engine.dispose()
    assert revision == ("0001",)


def test_the_sqlite_copy_holds_the_counts_a_first_comment_would_store(tmp_path: Any) -> None:
    seeded = create_database_engine(f"sqlite:///{tmp_path / 'seeded.sqlite3'}", 1)
    copied = create_database_engine(f"sqlite:///{tmp_path / 'copy.sqlite3'}", 1)
    try:
        migrate(seeded)
        SpamModelStore(seeded).current()  # what the first comment's screening does
        start_migrated(copied)
        found = [spam_counts_of(engine) for engine in (seeded, copied)]
    finally:
        seeded.dispose()
        copied.dispose()
    assert len(found[0]["tokens"]) > 1000
    assert found[1] == found[0]


def spam_counts_of(engine: Engine) -> dict[str, Any]:
    with engine.connect() as connection:
        return {
            "tokens": connection.execute(select(SpamToken).order_by(SpamToken.token)).all(),
            "version": connection.execute(select(SpamModelVersion)).all(),
        }
