"""Request bodies are capped per route and JSON nesting is bounded, before anything parses them.

Python's JSON parser recurses once per nested array or object, so a few kilobytes of `[[[[…`
would exhaust the interpreter's stack; and a route that lets the framework parse its body
reads all of it before answering. This middleware reads at most the route's cap, refuses a
deeper nesting than any request needs, then hands the same bytes on.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from comments_api.errors import ApiError, error_response
from comments_api.web.pages.email_links import page

__all__ = [
    "BODY_LIMITS",
    "DEFAULT_LIMIT",
    "MAX_JSON_DEPTH",
    "BodyLimit",
    "BodyLimits",
    "install_body_limits",
]

KIB = 1024
MAX_JSON_DEPTH = 32
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


@dataclass(frozen=True)
class BodyLimit:
    """The largest body a route needs, and what it holds (said when a body is refused)."""

    max_bytes: int
    holds: str


COMMENT = BodyLimit(64 * KIB, "a comment of up to 5000 characters")
# Keyed by method and path as the contract (/openapi.json) spells them.
BODY_LIMITS: dict[tuple[str, str], BodyLimit] = {
    ("POST", "/api/v1/threads/{key}/comments"): COMMENT,
    ("PATCH", "/api/v1/comments/{comment_id}"): COMMENT,
    ("POST", "/api/v1/check-personal-data"): COMMENT,
    ("POST", "/api/v1/comments/{comment_id}/report"): BodyLimit(
        16 * KIB, "a reason of up to 1000 characters"
    ),
    ("POST", "/api/v1/privacy/delete-request"): BodyLimit(4 * KIB, "an e-mail address"),
    ("POST", "/api/v1/auth/login"): BodyLimit(4 * KIB, "an e-mail address and a page address"),
    ("POST", "/api/v1/auth/callback"): BodyLimit(4 * KIB, "a sign-in token"),
    ("PUT", "/api/v1/threads"): BodyLimit(8 * KIB * KIB, "the thread manifest"),
}
# Every other route (the moderation and sign-in forms among them) takes small forms.
DEFAULT_LIMIT = BodyLimit(64 * KIB, "a form")

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def _size(max_bytes: int) -> str:
    if max_bytes >= KIB * KIB:
        return f"{max_bytes // (KIB * KIB)} MiB"
    return f"{max_bytes // KIB} KiB"


def _is_json(content_type: str) -> bool:
    """What the routes parse as JSON: no type, application/json or any `+json` type."""
    return content_type in {"", "application/json"} or content_type.endswith("+json")


def nesting_depth(body: bytes, give_up_above: int = MAX_JSON_DEPTH) -> int:
    """How deeply arrays and objects nest in a JSON text, counted without parsing it."""
    try:
        text = body.decode(json.detect_encoding(body), errors="replace")
    except LookupError:  # pragma: no cover - detect_encoding names only real codecs
        return 0
    depth = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > give_up_above:
                    break
        elif depth:
            depth -= 1
    return deepest


def _too_large(limit: BodyLimit) -> ApiError:
    size = _size(limit.max_bytes)
    return ApiError(
        413,
        f"The request body is too large: this endpoint accepts at most {size} ({limit.holds}).",
        [("request_body", f"At most {limit.max_bytes} bytes ({size}).")],
    )


def _too_deep() -> ApiError:
    return ApiError(
        400,
        "The request body nests arrays or objects too deeply; send a plain JSON object.",
        [("request_body", f"At most {MAX_JSON_DEPTH} levels of nested arrays and objects.")],
    )


class BodyLimits:
    """Pure ASGI: refuse oversized or too deeply nested bodies with a 413 or 400 naming them."""

    def __init__(self, app: ASGIApp, site_url: str) -> None:
        self.app = app
        self.site_url = site_url
        self.routes = [
            (method, compile_path(path)[0], limit) for (method, path), limit in BODY_LIMITS.items()
        ]

    def limit_for(self, method: str, path: str) -> BodyLimit:
        for route_method, pattern, limit in self.routes:
            if route_method == method and pattern.match(path):
                return limit
        return DEFAULT_LIMIT

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope) if scope["type"] == "http" else None
        if headers is None or not _has_body(headers):
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["method"], scope["path"])
        content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit.max_bytes:
            await self._refuse(_too_large(limit), content_type, scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit.max_bytes:
                await self._refuse(_too_large(limit), content_type, scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if _is_json(content_type) and nesting_depth(body) > MAX_JSON_DEPTH:
            await self._refuse(_too_deep(), content_type, scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _refuse(
        self, error: ApiError, content_type: str, scope: Scope, receive: Receive, send: Send
    ) -> None:
        response: Response
        if content_type in FORM_TYPES:
            # A person's browser posted a form: answer with a page they can read.
            response = page(
                "The form was not sent",
                error.detail,
                status_code=error.status_code,
                problem=True,
                back_url=self.site_url,
            )
        else:
            response = error_response(error)
        await response(scope, receive, send)


def install_body_limits(app: FastAPI, site_url: str) -> None:
    """Enforce the limits on every request, and state them in the contract."""
    app.add_middleware(BodyLimits, site_url=site_url)
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        error_body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                if "requestBody" not in operation:
                    continue
                limit = BODY_LIMITS.get((method.upper(), path), DEFAULT_LIMIT)
                refusals = {
                    "400": "The body could not be read, or nests arrays or objects more than "
                    f"{MAX_JSON_DEPTH} deep.",
                    "413": f"The body is larger than {_size(limit.max_bytes)} ({limit.holds}).",
                }
                responses = operation.setdefault("responses", {})
                for status, description in refusals.items():
                    response = responses.setdefault(status, {"content": error_body})
                    response["description"] = description
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _has_body(headers: Headers) -> bool:
    length = headers.get("content-length")
    if length is not None:
        return length.strip() not in {"", "0"}
    return "transfer-encoding" in headers


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands on the body already read, then whatever the client sends next."""
    delivered = False

    async def replayed() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed
