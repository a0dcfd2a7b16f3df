"""Revision 0007: bans may end by themselves; the network bans "Ban author" added unasked end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, insert, inspect
from sqlalchemy.orm import Session

import comments_api.app  # noqa: F401  (registers every table with the metadata)
from comments_api.db.engine import alembic_config, create_database_engine, migrate
from comments_api.db.tables import Ban, utcnow
from comments_api.moderation.banning import banned_by

BEFORE = "0006"  # the revision before bans had an end


@pytest.fixture
def database(database_url: str) -> Iterator[Engine]:
    engine = create_database_engine(database_url, pool_size=2)
    yield engine
    engine.dispose()


def _old_ban(kind: str, value: str) -> dict[str, object]:
    return {
        "kind": kind,
        "value": value,
        "actor": "mod@example.org",
        "reason": "abuse",
        "created_at": utcnow(),
    }


def test_old_network_bans_end_and_bans_of_people_stay(database: Engine) -> None:
    migrate(database, BEFORE)
    with database.begin() as connection:
        connection.execute(
            insert(Ban.__table__).values(**_old_ban("client", "a-shared-hospital-address")),
        )
        connection.execute(insert(Ban.__table__).values(**_old_ban("email", "troll@example.org")))

    migrate(database)

    with Session(database) as session:
        neighbour = banned_by(
            session,
            email="nurse@example.org",
            client_hash="a-shared-hospital-address",
            user_id=None,
        )
        troll = banned_by(session, email="troll@example.org", client_hash=None, user_id=None)
    assert neighbour is None, "the network ban nobody chose no longer refuses the hospital"
    assert troll is not None and troll.expires_at is None


def test_downgrading_drops_the_new_columns(database: Engine) -> None:
    from alembic import command

    migrate(database)
    config = alembic_config(database.url.render_as_string(hide_password=False))
    with database.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, BEFORE)
    with database.connect() as connection:
        columns = {column["name"] for column in inspect(connection).get_columns("bans")}
    assert {"expires_at", "comment_id"}.isdisjoint(columns)
    migrate(database)  # and back up again
