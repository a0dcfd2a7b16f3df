"""The two reads on the hot path, on one dedicated connection per process, with no pool.

A thread's version row and the counts of many threads are single indexed lookups; going through
the SQLAlchemy pool costs more than the queries. The connection here is in autocommit mode, so
each query sees every committed write, from any process.

The queries run on one worker thread of their own, and the caller (the event loop, or a request
thread) waits at most `answer_seconds` for them: a database that is locked, stopped or behind a
stalled network cannot freeze the service, it is answered "unavailable".
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import Engine

from comments_api.db.rows import ThreadState

__all__ = ["HotReader", "HotReadsPaused", "HotReadTimeout"]

# After a failed read the hot path answers "unavailable" at once for this long, rather than
# asking again a database that is locked or away.
PAUSE_SECONDS = 5.0

_STATE_COLUMNS = (
    '"key", title, url, version, approved_count, created_at, published_at, closed_at, retired_at'
)
Rows = list[tuple[Any, ...]]


def _moment(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC)


class HotReadsPaused(ConnectionError):
    """The last hot read failed moments ago; the database is not asked again yet."""


class HotReadTimeout(TimeoutError):
    """The database did not answer a hot read in time (stopped, stalled, or its network)."""


class HotReader:
    """Thread states and counts, read on one autocommit connection guarded by a lock."""

    def __init__(self, engine: Engine, answer_seconds: float = 3.0) -> None:
        self.engine = engine
        self.answer_seconds = answer_seconds
        self.marker = "?" if engine.dialect.name == "sqlite" else "%s"
        self._connection: Any = None
        self._lock = threading.Lock()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hot-reads")
        # Reads asked for but not yet started, by query: a request that asks for the same read
        # joins it. It started after every request that joined it arrived, so each sees every
        # write committed before it asked; under load one query answers many requests.
        self._queued: dict[tuple[str, tuple[object, ...]], Future[Rows]] = {}
        self._queued_lock = threading.Lock()
        self._paused_until = 0.0
        self._problem = ""
        self._stalled = False
        # Set when a read was given up on: its connection may still be waiting, so the next read
        # opens a fresh one.
        self._abandoned = False

    @property
    def problem(self) -> str | None:
        """What made the last hot read fail, while reads are paused; None when they work."""
        return self._problem if time.monotonic() < self._paused_until else None

    @property
    def stalled(self) -> bool:
        """The database gave no answer at all to the last read (not an error), moments ago."""
        return self._stalled and self.problem is not None

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

    def _submit(self, sql: str, parameters: Sequence[object]) -> Future[Rows]:
        problem = self.problem
        if problem is not None:
            raise HotReadsPaused(problem)
        query = (sql, tuple(parameters))
        with self._queued_lock:
            future = self._queued.get(query)
            if future is None:
                future = self._worker.submit(self._run_queued, query)
                self._queued[query] = future
        return future

    def _run_queued(self, query: tuple[str, tuple[object, ...]]) -> Rows:
        with self._queued_lock:
            del self._queued[query]  # from now on, a new request asks anew
        return self._query_now(*query)

    def _failed(self, error: BaseException) -> None:
        self._stalled = isinstance(error, TimeoutError)
        if self._stalled:
            # The read stays queued or running (others may share it); its connection is not
            # trusted again.
            self._abandoned = True
            error = HotReadTimeout(
                f"The database did not answer a read within {self.answer_seconds:g} s."
            )
        self._problem = str(error).splitlines()[0] if str(error) else type(error).__name__
        self._paused_until = time.monotonic() + PAUSE_SECONDS
        if isinstance(error, HotReadTimeout):
            raise error from None

    def _query(self, sql: str, parameters: Sequence[object]) -> Rows:
        """Wait for the rows from a request thread."""
        future = self._submit(sql, parameters)
        try:
            return future.result(timeout=self.answer_seconds)
        except Exception as error:
            self._failed(error)
            raise

    async def _query_soon(self, sql: str, parameters: Sequence[object]) -> Rows:
        """Wait for the rows on the event loop, which goes on serving other requests."""
        future = self._submit(sql, parameters)
        # A waiter of this caller's own: giving up on it leaves the shared read alone.
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[Rows] = loop.create_future()
        future.add_done_callback(partial(_hand_over, loop, waiter))
        try:
            async with asyncio.timeout(self.answer_seconds):
                return await waiter
        except Exception as error:
            self._failed(error)
            raise

    def _query_now(self, sql: str, parameters: Sequence[object]) -> Rows:
        with self._lock:
            if self._abandoned:
                self._abandoned = False
                self._drop_connection()
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
                    self._drop_connection()
                    if not retry:
                        raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _drop_connection(self) -> None:
        dropped, self._connection = self._connection, None
        with contextlib.suppress(Exception):
            if dropped is not None:
                dropped.close()

    def thread_state(self, key: str) -> ThreadState | None:
        """A thread's state, from a request thread."""
        return _thread_state(self._query(*self._state_query(key)))

    async def thread_state_soon(self, key: str) -> ThreadState | None:
        """A thread's state, from the event loop."""
        return _thread_state(await self._query_soon(*self._state_query(key)))

    def counts(self, keys: Sequence[str]) -> dict[str, int]:
        """Approved counts of threads (0 for unknown ones), from a request thread."""
        wanted = list(dict.fromkeys(keys))
        return _counts(wanted, self._query(*self._counts_query(wanted)))

    async def counts_soon(self, keys: Sequence[str]) -> dict[str, int]:
        """Approved counts of threads (0 for unknown ones), from the event loop."""
        wanted = list(dict.fromkeys(keys))
        return _counts(wanted, await self._query_soon(*self._counts_query(wanted)))

    def _state_query(self, key: str) -> tuple[str, Sequence[object]]:
        return f'SELECT {_STATE_COLUMNS} FROM threads WHERE "key" = {self.marker}', (key,)

    def _counts_query(self, wanted: list[str]) -> tuple[str, Sequence[object]]:
        markers = ", ".join([self.marker] * len(wanted))
        return f'SELECT "key", approved_count FROM threads WHERE "key" IN ({markers})', wanted

    def close(self) -> None:
        """Stop the worker (without waiting for a read the database never answered)."""
        self._worker.shutdown(wait=False, cancel_futures=True)
        if self._lock.acquire(timeout=self.answer_seconds):
            try:
                self._drop_connection()
            finally:
                self._lock.release()


def _hand_over(
    loop: asyncio.AbstractEventLoop, waiter: asyncio.Future[Rows], future: Future[Rows]
) -> None:
    """On the reader's thread: pass the outcome of a read to a waiter on the event loop."""
    with contextlib.suppress(RuntimeError):  # the loop has closed: nobody waits any more
        loop.call_soon_threadsafe(_settle, waiter, future)


def _settle(waiter: asyncio.Future[Rows], future: Future[Rows]) -> None:
    if waiter.done():
        return  # given up on
    if future.cancelled():
        waiter.set_exception(HotReadsPaused("The service is shutting down."))
    elif (error := future.exception()) is not None:
        waiter.set_exception(error)
    else:
        waiter.set_result(future.result())


def _thread_state(rows: Rows) -> ThreadState | None:
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


def _counts(wanted: list[str], rows: Rows) -> dict[str, int]:
    found = {key: count for key, count in rows}
    return {key: found.get(key, 0) for key in wanted}
