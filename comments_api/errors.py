"""One error shape for every refusal: `{"detail": ..., "errors": [{"field", "message"}]}`."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from comments_api.field_messages import FIELD_MESSAGES

__all__ = [
    "ApiError",
    "Conflict",
    "ErrorBody",
    "FieldError",
    "ERROR_RESPONSES",
    "Forbidden",
    "Invalid",
    "NotFound",
    "RateLimited",
    "Refusal",
    "Unreadable",
    "error_response",
    "install_error_handlers",
    "please_correct",
    "with_html_page",
]

logger = logging.getLogger("comments_api")

# Fields as the forms label them, for the sentence that sums up a refusal.
FIELD_LABELS = {
    "author": "Name",
    "email": "E-mail",
    "website": "Website",
    "body": "Comment",
    "reason": "Reason",
    "parent": "the comment you reply to",
}


def please_correct(fields: Sequence[str]) -> str:
    """'Please correct: Name, E-mail.': the fields at fault by their labels, each once."""
    names = ", ".join(dict.fromkeys(FIELD_LABELS.get(field, field) for field in fields))
    return f"Please correct: {names}."


class FieldError(BaseModel):
    field: str = Field(description="The input at fault: a body field, query parameter or header.")
    message: str = Field(description="What is wrong with it and how to fix it.")


class ErrorBody(BaseModel):
    """Every 4xx answer has this body."""

    detail: str = Field(description="A sentence saying what went wrong and what to do.")
    errors: list[FieldError] = Field(default_factory=list)


class Refusal(Exception):
    """Something the service will not do, in words for the person who asked: no HTTP in it.

    The domain raises one of the kinds below; `comments_api.web.refusals` answers each with
    its HTTP status and the one error body.
    """

    def __init__(self, detail: str, errors: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = [FieldError(field=field, message=message) for field, message in errors]


class Unreadable(Refusal):
    """The request could not be read at all (malformed JSON)."""


class Forbidden(Refusal):
    """Not allowed: a ban, an edit token that does not match, an edit window that is over."""


class NotFound(Refusal):
    """No such thread or comment."""


class Conflict(Refusal):
    """Not now: the thread is closed, or someone else changed the comment meanwhile."""


class Invalid(Refusal):
    """A field is missing or wrong; `errors` names each one and says how to put it right."""

    @classmethod
    def correct(cls, errors: Sequence[tuple[str, str]]) -> Invalid:
        """'Please correct: Name, E-mail.', with what is wrong with each field."""
        return cls(please_correct([field for field, _ in errors]), errors)


class RateLimited(Refusal):
    """A rate limit is used up; the client may try again after `retry_after` seconds."""

    def __init__(
        self, detail: str, errors: Sequence[tuple[str, str]] = (), *, retry_after: int
    ) -> None:
        super().__init__(detail, errors)
        self.retry_after = retry_after


class ApiError(Refusal):
    """A refusal with its HTTP status; rendered as JSON (or as an HTML page for form posts)."""

    def __init__(
        self,
        status_code: int,
        detail: str,
        errors: Sequence[tuple[str, str]] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail, errors)
        self.status_code = status_code
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"detail": self.detail, "errors": [error.model_dump() for error in self.errors]}


def _described(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _described("The request body could not be read (malformed JSON or form data)."),
    403: _described("Refused: wrong origin, missing or bad token, or the edit window is over."),
    404: _described("No such thread or comment."),
    410: _described("The snapshot cursor is unknown here: fetch the whole snapshot again."),
    413: _described("The request body is too large."),
    415: _described("Unsupported content type: send JSON or form data."),
    422: _described("A field is missing or invalid; `errors` names each one."),
    429: _described("Rate limit reached; the Retry-After header says when to try again."),
    503: _described("The database is unavailable or locked; Retry-After says when to retry."),
    507: _described("The server's storage is full; the comment was not stored."),
}


def with_html_page(codes: Sequence[int]) -> dict[int | str, dict[str, Any]]:
    """Error responses of endpoints that also take form posts (answered with an HTML page)."""
    html = {"text/html": {"schema": {"type": "string"}}}
    return {code: {**ERROR_RESPONSES[code], "content": html} for code in codes}


# What to tell people about the fields and parameters FastAPI validates for us.
FIELD_HINTS = {
    "body": FIELD_MESSAGES["body"],
    "thread": "Give 1 to 100 thread keys: letters, digits, '.', '_' or '-', up to 200 characters.",
    "key": "Thread keys are 1 to 200 letters, digits, '.', '_' or '-'.",
    "cursor": "Use the `next` value of the previous page, or leave it out for the first page.",
    "limit": "Ask for between 1 and 1000 comments per page.",
    "since": "Use the `changes_since` value of an earlier snapshot, or fetch the whole snapshot.",
    "X-Edit-Token": "Send the edit token you received when the comment was created.",
    "token": "Open the sign-in link from the e-mail; ask for a new one if it no longer works.",
    "id": "Comment ids are positive whole numbers.",
    "reason": FIELD_MESSAGES["reason"],
    "threads": "Send the full list of threads, each with key, title, url and closed.",
}

_HEADER_NAMES = {"x-edit-token": "X-Edit-Token", "authorization": "Authorization"}
_PATH_NAMES = {"comment_id": "id"}


def _field_name(location: Sequence[Any]) -> str:
    parts = list(location)
    source = parts.pop(0) if parts else ""
    if source == "header" and parts:
        return _HEADER_NAMES.get(str(parts[0]).lower(), str(parts[0]))
    if source == "path" and parts:
        return _PATH_NAMES.get(str(parts[0]), str(parts[0]))
    name = ""
    for part in parts:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "request_body"


def _hint(field: str, fallback: str) -> str:
    base = field.split("[", 1)[0].split(".", 1)[0]
    leaf = field.rsplit(".", 1)[-1] if "." in field else None
    if base == "threads" and leaf in {"key", "title", "url", "closed"}:
        return f"{fallback} (each thread needs key, title, url and closed)."
    return FIELD_HINTS.get(base, fallback)


def validation_errors(exc: RequestValidationError) -> ApiError:
    """Turn FastAPI's validation error into our error body; unreadable JSON is a 400."""
    errors: list[tuple[str, str]] = []
    for error in exc.errors():
        kind = str(error.get("type", ""))
        if kind == "json_invalid":
            position = error.get("ctx", {}).get("error", "")
            return ApiError(
                400,
                "The request body is not valid JSON; send a JSON object.",
                [("request_body", f"Malformed JSON: {position}".rstrip(": "))],
            )
        field = _field_name(error.get("loc", ()))
        if kind == "missing" and field.startswith("request_body"):
            return ApiError(
                400, "The request needs a JSON body.", [("request_body", "The body is empty.")]
            )
        message = _hint(field, str(error.get("msg", "Invalid value.")))
        errors.append((field, message))
    return ApiError(422, please_correct([field for field, _ in errors]), errors)


