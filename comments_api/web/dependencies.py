"""Helpers shared by the route modules: the service, the client address, body reading."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import Path, Query, Request

from comments_api.comments.service import CommentService
from comments_api.errors import ApiError
from comments_api.schemas import KEY_PATTERN, MAX_ID

__all__ = [
    "CommentId",
    "FORM_TYPES",
    "QueryToken",
    "ThreadKeyPath",
    "client_address",
    "content_type",
    "read_body",
    "read_form",
    "service",
]

MAX_BODY_BYTES = 64 * 1024
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})

ThreadKeyPath = Annotated[
    str,
    Path(
        pattern=KEY_PATTERN,
        max_length=200,
        description="The thread key from the site's manifest (letters, digits, '.', '_', '-').",
    ),
]
CommentId = Annotated[int, Path(ge=1, le=MAX_ID, description="The comment id.")]
# The signed token of a link in an e-mail, in its query string.
QueryToken = Annotated[str, Query(min_length=10, max_length=1000)]


def service(request: Request) -> CommentService:
    app_service: CommentService = request.app.state.service
    return app_service


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def read_body(request: Request) -> bytes:
    """The request body, refused with a 413 beyond 64 KiB."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _too_large()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large() -> ApiError:
    return ApiError(
        413,
        "The request is too large; comments are at most 5000 characters.",
        [("request_body", "At most 64 KiB.")],
    )


async def read_form(request: Request, raw: bytes) -> dict[str, str]:
    """Form fields as strings (the last value wins); files are refused."""
    if content_type(request) == "application/x-www-form-urlencoded":
        try:
            text = raw.decode("utf-8")
            return dict(parse_qsl(text, keep_blank_values=True, errors="strict"))
        except (UnicodeDecodeError, ValueError):
            raise ApiError(
                400,
                "The form data could not be read; send it as UTF-8.",
                [("request_body", "Malformed form data.")],
            ) from None
    try:
        form = await request.form()
    except Exception:
        raise ApiError(
            400, "The form data could not be read.", [("request_body", "Malformed form data.")]
        ) from None
    fields: dict[str, Any] = {}
    for name, value in form.multi_items():
        if not isinstance(value, str):
            raise ApiError(422, "Files cannot be attached.", [(name, "Send text only.")])
        fields[name] = value
    return fields
