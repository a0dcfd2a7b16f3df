"""Revision 0004 moves what the audit log implied about withdrawals onto the comments."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, insert, inspect, select

import comments_api.app  # noqa: F401  (registers every table with the metadata)
from comments_api.db.engine import create_database_engine, migrate
from comments_api.db.tables import Base, Comment, ModerationEvent, Thread, utcnow


@pytest.fixture
def database(database_url: str) -> Iterator[Engine]:
    engine = create_database_engine(database_url, pool_size=2)
    yield engine
    engine.dispose()


def _comment(comment_id: int, status: str, **fields: Any) -> dict[str, Any]:
    now = utcnow()
    return {
        "id": comment_id,
        "thread_key": "post",
        "author_name": "Ada",
        "author_email": "ada@example.org",
        "body_md": "Hello",
        "body_html": "<p>Hello</p>",
        "status": status,
        "created_at": now,
        "updated_at": now + timedelta(minutes=comment_id),
        **fields,
    }


def _event(comment_id: int, before: str | None, after: str, action: str) -> dict[str, Any]:
    return {
        "comment_id": comment_id,
        "action": action,
        "actor": "mod@example.org",
        "from_status": before,
        "to_status": after,
        "created_at": utcnow(),
    }


def test_existing_withdrawals_are_marked_and_moderators_deletions_are_not(
    database: Engine,
) -> None:
    migrate(database, "0003")
    comments = [
        _comment(1, "deleted"),  # withdrawn while held: no audit row at all
        _comment(2, "deleted"),  # approved, then withdrawn by its author
        _comment(3, "deleted"),  # deleted by a moderator
        _comment(4, "deleted"),  # deleted by a moderator, then its author banned
        _comment(
            5,
            "approved",
            author_name="[deleted]",
            author_email=None,
            body_md="",
            body_html="<p><em>Comment deleted.</em></p>",
        ),  # erased, kept for its replies
        _comment(6, "approved"),
    ]
    events = [
        _event(2, "pending", "approved", "approve"),
        _event(3, "pending", "deleted", "delete"),
        _event(4, "approved", "deleted", "delete"),
        _event(4, "deleted", "deleted", "ban"),
    ]
    with database.begin() as connection:
        connection.execute(
            insert(Thread.__table__),
            [
                {
                    "key": "post",
                    "title": "Post",
                    "url": "/post.html",
                    "created_at": utcnow(),
                    "version": 1,
                    "approved_count": 2,
                }
            ],
        )
        for comment in comments:  # one by one: only the columns revision 0003 knows
            connection.execute(insert(Comment.__table__).values(**comment))
        connection.execute(insert(ModerationEvent.__table__), events)

    migrate(database)

    with database.connect() as connection:
        marked = dict(
            connection.execute(select(Comment.id, Comment.withdrawn_at).order_by(Comment.id)).all()
        )
    assert {i for i, when in marked.items() if when is not None} == {1, 2, 5}
    assert marked[2] == comments[1]["updated_at"]  # as good a time as the log gives


def test_the_migrated_schema_matches_the_models(database: Engine) -> None:
    migrate(database)
    with database.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_downgrading_drops_the_column_and_keeps_ids_growing(database: Engine) -> None:
    from alembic import command

    from comments_api.db.engine import alembic_config

    migrate(database)
    config = alembic_config(database.url.render_as_string(hide_password=False))
    with database.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")

    with database.connect() as connection:
        columns = {column["name"] for column in inspect(connection).get_columns("comments")}
        if database.dialect.name == "sqlite":
            table = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'comments'"
            ).scalar()
            assert "AUTOINCREMENT" in str(table)
    assert "withdrawn_at" not in columns
    migrate(database)  # and back up again
