"""The build-time snapshot: every approved comment, fetched from the API in a few pages."""

from __future__ import annotations

import contextlib
import logging
import urllib.parse
from collections import defaultdict
from typing import Any

from .api_client import ApiCallError, call_api
from .settings import CommentsSettings

logger = logging.getLogger(__name__)

MAX_PAGES = 1000  # a cursor that never ends is a bad answer, not a loop
COMMENT_FIELDS = {"id", "thread", "parent", "author", "created", "html"}


class SnapshotError(Exception):
    """The API could not give a usable snapshot; the message says why."""


def fetch_snapshot(settings: CommentsSettings) -> dict[str, list[dict[str, Any]]] | None:
    """Approved comments by thread key, or None (with one warning) when the API fails us."""
    try:
        comments = _fetch_all_pages(settings)
    except SnapshotError as problem:
        warn_without_failing_the_build(
            "Comments snapshot skipped: %s. The pages are built without comments; "
            "the widget still loads them live from %s.",
            problem,
            settings.api_url,
        )
        return None
    by_thread: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for comment in comments:
        by_thread[comment["thread"]].append(comment)
    return dict(by_thread)


def warn_without_failing_the_build(message: str, *args: Any) -> None:
    """Log a warning that `pelican --fatal warnings` does not turn into a failed build.

    The site must publish while the comments API is down: readers then get the comments
    live from the widget, so an outage is worth a warning but never a failed deploy.
    """
    with contextlib.suppress(RuntimeError):  # Pelican's fatal logger, after showing it
        logger.warning(message, *args)


def _fetch_all_pages(settings: CommentsSettings) -> list[dict[str, Any]]:
    comments: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        query = {"limit": settings.snapshot_page_size} | ({"cursor": cursor} if cursor else {})
        page = _fetch_page(settings, urllib.parse.urlencode(query))
        comments.extend(page["comments"])
        cursor = page["next"]
        if not cursor:
            return comments
    raise SnapshotError(f"the API kept paging after {MAX_PAGES} pages")


def _fetch_page(settings: CommentsSettings, query: str) -> dict[str, Any]:
    url = f"{settings.api_url}/api/v1/snapshot?{query}"
    try:
        page = call_api(
            url,
            token=settings.snapshot_token,
            timeout=settings.snapshot_timeout,
            token_hint="check COMMENTS_SNAPSHOT_TOKEN",
        )
    except ApiCallError as error:
        raise SnapshotError(str(error)) from error
    if not _is_snapshot_page(page):
        raise SnapshotError(f"{url} answered with JSON that is not a snapshot page")
    checked: dict[str, Any] = page
    return checked


def _is_snapshot_page(page: Any) -> bool:
    return (
        isinstance(page, dict)
        and isinstance(page.get("comments"), list)
        and (page.get("next") is None or isinstance(page.get("next"), str | int))
        and all(isinstance(c, dict) and c.keys() >= COMMENT_FIELDS for c in page["comments"])
    )
