"""The build-time snapshot: every approved comment, fetched from the API in a few pages.

With `COMMENTS_SNAPSHOT_INCREMENTAL` (the default), the snapshot and its cursor are kept in
Pelican's cache folder, and the next build asks only for what changed since (approved, changed
and removed comments). A missing or unreadable cache, a cache of another API, or a cursor the API
no longer knows (410) means one full fetch; the pages come out the same either way.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import urllib.parse
from collections import defaultdict
from pathlib import Path
from typing import Any

from .api_client import ApiCallError, call_api
from .settings import CommentsSettings

logger = logging.getLogger(__name__)

MAX_PAGES = 1000  # a cursor that never ends is a bad answer, not a loop
COMMENT_FIELDS = {"id", "thread", "parent", "author", "created", "html"}
CACHE_FORMAT = 1
CURSOR_UNKNOWN = 410


class SnapshotError(Exception):
    """The API could not give a usable snapshot; the message says why."""


class CursorUnknown(SnapshotError):
    """The API does not know the cached cursor: fetch everything again."""


def fetch_snapshot(settings: CommentsSettings) -> dict[str, list[dict[str, Any]]] | None:
    """Approved comments by thread key, or None (with one warning) when the API fails us."""
    try:
        comments = _comments(settings)
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


def _comments(settings: CommentsSettings) -> list[dict[str, Any]]:
    """Every comment of the snapshot by id: the cached one brought up to date, or all of it."""
    cached = _read_cache(settings) if settings.snapshot_cache else None
    comments: list[dict[str, Any]] | None = None
    if cached is not None:
        try:
            comments, cursor = _apply_changes(settings, *cached)
        except CursorUnknown:
            logger.info("The comments API does not know the cached cursor: fetching everything")
    if comments is None:
        comments, cursor = _fetch_all_pages(settings)
        logger.info("Comments snapshot: %s comments, fetched whole", len(comments))
    else:
        logger.info("Comments snapshot: %s comments, brought up to date", len(comments))
    if settings.snapshot_cache and cursor:
        _write_cache(settings, comments, cursor)
    return comments


def _fetch_all_pages(settings: CommentsSettings) -> tuple[list[dict[str, Any]], str | None]:
    comments: list[dict[str, Any]] = []
    cursor: str | None = None
    first_cursor: str | None = None
    for _ in range(MAX_PAGES):
        query = {"limit": settings.snapshot_page_size} | ({"cursor": cursor} if cursor else {})
        page = _fetch_page(settings, "/api/v1/snapshot", query)
        comments.extend(page["comments"])
        # The first page's: changes after it started cover everything the later pages missed.
        first_cursor = first_cursor or _changes_cursor(page)
        cursor = page["next"]
        if not cursor:
            return comments, first_cursor
    raise SnapshotError(f"the API kept paging after {MAX_PAGES} pages")


def _apply_changes(
    settings: CommentsSettings, comments: list[dict[str, Any]], since: str
) -> tuple[list[dict[str, Any]], str | None]:
    """The cached comments with every change since `since` applied, and the next cursor."""
    by_id = {comment["id"]: comment for comment in comments}
    cursor: str | None = None
    first_cursor: str | None = None
    for _ in range(MAX_PAGES):
        query = {"since": since, "limit": settings.snapshot_page_size}
        page = _fetch_page(
            settings, "/api/v1/snapshot/changes", query | ({"cursor": cursor} if cursor else {})
        )
        if not isinstance(page.get("removed"), list):
            raise SnapshotError("the API's snapshot changes have no `removed` list")
        for comment in page["comments"]:
            by_id[comment["id"]] = comment
        for identifier in page["removed"]:
            by_id.pop(identifier, None)
        first_cursor = first_cursor or _changes_cursor(page)
        cursor = page["next"]
        if not cursor:
            return [by_id[key] for key in sorted(by_id)], first_cursor
    raise SnapshotError(f"the API kept paging after {MAX_PAGES} pages")


def _changes_cursor(page: dict[str, Any]) -> str | None:
    cursor = page.get("changes_since")
    return cursor if isinstance(cursor, str) and cursor else None


def _fetch_page(settings: CommentsSettings, path: str, query: dict[str, Any]) -> dict[str, Any]:
    url = f"{settings.api_url}{path}?{urllib.parse.urlencode(query)}"
    try:
        page = call_api(
            url,
            token=settings.snapshot_token,
            timeout=settings.snapshot_timeout,
            token_hint="check COMMENTS_SNAPSHOT_TOKEN",
        )
    except ApiCallError as error:
        if error.status == CURSOR_UNKNOWN:
            raise CursorUnknown(str(error)) from error
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


# --- the cache in CACHE_PATH -----------------------------------------------------------------


def _read_cache(settings: CommentsSettings) -> tuple[list[dict[str, Any]], str] | None:
    """The cached comments and cursor, if the cache is whole and from this API."""
    try:
        stored = json.loads(Path(settings.snapshot_cache).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (
        isinstance(stored, dict)
        and stored.get("format") == CACHE_FORMAT
        and stored.get("api_url") == settings.api_url
        and isinstance(stored.get("changes_since"), str)
        and isinstance(stored.get("comments"), list)
        and all(isinstance(c, dict) and c.keys() >= COMMENT_FIELDS for c in stored["comments"])
    ):
        return None
    return stored["comments"], stored["changes_since"]


def _write_cache(settings: CommentsSettings, comments: list[dict[str, Any]], cursor: str) -> None:
    """Write the cache whole or not at all (a build stopped half-way leaves the old one)."""
    path = Path(settings.snapshot_cache)
    document = {
        "format": CACHE_FORMAT,
        "api_url": settings.api_url,
        "changes_since": cursor,
        "comments": comments,
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        partial.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, path)
    except OSError as error:
        logger.info("Cannot keep the comments snapshot in %s (%s)", path, error)
