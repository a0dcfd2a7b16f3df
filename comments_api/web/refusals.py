"""The domain's refusals as HTTP answers: each kind has its status, and the one error body."""

from __future__ import annotations

from fastapi import FastAPI, Request
from starlette.responses import Response

from comments_api.errors import (
    ApiError,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    Refusal,
    Unreadable,
    error_response,
)

__all__ = ["STATUS_CODES", "as_api_error", "install_refusal_handler"]

STATUS_CODES: dict[type[Refusal], int] = {
    Unreadable: 400,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Invalid: 422,
    RateLimited: 429,
}


def as_api_error(refusal: Refusal) -> ApiError:
    """The refusal with its HTTP status (and Retry-After when the client should wait)."""
    if isinstance(refusal, ApiError):
        return refusal
    headers = {"Retry-After": str(refusal.retry_after)} if isinstance(refusal, RateLimited) else {}
    status_code = next(STATUS_CODES[kind] for kind in type(refusal).__mro__ if kind in STATUS_CODES)
    errors = [(error.field, error.message) for error in refusal.errors]
    return ApiError(status_code, refusal.detail, errors, headers)


def install_refusal_handler(app: FastAPI) -> None:
    """Answer every refusal the domain raises through a route with its status and error body."""

    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Refusal)
        return error_response(as_api_error(exc))

    app.add_exception_handler(Refusal, refused)