def error_response(error: ApiError) -> Response:
    return JSONResponse(error.body(), status_code=error.status_code, headers=error.headers)


def _allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method the contract lists at this path (Starlette names only one route's)."""
    methods: set[str] = set()
    for template, operations in app.openapi().get("paths", {}).items():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path):
            methods.update(method.upper() for method in operations if method != "parameters")
    return sorted(methods) or ["GET"]


def install_error_handlers(
    app: FastAPI, not_found_page: Callable[[str, str], Response | None] | None = None
) -> None:
    """Route every refusal through the one error body.

    `not_found_page(path, accept)` may answer a 404 with a page for people instead.
    """

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return error_response(exc)

    async def invalid_request(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return error_response(validation_errors(exc))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        headers = dict(exc.headers or {})
        if exc.status_code == 404:
            accept = request.headers.get("accept", "")
            page = not_found_page(request.url.path, accept) if not_found_page else None
            if page is not None:
                return page
            detail = "Nothing here: check the address against /docs."
        elif exc.status_code == 405:
            allowed = _allowed_methods(app, request.url.path)
            headers["Allow"] = ", ".join(allowed)
            detail = f"Method {request.method} is not allowed here; use {' or '.join(allowed)}."
        else:
            detail = str(exc.detail)
        return error_response(ApiError(exc.status_code, detail, headers=headers))

    async def unexpected(request: Request, exc: Exception) -> Response:
        logger.exception("Unexpected error on %s %s", request.method, request.url.path)
        body = {"detail": "Something went wrong on our side; please try again.", "errors": []}
        return JSONResponse(body, status_code=500)

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)
