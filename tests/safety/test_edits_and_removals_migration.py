"""Revision 0006: who edited a comment, and published comments that moderators removed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, insert, inspect, select

import comments_api.app  # noqa: F401  (registers every table with the metadata)
from comments_api.db.engine import alembic_config, create_database_engine, migrate
from comments_api.db.tables import Comment, ModerationEvent, Thread, utcnow


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


def _downgrade(database: Engine, revision: str) -> None:
    config = alembic_config(database.url.render_as_string(hide_password=False))
    with database.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_existing_edits_were_authors_and_removed_published_comments_become_notes(
    database: Engine,
) -> None:
    migrate(database, "0005")
    comments = [
        _comment(1, "approved", edited_at=utcnow()),  # edited by its author (nobody else could)
        _comment(2, "rejected"),  # approved, then rejected: a note from now on
        _comment(3, "spam"),  # held, then spam: never published
        _comment(4, "deleted", withdrawn_at=utcnow()),  # approved, then withdrawn by its author
        _comment(5, "deleted"),  # approved, deleted by a moderator, then its author banned
        _comment(6, "approved"),
    ]
    events = [
        _event(2, "pending", "approved", "approve"),
        _event(2, "approved", "rejected", "reject"),
        _event(3, "pending", "spam", "spam"),
        _event(4, "approved", "deleted", "withdraw"),
        _event(5, "approved", "deleted", "delete"),
        _event(5, "deleted", "deleted", "ban"),
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
        for comment in comments:  # one by one: only the columns revision 0005 knows
            connection.execute(insert(Comment.__table__).values(**comment))
        connection.execute(insert(ModerationEvent.__table__), events)

    migrate(database)

    with database.connect() as connection:
        rows = connection.execute(
            select(Comment.id, Comment.edited_by, Comment.removed_at).order_by(Comment.id)
        ).all()
    assert {row.id: row.edited_by for row in rows} == {
        1: "author",
        2: None,
        3: None,
        4: None,
        5: None,
        6: None,
    }
    assert {row.id for row in rows if row.removed_at is not None} == {2, 5}
    assert rows[1].removed_at == comments[1]["updated_at"]


def test_downgrading_drops_both_columns_and_keeps_ids_growing(database: Engine) -> None:
    migrate(database)
    _downgrade(database, "0005")

    with database.connect() as connection:
        columns = {column["name"] for column in inspect(connection).get_columns("comments")}
        if database.dialect.name == "sqlite":
            table = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'comments'"
            ).scalar()
            assert "AUTOINCREMENT" in str(table)
    assert not {"edited_by", "removed_at"} & columns
    assert "withdrawn_at" in columns
    migrate(database)  # and back up again
    with database.connect() as connection:
        columns = {column["name"] for column in inspect(connection).get_columns("comments")}
    assert {"edited_by", "removed_at"} <= columns
