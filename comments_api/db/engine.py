"""Engines and migrations: the one place that knows SQLite from PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import ConnectionPoolEntry

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic (with Mako and Pygments) is imported only when migrating: API workers that do not
# migrate stay several megabytes smaller.

__all__ = [
    "DatabaseTimeouts",
    "alembic_config",
    "create_database_engine",
    "import_driver",
    "migrate",
    "pending_migrations",
    "reading_session",
    "writing_session",
]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
WRITE = {"comments_write": True}


@contextmanager
def reading_session(engine: Engine) -> Iterator[Session]:
    """A session straight on the engine for reads outside the request path."""
    with Session(engine) as session:
        yield session


@contextmanager
def writing_session(engine: Engine, *, expire_on_commit: bool = True) -> Iterator[Session]:
    """One write transaction straight on the engine, for the background chores."""
    writer = engine.execution_options(**WRITE)
    with Session(writer, expire_on_commit=expire_on_commit) as session, session.begin():
        yield session


def _normalise(url: str) -> str:
    # Operators often paste the libpq form; psycopg 3 is the driver we ship.
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


@dataclass(frozen=True)
class DatabaseTimeouts:
    """How long a connection attempt, a statement and a wait for a lock may take, in seconds.

    `statement` and `lock` of zero mean no limit (the command-line tools' long exports).
    """

    connect: int = 5
    statement: int = 0
    lock: int = 0
    sqlite_busy: int = 30


def create_database_engine(
    url: str, pool_size: int = 10, timeouts: DatabaseTimeouts | None = None
) -> Engine:
    """An engine tuned for durability (on SQLite, WAL with synchronous=FULL) and bounded waits."""
    url = _normalise(url)
    limits = timeouts or DatabaseTimeouts()
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            pool_size=pool_size,
            max_overflow=pool_size * 2,
            # No ping before each use: a connection to a file has no network to lose, and the
            # ping was one more statement on every request that touches the database.
            pool_pre_ping=False,
            connect_args={"check_same_thread": False, "timeout": limits.sqlite_busy},
        )
        _configure_sqlite(engine, limits.sqlite_busy)
        return engine
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_timeout=max(limits.connect, limits.lock, 1) * 2,
        connect_args=_postgres_arguments(url, limits),
    )


def import_driver(url: str) -> None:
    """Import the database driver of `url` without connecting (before forking workers)."""
    make_url(_normalise(url)).get_dialect().import_dbapi()


def _postgres_arguments(url: str, limits: DatabaseTimeouts) -> dict[str, Any]:
    """libpq's connect timeout and keepalives, the session's statement and lock timeouts."""
    options = [str(make_url(url).query.get("options", "") or "")]
    if limits.statement:
        options.append(f"-c statement_timeout={limits.statement * 1000}")
    if limits.lock:
        options.append(f"-c lock_timeout={limits.lock * 1000}")
    arguments: dict[str, Any] = {
        "connect_timeout": limits.connect,
        # A database host that vanished (power, network) is noticed by the kernel, not only when
        # a statement timeout would fire: keepalives probe idle connections, and unacknowledged
        # data gives up after a while.
        "keepalives": 1,
        "keepalives_idle": 10,
        "keepalives_interval": 5,
        "keepalives_count": 3,
        "tcp_user_timeout": 15_000,
    }
    joined = " ".join(option for option in options if option)
    if joined:
        arguments["options"] = joined
    return arguments


def _configure_sqlite(engine: Engine, busy_seconds: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        # Take transaction control from the sqlite3 module so writers can BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: the WAL is synced on every commit, so an acknowledged write survives power loss.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_seconds * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the write lock up front; a deferred upgrade could fail with "locked".
        if connection.get_execution_options().get("comments_write"):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", _normalise(url).replace("%", "%%"))
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Apply every migration up to `revision` (idempotent)."""
    from alembic import command

    config = alembic_config(str(engine.url.render_as_string(hide_password=False)))
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.commit()


def pending_migrations(engine: Engine) -> list[str]:
    """Revisions not yet applied to this database."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(str(engine.url)))
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    heads = script.get_revisions("heads")
    pending: list[str] = []
    for head in heads:
        for revision in script.iterate_revisions(head.revision, None):
            if revision.revision in current:
                break
            pending.append(revision.revision)
    return pending
