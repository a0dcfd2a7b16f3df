"""CORS with an allowlist, and refusal of writes from origins outside it (pure ASGI)."""

from __future__ import annotations

import json

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["OriginPolicy"]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE"
ALLOWED_HEADERS = frozenset({"content-type", "x-edit-token", "authorization", "if-none-match"})
EXPOSED_HEADERS = "ETag, Retry-After, Location"


def _own_origin(scope: Scope, headers: Headers) -> str:
    return f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"


class OriginPolicy:
    """Allowlisted origins get CORS headers (with credentials); others may not write."""

    def __init__(self, app: ASGIApp, allowed_origins: frozenset[str]) -> None:
        self.app = app
        self.allowed = allowed_origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        allowed = origin in self.allowed or origin == _own_origin(scope, headers)
        method = scope["method"]
        if method == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(origin, allowed, headers, send)
            return
        if not allowed and method not in SAFE_METHODS:
            await _refuse(origin, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                response_headers.add_vary_header("Origin")
                if allowed:
                    response_headers["Access-Control-Allow-Origin"] = origin
                    response_headers["Access-Control-Allow-Credentials"] = "true"
                    response_headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(self, origin: str, allowed: bool, headers: Headers, send: Send) -> None:
        if not allowed:
            await _refuse(origin, send)
            return
        requested = {
            name.strip().lower()
            for name in headers.get("access-control-request-headers", "").split(",")
            if name.strip()
        }
        refused = requested - ALLOWED_HEADERS
        if refused:
            body = {
                "detail": "The request asks to send headers this API does not accept.",
                "errors": [
                    {"field": "Access-Control-Request-Headers", "message": name}
                    for name in sorted(refused)
                ],
            }
            await _send_json(403, body, send, {"Vary": "Origin"})
            return
        await _send(
            204,
            b"",
            send,
            {
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Allow-Credentials": "true",
                "Access-Control-Allow-Methods": ALLOWED_METHODS,
                "Access-Control-Allow-Headers": ", ".join(sorted(ALLOWED_HEADERS)),
                "Access-Control-Max-Age": "600",
                "Vary": "Origin",
            },
        )


async def _refuse(origin: str, send: Send) -> None:
    body = {
        "detail": f"Requests from {origin} are not allowed: only the blog's own pages may do "
        "this. Post from the blog itself.",
        "errors": [{"field": "Origin", "message": f"{origin} is not an allowed origin."}],
    }
    await _send_json(403, body, send, {"Vary": "Origin"})


async def _send_json(status: int, body: object, send: Send, headers: dict[str, str]) -> None:
    payload = json.dumps(body).encode()
    await _send(status, payload, send, {**headers, "Content-Type": "application/json"})


async def _send(status: int, payload: bytes, send: Send, headers: dict[str, str]) -> None:
    raw = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    raw.append((b"content-length", str(len(payload)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})
