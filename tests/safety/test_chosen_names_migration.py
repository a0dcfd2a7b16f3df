"""Revision 0008: names taken from addresses are withdrawn; replies are indexed by parent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, column, insert, inspect, select, table, text

import comments_api.app  # noqa: F401  (registers every table with the metadata)
from comments_api.db.engine import alembic_config, create_database_engine, migrate
from comments_api.db.tables import Comment, Thread, User, UTCDateTime, utcnow

BEFORE = "0007"  # the revision before members chose their names
USERS_BEFORE = table(
    "users",
    *(column(name) for name in ("id", "email", "display_name", "role", "verified")),
    column("created_at", UTCDateTime()),
)


@pytest.fixture
def database(database_url: str) -> Iterator[Engine]:
    engine = create_database_engine(database_url, pool_size=2)
    yield engine
    engine.dispose()


def _thread() -> dict[str, Any]:
    return {
        "key": "post",
        "title": "Post",
        "url": "/post.html",
        "created_at": utcnow(),
        "version": 1,
        "approved_count": 0,
    }


def _comment(comment_id: int, author: str, user_id: int | None, **fields: Any) -> dict[str, Any]:
    now = utcnow()
    return {
        "id": comment_id,
        "thread_key": "post",
        "author_name": author,
        "author_email": "someone@example.org",
        "user_id": user_id,
        "member": user_id is not None,
        "body_md": "Hello",
        "body_html": "<p>Hello</p>",
        "status": "approved",
        "created_at": now,
        "updated_at": now + timedelta(seconds=comment_id),
        **fields,
    }


def test_names_taken_from_addresses_become_member_and_chosen_names_stay(
    database: Engine,
) -> None:
    migrate(database, BEFORE)
    users = [
        (1, "grace.hopper@staff.example.org", "grace.hopper"),
        (2, "ada.lovelace@example.org", "Ada.Lovelace"),  # only the case changed
        (3, "head.nurse@staff.example.org", "Head Nurse"),  # chosen
    ]
    with database.begin() as connection:
        connection.execute(
            insert(USERS_BEFORE),  # only the columns revision 0007 knows
            [
                {
                    "id": i,
                    "email": e,
                    "display_name": n,
                    "role": "member",
                    "verified": False,
                    "created_at": utcnow(),
                }
                for i, e, n in users
            ],
        )
        connection.execute(insert(Thread.__table__).values(**_thread()))
        for comment in [
            _comment(1, "grace.hopper", 1),
            _comment(2, "Ada.Lovelace", 2),
            _comment(3, "Head Nurse", 3),
            _comment(4, "grace.hopper", None),  # a guest who typed that name keeps it
        ]:
            connection.execute(insert(Comment.__table__).values(**comment))

    migrate(database)

    with database.connect() as connection:
        accounts = {
            row.id: (row.display_name, row.name_chosen)
            for row in connection.execute(select(User.id, User.display_name, User.name_chosen))
        }
        authors = dict(connection.execute(select(Comment.id, Comment.author_name)).all())
    assert accounts == {1: ("Member", False), 2: ("Member", False), 3: ("Head Nurse", True)}
    assert authors == {1: "Member", 2: "Member", 3: "Head Nurse", 4: "grace.hopper"}


def _downgrade_work(engine: Engine, replies: int) -> tuple[int, int]:
    """SQLite virtual-machine steps (in thousands) to go back to 0003 with a chain of replies,
    and how many replies still have their parent afterwards."""
    from alembic import command

    migrate(engine)
    with engine.begin() as connection:
        connection.execute(insert(Thread.__table__).values(**_thread()))
        connection.execute(
            insert(Comment.__table__),
            [
                _comment(i, "Ada", None, parent_id=i - 1 if i > 1 else None)
                for i in range(1, replies + 1)
            ],
        )
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    with engine.begin() as connection:
        sqlite = connection.connection.driver_connection
        sqlite.set_progress_handler(count, 1000)  # type: ignore[union-attr]
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
        sqlite.set_progress_handler(None, 0)  # type: ignore[union-attr]
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT count(parent_id) FROM comments")).scalar()
    return steps, int(kept or 0)


def test_downgrading_on_sqlite_keeps_replies_and_is_linear_in_the_number_of_comments(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    work = []
    for replies in (2_000, 4_000):
        url = f"sqlite:///{tmp_path_factory.mktemp('downgrade') / 'comments.sqlite3'}"
        engine = create_database_engine(url, pool_size=2)
        try:
            steps, kept = _downgrade_work(engine, replies)
        finally:
            engine.dispose()
        assert kept == replies - 1, "replies lost their parents on the way down"
        work.append(steps)
    small, large = work
    assert large < 3 * small, f"twice the comments took {large / small:.1f} times the work"


def test_replies_are_indexed_by_parent_and_downgrading_takes_the_index_away(
    database: Engine,
) -> None:
    from alembic import command

    def parent_indexed() -> bool:
        with database.connect() as connection:
            indexes = inspect(connection).get_indexes("comments")
        return any(index["column_names"] == ["parent_id"] for index in indexes)

    migrate(database)
    assert parent_indexed()
    config = alembic_config(database.url.render_as_string(hide_password=False))
    with database.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, BEFORE)
    with database.connect() as connection:
        columns = {column["name"] for column in inspect(connection).get_columns("users")}
    assert not parent_indexed() and "name_chosen" not in columns
    migrate(database)  # and back up again
    assert parent_indexed()
