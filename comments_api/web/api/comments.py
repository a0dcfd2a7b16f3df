"""Reading and writing comments: the thread list (hot path), create, edit, delete, report."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, RedirectResponse, Response

from comments_api.auth.dependencies import writing_user
from comments_api.auth.members import with_member_identity
from comments_api.content.comment_input import parse_form, parse_json
from comments_api.content.feeds import absolute_url
from comments_api.content.serialization import MAX_IF_NONE_MATCH, etag_matches, iso, public_comment
from comments_api.db.storage import PUBLIC_COLUMNS
from comments_api.db.tables import Comment, Status, User
from comments_api.errors import (
    ERROR_RESPONSES,
    ApiError,
    ErrorBody,
    Refusal,
    please_correct,
    with_html_page,
)
from comments_api.field_messages import FIELD_MESSAGES
from comments_api.schemas import (
    CommentEdit,
    CreatedComment,
    EditedComment,
    ReportAccepted,
    ReportIn,
    ThreadComments,
)
from comments_api.web.dependencies import (
    FORM_TYPES,
    CommentId,
    ThreadKeyPath,
    client_address,
    content_type,
    read_body,
    read_form,
    service,
)
from comments_api.web.faults import database_fault
from comments_api.web.html import form_error_page
from comments_api.web.refusals import as_api_error

router = APIRouter(prefix="/api/v1", tags=["comments"])

FRAGMENTS = {Status.APPROVED: "#comment-published", Status.PENDING: "#comment-awaiting-moderation"}
JSON_TYPES = frozenset({"application/json", ""})


def _request_body(reference: str) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{reference}"}},
                "application/x-www-form-urlencoded": {
                    "schema": {"$ref": f"#/components/schemas/{reference}Form"}
                },
            },
        }
    }


def _public(comment: Comment) -> dict[str, Any]:
    return public_comment(tuple(getattr(comment, column.key) for column in PUBLIC_COLUMNS))


@router.get(
    "/threads/{key}/comments",
    response_model=ThreadComments,
    summary="Approved comments of a thread, oldest first",
    responses={
        304: {"description": "Not modified: the ETag in If-None-Match is current."},
        404: ERROR_RESPONSES[404],
        422: ERROR_RESPONSES[422],
    },
)
async def list_comments(
    request: Request,
    key: ThreadKeyPath,
    if_none_match: Annotated[str | None, Header(max_length=MAX_IF_NONE_MATCH)] = None,
) -> Response:
    """Approved comments with parent ids for threading; send If-None-Match to get a 304."""
    comments = service(request)
    # The hot path: one indexed lookup, awaited for a bounded time, then the cached bytes.
    state = await comments.storage.hot.thread_state_soon(key)
    cached = comments.list_cache.fresh(state) if state is not None else None
    if cached is None:
        cached = await run_in_threadpool(comments.thread_comments, key)
    headers = {"ETag": cached.etag, "Cache-Control": "no-cache"}
    if etag_matches(if_none_match, cached.etag):
        return Response(status_code=304, headers=headers)
    return Response(cached.body, media_type="application/json", headers=headers)


async def _read_comment_request(request: Request) -> tuple[bool, dict[str, str] | bytes]:
    kind = content_type(request)
    if kind not in FORM_TYPES and kind not in JSON_TYPES and not kind.endswith("+json"):
        raise ApiError(
            415,
            "Send the comment as JSON (application/json) or as form data.",
            [("Content-Type", f"{kind} is not supported.")],
        )
    raw = await read_body(request)
    if kind in FORM_TYPES:
        return True, await read_form(request, raw)
    return False, raw


@router.post(
    "/threads/{key}/comments",
    status_code=201,
    response_model=CreatedComment,
    summary="Post a comment (JSON, or a plain HTML form)",
    openapi_extra=_request_body("NewComment"),
    responses={
        303: {
            "description": "Form posts: back to the post, with #comment-awaiting-moderation "
            "or #comment-published."
        },
        **with_html_page((400, 403, 404, 413, 415, 422, 429, 503, 507)),
        409: {
            "model": ErrorBody,
            "description": "The thread is closed.",
            "content": {"text/html": {"schema": {"type": "string"}}},
        },
    },
)
async def create_comment(request: Request, key: ThreadKeyPath) -> Response:
    """Create a comment; guests give author and email. JSON gets 201, forms get a 303."""
    comments = service(request)
    is_form = False
    payload: dict[str, str] | bytes = b""
    try:
        is_form, payload = await _read_comment_request(request)
        user = await run_in_threadpool(writing_user, request)
        payload = with_member_identity(payload, user)
        submitted = parse_form(payload) if isinstance(payload, dict) else parse_json(payload)
        created = await run_in_threadpool(
            comments.create_comment, key, submitted, client_address(request), user
        )
    except Refusal as refusal:
        if is_form:
            return await _form_error(request, as_api_error(refusal), key, _typed(payload))
        raise
    except Exception as error:
        fault = database_fault(error)
        if fault is None or not is_form:
            raise
        return form_error_page(fault, comments.settings.site_url, _typed(payload))
    if is_form:
        url = absolute_url(comments.settings.site_url, created.thread_url)
        return RedirectResponse(url + FRAGMENTS[created.status], status_code=303)
    body = {
        "comment": _public(created.comment),
        "status": created.status.value,
        "edit_token": created.edit_token,
        "editable_until": iso(created.editable_until),
        "message": created.message,
    }
    return JSONResponse(body, status_code=201)


def _typed(payload: dict[str, str] | bytes) -> str:
    """The comment the reader typed in a form post, to give back to them on an error page."""
    return payload.get("body", "") if isinstance(payload, dict) else ""


async def _form_error(request: Request, error: ApiError, key: str, typed: str) -> Response:
    comments = service(request)
    site_url = comments.settings.site_url
    try:
        state = await run_in_threadpool(comments.storage.thread_state, key)
    except Exception as fault:
        if database_fault(fault) is None:
            raise
        state = None
    back = absolute_url(site_url, state.url) + "#comments" if state else site_url
    return form_error_page(error, back, typed)


@router.patch(
    "/comments/{comment_id}",
    response_model=EditedComment,
    summary="Edit one's own comment within the edit window (moderators: any time)",
    responses={
        **{code: ERROR_RESPONSES[code] for code in (400, 403, 404, 422, 429)},
        409: {
            "model": ErrorBody,
            "description": "A moderator acted on it meanwhile, or its author deleted it.",
        },
    },
)
def edit_comment(
    request: Request,
    comment_id: CommentId,
    edit: CommentEdit,
    x_edit_token: Annotated[
        str | None, Header(alias="X-Edit-Token", min_length=1, max_length=200)
    ] = None,
) -> Response:
    """Replace the Markdown body. The author sends the edit token and the text is screened
    again; a signed-in moderator sends none, and readers see "edited by a moderator"."""
    comments = service(request)
    if x_edit_token is None:
        moderator = _moderator(request).email
        edited = comments.redact_comment(comment_id, edit.body, moderator, public_only=True)
    else:
        edited = comments.edit_comment(comment_id, x_edit_token, edit.body, client_address(request))
    body = {
        "comment": _public(edited.comment),
        "status": edited.status.value,
        "message": edited.message,
    }
    return JSONResponse(body)


def _moderator(request: Request) -> User:
    """The signed-in moderator behind a cookie-authenticated edit (from an allowed origin)."""
    user = writing_user(request)
    if user is None or not user.is_moderator:
        raise ApiError(
            403,
            "Only its author (with the edit token) or a moderator may edit a comment.",
            [("X-Edit-Token", "Send the edit token you received when you posted the comment.")],
        )
    return user


@router.delete(
    "/comments/{comment_id}",
    status_code=204,
    summary="Delete one's own comment within the edit window",
    responses={code: ERROR_RESPONSES[code] for code in (403, 404, 422, 429)},
)
def delete_comment(
    request: Request,
    comment_id: CommentId,
    x_edit_token: Annotated[str, Header(alias="X-Edit-Token", min_length=1, max_length=200)],
) -> Response:
    """Withdraw the comment; it disappears from the thread at once."""
    service(request).delete_comment(comment_id, x_edit_token, client_address(request))
    return Response(status_code=204)


@router.post(
    "/comments/{comment_id}/report",
    status_code=202,
    response_model=ReportAccepted,
    summary="Report a comment to the moderators",
    openapi_extra=_request_body("ReportIn"),
    responses={
        303: {"description": "Form posts: back to the post, with #comment-reported."},
        **with_html_page((400, 403, 404, 413, 415, 422, 429, 503, 507)),
    },
)
async def report_comment(request: Request, comment_id: CommentId) -> Response:
    """Ask moderators to review a published comment, with a reason."""
    comments = service(request)
    is_form = False
    try:
        is_form, payload = await _read_comment_request(request)
        report = _parse_report(payload)
        await run_in_threadpool(
            comments.report_comment, comment_id, report.reason, client_address(request)
        )
    except Exception as error:
        refusal = as_api_error(error) if isinstance(error, Refusal) else database_fault(error)
        if refusal is None or not is_form:
            raise
        return form_error_page(refusal, comments.settings.site_url)
    if is_form:
        comment = await run_in_threadpool(comments.storage.get_comment, comment_id)
        state = await run_in_threadpool(
            comments.storage.thread_state, comment.thread_key if comment else ""
        )
        url = absolute_url(comments.settings.site_url, state.url if state else "")
        return RedirectResponse(url + "#comment-reported", status_code=303)
    return JSONResponse(
        {"message": "Thank you: a moderator will review this comment."}, status_code=202
    )


def _parse_report(payload: dict[str, str] | bytes) -> ReportIn:
    import json

    from pydantic import ValidationError

    if isinstance(payload, bytes):
        try:
            data: Any = json.loads(payload)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(
                400,
                "The request body is not valid JSON; send a JSON object.",
                [("request_body", f"Malformed JSON: {exc}")],
            ) from None
    else:
        data = payload
    if not isinstance(data, dict):
        raise ApiError(
            422, "Send a JSON object.", [("request_body", 'Expected {"reason": "..."}.')]
        )
    try:
        return ReportIn.model_validate(data)
    except ValidationError:
        raise ApiError(
            422,
            please_correct(["reason"]),
            [("reason", FIELD_MESSAGES["reason"])],
        ) from None
