"""The site's one HTTP client for the comments API: the build's snapshot and `sync-threads`.

The site talks to the service only over HTTP, as a browser would (it never imports it). Every
failure becomes an `ApiCallError` whose message says what went wrong in words an editor or a CI
log reader can act on.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

__all__ = ["ApiCallError", "call_api"]

# Answers worth a hint: they mean the token is missing, wrong, or for another service.
TOKEN_STATUSES = (401, 403)


class ApiCallError(Exception):
    """The API did not give a usable JSON answer; the message says why."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def call_api(
    url: str,
    *,
    method: str = "GET",
    token: str = "",
    body: bytes | None = None,
    timeout: float = 30,
    token_hint: str = "",
) -> Any:
    """The JSON answer of one request to the API.

    `token` goes in an `Authorization: Bearer` header; `token_hint` is added to the message of a
    401 or 403 (for example, which setting holds the token).
    """
    headers = {"Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = response.read()
    except urllib.error.HTTPError as error:
        hint = f" ({token_hint})" if token_hint and error.code in TOKEN_STATUSES else ""
        raise ApiCallError(
            f"{url} answered HTTP {error.code}{hint}{_detail(error)}", error.code
        ) from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ApiCallError(f"the comments API at {url} is unreachable ({reason})") from error
    try:
        return json.loads(answer)
    except ValueError as error:
        raise ApiCallError(f"{url} did not answer with JSON") from error


def _detail(error: urllib.error.HTTPError) -> str:
    """The API's own explanation of a refusal, when it gave one in its error body."""
    try:
        detail = json.loads(error.read()).get("detail")
    except (ValueError, AttributeError, OSError):
        return ""
    return f": {detail}" if isinstance(detail, str) and detail else ""
