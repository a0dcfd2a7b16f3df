"""Endpoints for the site and its build: counts, snapshot, thread manifest, feeds, health."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import StringConstraints
from starlette.responses import JSONResponse, Response

from comments_api.comments.threads import manifest_entries
from comments_api.content.changes import changes_cursor, read_changes_cursor
from comments_api.content.feeds import absolute_url, atom_feed
from comments_api.content.serialization import dump_json, public_comment
from comments_api.db.tables import utcnow
from comments_api.errors import ERROR_RESPONSES, ApiError, ErrorBody
from comments_api.schemas import (
    KEY_PATTERN,
    Counts,
    Health,
    Snapshot,
    SnapshotChanges,
    SyncReport,
    ThreadManifest,
)
from comments_api.security import bearer_matches
from comments_api.web.dependencies import ThreadKeyPath, service
from comments_api.web.faults import RETRY_AFTER_SECONDS

router = APIRouter(prefix="/api/v1", tags=["site"])
health_router = APIRouter(tags=["operations"])

bearer = HTTPBearer(auto_error=False, description="An API token from the operator's settings.")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No token: send Authorization: Bearer <token>."},
    403: {"model": ErrorBody, "description": "Wrong token."},
}
FEED_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"application/atom+xml": {"schema": {"type": "string"}}},
        "description": "An Atom 1.0 feed.",
    }
}
FEED_LENGTH = 50
UNAVAILABLE_HEADERS = {"Retry-After": str(RETRY_AFTER_SECONDS)}


def _require_token(
    credentials: HTTPAuthorizationCredentials | None, expected: str, name: str
) -> None:
    if credentials is None:
        raise ApiError(
            401,
            f"This needs the {name} token: send Authorization: Bearer <token>.",
            [("Authorization", "Missing bearer token.")],
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not bearer_matches(f"Bearer {credentials.credentials}", expected):
        setting = f"COMMENTS_{name.upper()}_TOKEN"
        detail = (
            f"The {name} token is not set on the server ({setting})."
            if not expected
            else f"That is not the {name} token."
        )
        raise ApiError(403, detail, [("Authorization", "Wrong bearer token.")])


@router.get(
    "/counts",
    response_model=Counts,
    summary="Approved-comment counts of up to 100 threads",
    responses={422: ERROR_RESPONSES[422]},
)
async def counts(
    request: Request,
    thread: Annotated[
        list[Annotated[str, StringConstraints(pattern=KEY_PATTERN)]],
        Query(min_length=1, max_length=100, description="Repeat for each thread (1 to 100)."),
    ],
) -> Response:
    """Counts for index pages; unknown threads count 0."""
    result = await service(request).storage.hot.counts_soon(thread)
    return Response(dump_json({"counts": result}), media_type="application/json")


@router.get(
    "/snapshot",
    response_model=Snapshot,
    summary="All approved comments of all threads, and notes of removed ones, by id, paged "
    "(build token)",
    responses={**AUTH_RESPONSES, 422: ERROR_RESPONSES[422]},
)
def snapshot(
    request: Request,
    credentials: Credentials,
    cursor: Annotated[
        str | None, Query(pattern=r"^[0-9]{1,10}$", description="`next` of the previous page.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> Response:
    """For the site build: page through with `next` until it is null; see `removed`."""
    comments = service(request)
    _require_token(credentials, comments.settings.build_token, "build")
    read_at = utcnow()
    rows = comments.storage.shown_page(int(cursor or 0), limit)
    page = [public_comment(row) for row in rows]
    next_cursor = str(page[-1]["id"]) if len(page) == limit else None
    since = changes_cursor(comments.settings, read_at)
    document = {"comments": page, "next": next_cursor, "changes_since": since}
    return Response(dump_json(document), media_type="application/json")


@router.get(
    "/snapshot/changes",
    response_model=SnapshotChanges,
    summary="What changed in the snapshot since an earlier one, by id, paged (build token)",
    responses={**AUTH_RESPONSES, 410: ERROR_RESPONSES[410], 422: ERROR_RESPONSES[422]},
)
def snapshot_changes(
    request: Request,
    credentials: Credentials,
    since: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            description="`changes_since` of the earlier snapshot (or of its changes).",
        ),
    ],
    cursor: Annotated[
        str | None, Query(pattern=r"^[0-9]{1,10}$", description="`next` of the previous page.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> Response:
    """For an incremental build: comments to add or replace, and ids to take out.

    Answers 410 for a cursor this service did not give out; the build then fetches the whole
    snapshot. Comments may come again in a later answer: apply them by id.
    """
    comments = service(request)
    _require_token(credentials, comments.settings.build_token, "build")
    read_at = utcnow()
    moment = read_changes_cursor(comments.settings, since, read_at)
    if moment is None:
        raise ApiError(
            410,
            "This snapshot cursor is unknown here; fetch the whole snapshot (GET /snapshot).",
            [("since", "Not a cursor this service gave out.")],
        )
    rows = comments.storage.changed_page(moment, int(cursor or 0), limit)
    shown = [public_comment(row) for row, is_shown in rows if is_shown]
    removed = [int(str(row[0])) for row, is_shown in rows if not is_shown]
    next_cursor = str(rows[-1][0][0]) if len(rows) == limit else None
    document = {
        "comments": shown,
        "removed": removed,
        "next": next_cursor,
        "changes_since": changes_cursor(comments.settings, read_at),
    }
    return Response(dump_json(document), media_type="application/json")


@router.put(
    "/threads",
    response_model=SyncReport,
    summary="Replace the thread manifest (deploy token)",
    responses={**AUTH_RESPONSES, 400: ERROR_RESPONSES[400], 422: ERROR_RESPONSES[422]},
)
def put_threads(request: Request, manifest: ThreadManifest, credentials: Credentials) -> SyncReport:
    """Threads in the manifest are created or updated; threads missing from it are retired."""
    comments = service(request)
    _require_token(credentials, comments.settings.deploy_token, "deploy")
    result = comments.sync_threads(manifest_entries(manifest))
    return SyncReport(created=result.created, updated=result.updated, retired=result.retired)


@router.get(
    "/threads/{key}/feed.atom",
    summary="Atom feed of a thread's approved comments",
    response_class=Response,
    responses={**FEED_RESPONSE, 404: ERROR_RESPONSES[404], 422: ERROR_RESPONSES[422]},
)
def thread_feed(request: Request, key: ThreadKeyPath) -> Response:
    """The newest 50 approved comments of one post (removed ones as a note)."""
    comments = service(request)
    state = comments.thread(key)
    site = comments.settings.site_url
    document = atom_feed(
        site_url=site,
        feed_url=str(request.url),
        title=f"Comments on {state.title}",
        alternate_url=absolute_url(site, state.url),
        feed_id=f"thread-{key}",
        entries=comments.storage.latest_shown(FEED_LENGTH, thread_key=key),
    )
    return Response(document, media_type="application/atom+xml")


@router.get(
    "/feed.atom",
    summary="Atom feed of the latest approved comments site-wide",
    response_class=Response,
    responses=FEED_RESPONSE,
)
def site_feed(request: Request) -> Response:
    """The newest 50 approved comments on any post (removed ones as a note)."""
    comments = service(request)
    site = comments.settings.site_url
    document = atom_feed(
        site_url=site,
        feed_url=str(request.url),
        title="Latest comments",
        alternate_url=site + "/",
        feed_id="comments",
        entries=comments.storage.latest_shown(FEED_LENGTH),
    )
    return Response(document, media_type="application/atom+xml")


@health_router.get(
    "/health",
    response_model=Health,
    summary="Liveness: the database answers",
    responses={503: {"model": ErrorBody, "description": "The database does not answer."}},
)
async def health(request: Request) -> Response:
    """`{"status": "ok"}` when the database answers a query."""
    comments = service(request)

    try:
        await request.app.state.health_check.run(comments.storage.ping)
    except Exception as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        body = {
            "detail": "The database does not answer.",
            "errors": [{"field": "database", "message": reason}],
        }
        return JSONResponse(body, status_code=503, headers=UNAVAILABLE_HEADERS)
    stalled = comments.storage.hot.problem
    if stalled is not None:
        body = {
            "detail": "The database does not answer in time; reads are refused for now.",
            "errors": [{"field": "database", "message": stalled}],
        }
        return JSONResponse(body, status_code=503, headers=UNAVAILABLE_HEADERS)
    return JSONResponse({"status": "ok"})
