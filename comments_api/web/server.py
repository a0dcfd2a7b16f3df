"""How `comments-api serve` runs uvicorn: capped request heads, slow clients closed.

The limits are settings (`COMMENTS_REQUEST_TIMEOUT_SECONDS`, `COMMENTS_KEEP_ALIVE_SECONDS`,
`COMMENTS_MAX_HEADER_BYTES`); the defaults below are theirs.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import logging
import multiprocessing

import h11
from uvicorn import _subprocess
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = [
    "MAX_HEAD_BYTES",
    "REQUEST_SECONDS",
    "KEEP_ALIVE_SECONDS",
    "REQUEST_SECONDS_STATE",
    "BoundedH11Protocol",
    "fork_workers",
    "limit_malloc_arenas",
]

# A request's line and headers together; browsers send a few KiB (cookies included).
MAX_HEAD_BYTES = 64 * 1024
# From a request's first byte (or the connection's opening) to the end of its body.
REQUEST_SECONDS = 15
# An idle connection between requests.
KEEP_ALIVE_SECONDS = 5
# The app's lifespan state carries the setting to the protocol of every worker process: uvicorn
# imports the protocol class by name in each worker, so a value set on it here would be lost.
REQUEST_SECONDS_STATE = "request_timeout_seconds"
# glibc's malloc gives each thread that allocates an arena of its own (up to 8 per core): with
# a request thread pool, memory freed in one arena is not reused by the others and a worker
# grows under load. Two arenas keep it flat (bench/api.py's soak) at no measurable CPU cost.
MALLOC_ARENAS = 2
M_ARENA_MAX = -8  # from glibc's malloc.h
# The other side has sent the whole request (or the connection is over).
RECEIVED = (h11.DONE, h11.MUST_CLOSE, h11.CLOSED, h11.ERROR)

logger = logging.getLogger("comments_api")


class BoundedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request takes too long to arrive.

    uvicorn limits the size of a request head (`h11_max_incomplete_event_size`) and idle
    keep-alive time, but not how long a client may take to send headers or a body.
    """

    request_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_deadline()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state in RECEIVED:
            self._cancel_deadline()
        elif self.request_deadline is None:
            self._start_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_deadline()
        super().connection_lost(exc)

    @property
    def request_seconds(self) -> float:
        return float(self.app_state.get(REQUEST_SECONDS_STATE, REQUEST_SECONDS))

    def _start_deadline(self) -> None:
        self.request_deadline = self.loop.call_later(self.request_seconds, self._too_slow)

    def _cancel_deadline(self) -> None:
        if self.request_deadline is not None:
            self.request_deadline.cancel()
            self.request_deadline = None

    def _too_slow(self) -> None:
        self.request_deadline = None
        if self.conn.their_state not in RECEIVED and not self.transport.is_closing():
            logger.warning(
                "closed a connection whose request did not arrive within %g s",
                self.request_seconds,
            )
            self.transport.close()


def fork_workers() -> None:
    """Have uvicorn's supervisor fork its workers from this process instead of spawning them.

    Call it once the modules the workers run are imported, and before any thread or database
    connection exists: each worker then shares those modules' memory with the others (copy on
    write) instead of importing them again, and starts at once. Each worker still builds its
    app, engine and threads itself, after the fork. With a uvicorn that has no such hook the
    workers are spawned, as by default.
    """
    if not hasattr(_subprocess, "spawn"):
        return
    # Objects alive now are never collected: the collector does not touch, and so copy, the
    # pages the workers share.
    gc.freeze()
    _subprocess.spawn = multiprocessing.get_context("fork")  # type: ignore[assignment]


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap glibc's malloc arenas for this process and those it forks; False without glibc.

    The `MALLOC_ARENA_MAX` environment variable would do the same, but it is read only when a
    process starts, before `comments-api` could set it.
    """
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):
        return False  # not glibc (musl has no mallopt)
    return bool(mallopt(M_ARENA_MAX, arenas))
