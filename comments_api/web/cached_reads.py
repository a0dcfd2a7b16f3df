"""The two hottest reads answered before FastAPI's routing: a thread's list and counts.

Only the plain, valid requests are answered here, from the same cache and the same queries as
the documented routes; anything else (a bad key, an unknown thread, a cache miss, an odd query)
goes on to those routes, which validate, document and answer it.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from comments_api.comments.service import CommentService
from comments_api.content.serialization import MAX_IF_NONE_MATCH, dump_json, etag_matches
from comments_api.errors import ApiError
from comments_api.schemas import KEY_PATTERN
from comments_api.web.faults import database_fault

__all__ = ["FastReads"]

LIST_PATH = re.compile(r"^/api/v1/threads/([A-Za-z0-9][A-Za-z0-9._-]{0,199})/comments$")
COUNTS_PATH = "/api/v1/counts"
VALID_KEY = re.compile(KEY_PATTERN)
MAX_COUNTS = 100


def _thread_keys(query: bytes) -> list[str] | None:
    """The `thread` values of a counts query, or None when the query needs the full route."""
    keys: list[str] = []
    for part in query.decode("latin-1").split("&"):
        name, equals, value = part.partition("=")
        if name != "thread" or not equals:
            return None
        if "%" in value or "+" in value:
            value = unquote(value.replace("+", " "))
        if not VALID_KEY.match(value):
            return None
        keys.append(value)
    return keys if 0 < len(keys) <= MAX_COUNTS else None


class FastReads:
    """Pure ASGI: serve cached thread lists and counts without the framework's per-request work."""

    def __init__(self, app: ASGIApp, service: CommentService) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            answered = await self._answer(scope, send)
        except Exception as error:
            fault = database_fault(error)
            if fault is None:
                raise
            await _refuse(send, fault)
            return
        if not answered:
            await self.app(scope, receive, send)

    async def _answer(self, scope: Scope, send: Send) -> bool:
        """Answer a plain list or counts request from the hot reads; False to pass it on."""
        if scope["type"] == "http" and scope["method"] == "GET":
            path: str = scope["path"]
            if path == COUNTS_PATH:
                keys = _thread_keys(scope.get("query_string", b""))
                if keys is not None:
                    counts = await self.service.storage.hot.counts_soon(keys)
                    body = dump_json({"counts": counts})
                    await _respond(send, 200, body, [(b"content-type", b"application/json")])
                    return True
            elif path.endswith("/comments") and not scope.get("query_string"):
                match = LIST_PATH.match(path)
                if match is not None:
                    return await self._list(match.group(1), scope, send)
        return False

    async def _list(self, key: str, scope: Scope, send: Send) -> bool:
        if_none_match = Headers(scope=scope).get("if-none-match")
        if if_none_match is not None and len(if_none_match) > MAX_IF_NONE_MATCH:
            return False  # the route refuses it, naming the header
        state = await self.service.storage.hot.thread_state_soon(key)
        cached = self.service.list_cache.fresh(state) if state is not None else None
        if cached is None:
            return False
        headers = [
            (b"etag", cached.etag.encode()),
            (b"cache-control", b"no-cache"),
        ]
        if etag_matches(if_none_match, cached.etag):
            await _respond(send, 304, b"", headers, with_length=False)
        else:
            headers.append((b"content-type", b"application/json"))
            await _respond(send, 200, cached.body, headers)
        return True


async def _respond(
    send: Send,
    status: int,
    body: bytes,
    headers: list[tuple[bytes, bytes]],
    with_length: bool = True,
) -> None:
    if with_length:
        headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _refuse(send: Send, error: ApiError) -> None:
    headers = [(name.lower().encode(), value.encode()) for name, value in error.headers.items()]
    headers.append((b"content-type", b"application/json"))
    await _respond(send, error.status_code, dump_json(error.body()), headers)
