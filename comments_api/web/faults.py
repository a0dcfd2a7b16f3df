"""Database faults as honest answers: 503 while the database is away, 507 when its disk is full."""

from __future__ import annotations

import asyncio
import errno
import logging
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from fastapi import FastAPI, Request
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.responses import Response

from comments_api.errors import ApiError, error_response

__all__ = ["RETRY_AFTER_SECONDS", "BoundedCheck", "database_fault", "install_fault_handlers"]

logger = logging.getLogger("comments_api")

RETRY_AFTER_SECONDS = 30
# One log line per kind of fault at most this often, however many requests it refuses.
LOG_EVERY_SECONDS = 60.0
_last_logged: dict[int, float] = {}
UNAVAILABLE = (
    "Comments are temporarily unavailable; your comment has not been sent. "
    "Please try again in a few minutes."
)
DISK_FULL = (
    "Comments cannot be stored right now: the server has run out of storage space; your comment "
    "has not been sent. Please try again later."
)
# PostgreSQL's SQLSTATE classes and codes that mean "the database, not the request, is at fault".
_POSTGRES_DISK_FULL = {"53100"}
_POSTGRES_UNAVAILABLE_CLASSES = ("08", "53", "57", "58")
_POSTGRES_UNAVAILABLE = {"25006", "55P03", "40P01"}
# A database file or its lock file that cannot be opened or written: read-only, failing disk.
_STORAGE_ERRNOS = {errno.EROFS, errno.EIO, errno.EACCES, errno.EPERM}
# SQLite's result codes for a database that is busy, read-only or cannot be reached; other
# OperationalErrors ("no such table", a syntax error) are bugs and stay 500s.
_SQLITE_UNAVAILABLE = (
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_READONLY",
    "SQLITE_CANTOPEN",
    "SQLITE_IOERR",
    "SQLITE_PROTOCOL",
    "SQLITE_NOLFS",
    "SQLITE_PERM",
)
_SQLITE_MESSAGES = ("locked", "readonly", "unable to open", "disk i/o error", "busy")


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _first_in_a_while(status: int) -> bool:
    now = time.monotonic()
    if now - _last_logged.get(status, -LOG_EVERY_SECONDS) < LOG_EVERY_SECONDS:
        return False
    _last_logged[status] = now
    return True


def _driver_error(error: BaseException) -> BaseException:
    return error.orig if isinstance(error, DBAPIError) and error.orig is not None else error


def _is_disk_full(error: BaseException) -> bool:
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return True
    if isinstance(error, sqlite3.Error):
        return (
            "database or disk is full" in str(error)
            or getattr(error, "sqlite_errorname", "") == "SQLITE_FULL"
        )
    return str(getattr(error, "sqlstate", "") or "") in _POSTGRES_DISK_FULL


def _sqlite_unavailable(error: sqlite3.OperationalError) -> bool:
    name = str(getattr(error, "sqlite_errorname", "") or "")
    if name:
        return name.startswith(_SQLITE_UNAVAILABLE)
    message = str(error).lower()
    return any(words in message for words in _SQLITE_MESSAGES)


def _is_unavailable(error: BaseException, wrapped: BaseException) -> bool:
    if isinstance(wrapped, DBAPIError) and wrapped.connection_invalidated:
        return True
    if isinstance(error, sqlite3.OperationalError):
        return _sqlite_unavailable(error)
    if isinstance(error, PoolTimeout):
        return True  # every connection of the pool is busy waiting on the database
    if isinstance(error, (TimeoutError, ConnectionError)):
        return True
    if isinstance(error, OSError) and error.errno in _STORAGE_ERRNOS:
        return True
    sqlstate = str(getattr(error, "sqlstate", "") or "")
    if sqlstate:
        return sqlstate in _POSTGRES_UNAVAILABLE or sqlstate[:2] in _POSTGRES_UNAVAILABLE_CLASSES
    module = type(error).__module__
    # psycopg's OperationalError / InterfaceError without a SQLSTATE: no connection at all.
    return module.startswith("psycopg") and type(error).__name__ in {
        "OperationalError",
        "InterfaceError",
    }


def database_fault(error: BaseException) -> ApiError | None:
    """The answer for a database that is away, locked, read-only or full; None for other errors."""
    driver = _driver_error(error)
    if _is_disk_full(driver):
        if _first_in_a_while(507):
            logger.error(
                "The database's disk is full: comments cannot be stored until space is freed (%s).",
                _first_line(driver),
            )
        return ApiError(
            507,
            DISK_FULL,
            [("database", "Insufficient storage on the server.")],
            headers={"Retry-After": str(RETRY_AFTER_SECONDS * 10)},
        )
    if _is_unavailable(driver, error):
        if _first_in_a_while(503):
            logger.warning("The database is unavailable: %s", _first_line(driver))
        return ApiError(
            503,
            UNAVAILABLE,
            [("database", "The comments database is not answering.")],
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    return None


def install_fault_handlers(app: FastAPI, driver_error: type[Exception]) -> None:
    """Answer database faults with 503 or 507; any other error stays a logged 500.

    `driver_error` is the base error of the engine's driver (PEP 249 `Error`): the hot reads run
    on the driver's own connection, whose errors SQLAlchemy does not wrap. Taking it from the
    engine keeps psycopg (about 10 MB per worker) out of a service that runs on SQLite.
    """

    async def fault(request: Request, exc: Exception) -> Response:
        answer = database_fault(exc)
        if answer is None:
            raise exc
        return error_response(answer)

    for kind in (DBAPIError, PoolTimeout, sqlite3.Error, driver_error, OSError, TimeoutError):
        app.add_exception_handler(kind, fault)


class BoundedCheck:
    """A blocking check of the database, run on a thread of its own and awaited a bounded time.

    A check the database never answers keeps its thread; until it ends, later checks fail at
    once instead of piling up more threads behind it.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="health-check")
        self._running: Future[None] | None = None
        self._started = 0.0

    async def run(self, check: Callable[[], None]) -> None:
        """Run `check`; TimeoutError if it, or the one before it, has not ended in time."""
        running = self._running
        if running is not None and not running.done():
            waited = time.monotonic() - self._started
            raise TimeoutError(f"The database has not answered a check for {waited:.0f} s.")
        self._started = time.monotonic()
        self._running = future = self._worker.submit(check)
        try:
            await asyncio.wait_for(asyncio.wrap_future(future), self.seconds)
        except TimeoutError:
            raise TimeoutError(
                f"The database did not answer a check within {self.seconds:g} s."
            ) from None

    def close(self) -> None:
        """Let the thread go; a lifespan that starts again gets a new one on its first check."""
        self._worker.shutdown(wait=False, cancel_futures=True)
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="health-check")
        self._running = None
