"""The two reads on the hot path, on one dedicated connection per process, with no pool.

A thread's version row and the counts of many threads are single indexed lookups; going through
a thread pool and the SQLAlchemy pool costs more than the queries. The connection here is in
autocommit mode, so each query sees every committed write, from any process.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from comments_api.db.rows import ThreadState

__all__ = ["HotReader", "HotReadsPaused"]

# After a failed read the hot path answers "unavailable" at once for this long, rather than
# blocking the event loop again on a database that is locked or away.
PAUSE_SECONDS = 5.0

_STATE_COLUMNS = (
    "\"key\", title, url, version, approved_count, created_at, published_at, closed_at, retired_at"
)


def _moment(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC)


class HotReadsPaused(ConnectionError):
    """The last hot read failed moments ago; the database is not asked again yet."""


class HotReader:
    """Thread states and counts, read on one autocommit connection guarded by a lock."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.marker = "?" if engine.dialect.name == "sqlite" else "%s"
        self._connection: Any = None
        self._lock = threading.Lock()
        self._paused_until = 0.0
        self._problem = ""

    @property
    def problem(self) -> str | None:
        """What made the last hot read fail, while reads are paused; None when they work."""
        return self._problem if time.monotonic() < self._paused_until else None

    def _broken(self) -> bool:
        connection = self._connection
        return connection is not None and bool(
            getattr(connection, "broken", False) or getattr(connection, "closed", False)
        )

    def _connect(self) -> Any:
        pooled = self.engine.raw_connection()
        connection: Any = pooled.driver_connection
        pooled.detach()  # ours for the life of the process, never returned to the pool
        if self.engine.dialect.name != "sqlite":
            connection.autocommit = True
        return connection

    def _query(self, sql: str, parameters: Sequence[object]) -> list[tuple[Any, ...]]:
        problem = self.problem
        if problem is not None:
            raise HotReadsPaused(problem)
        try:
            return self._query_now(sql, parameters)
        except Exception as error:
            self._problem = str(error).splitlines()[0] if str(error) else type(error).__name__
            self._paused_until = time.monotonic() + PAUSE_SECONDS
            raise

    def _query_now(self, sql: str, parameters: Sequence[object]) -> list[tuple[Any, ...]]:
        with self._lock:
            for attempt in (1, 2):
                if self._connection is None:
                    self._connection = self._connect()
                try:
                    cursor = self._connection.cursor()
                    try:
                        cursor.execute(sql, tuple(parameters))
                        return list(cursor.fetchall())
                    finally:
                        cursor.close()
                except Exception:
                    # A dropped connection (database restarted): reconnect once, then give up.
                    # A lock or statement timeout on a sound connection is not retried.
                    retry = attempt == 1 and (self._connection is None or self._broken())
                    broken, self._connection = self._connection, None
                    with contextlib.suppress(Exception):
                        if broken is not None:
                            broken.close()
                    if not retry:
                        raise
        raise AssertionError("unreachable")  # pragma: no cover

    def thread_state(self, key: str) -> ThreadState | None:
        rows = self._query(
            f"SELECT {_STATE_COLUMNS} FROM threads WHERE \"key\" = {self.marker}", (key,)
        )
        if not rows:
            return None
        (key, title, url, version, count, created, published, closed, retired) = rows[0]
        return ThreadState(
            key=key,
            title=title,
            url=url,
            version=version,
            approved_count=count,
            created_at=_moment(created) or datetime.now(UTC),
            published_at=_moment(published),
            closed_at=_moment(closed),
            retired_at=_moment(retired),
        )

    def counts(self, keys: Sequence[str]) -> dict[str, int]:
        wanted = list(dict.fromkeys(keys))
        markers = ", ".join([self.marker] * len(wanted))
        rows = self._query(
            f"SELECT \"key\", approved_count FROM threads WHERE \"key\" IN ({markers})", wanted
        )
        found = {key: count for key, count in rows}
        return {key: found.get(key, 0) for key in wanted}

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
