"""The moderation pages: server-rendered, no JavaScript, moderators and admins only."""

from __future__ import annotations

import re
from typing import Annotated, Any, get_args
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from comments_api.auth.dependencies import check_csrf, csrf_token, require_moderator
from comments_api.auth.models import User
from comments_api.auth.web import html_page
from comments_api.moderation.actions import (
    Action,
    ActionRefused,
    UnknownComment,
    apply_action,
    list_events,
)
from comments_api.moderation.queue import Listing, held_or_reported, matching, spam_folder
from comments_api.routes.common import service
from comments_api.schemas import CONTROL, MAX_ID

__all__ = ["install_moderation", "router"]

router = APIRouter(
    prefix="/moderation",
    include_in_schema=False,
    dependencies=[Depends(require_moderator)],
)
Moderator = Annotated[User, Depends(require_moderator)]

ACTION_LABELS: dict[str, str] = {
    "approve": "Approve",
    "reject": "Reject",
    "spam": "Mark as spam",
    "delete": "Delete",
    "ban": "Ban author",
    "restore": "Back to queue",
}
DONE_LABELS: dict[str, str] = {
    "approve": "Approved",
    "reject": "Rejected",
    "spam": "Marked as spam",
    "delete": "Deleted",
    "ban": "Banned the author of",
    "restore": "Returned to the queue",
}
ACTIONS: tuple[str, ...] = get_args(Action)
MAX_BULK = 200
LOG_PAGE = 100
# Typed text keeps no control characters (PostgreSQL refuses NUL in text and in queries).
CONTROL_CHARACTERS = re.compile(f"[{CONTROL}]")


def _site_url(request: Request) -> str:
    return service(request).settings.site_url


def _safe_back(back: str) -> str:
    """Return only to a moderation page of this service (never elsewhere)."""
    parts = urlsplit(back)
    if parts.scheme or parts.netloc or not parts.path.startswith("/moderation"):
        return "/moderation"
    if "\\" in back or any(ord(character) < 32 for character in back):
        return "/moderation"
    kept = [(name, value) for name, value in parse_qsl(parts.query) if name in {"q"}]
    return parts.path + (f"?{urlencode(kept)}" if kept else "")


def _with_notice(back: str, **notice: str) -> str:
    separator = "&" if "?" in back else "?"
    return back + separator + urlencode(notice)


def _notice(request: Request) -> tuple[str, str]:
    """A message about the last action, from the redirect's query: (text, kind)."""
    params = request.query_params
    if params.get("error") == "none-selected":
        return "Select at least one comment, then choose an action.", "problem"
    if params.get("error") == "unknown":
        return "That comment no longer exists.", "problem"
    if params.get("error") == "author-deleted":
        refusal = "Its author deleted that comment, so it stays deleted (you can still ban)."
        return refusal, "problem"
    done = params.get("done", "")
    count = params.get("count", "")
    if done in DONE_LABELS and count.isdigit():
        noun = "comment" if count == "1" else "comments"
        return f"{DONE_LABELS[done]} {count} {noun}.", "notice"
    return "", ""


def _page(
    request: Request, user: User, template: str, current: str, **context: Any
) -> Response:
    text, kind = _notice(request)
    return html_page(
        template,
        user=user,
        csrf_token=csrf_token(request),
        current=current,
        notice=text,
        notice_kind=kind,
        action_labels=ACTION_LABELS,
        back=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        **context,
    )


def _listing_page(
    request: Request,
    user: User,
    current: str,
    title: str,
    listing: Listing,
    empty: str,
    actions: tuple[str, ...],
    query: str = "",
) -> Response:
    return _page(
        request,
        user,
        "moderation/queue.html",
        current,
        title=title,
        listing=listing,
        empty=empty,
        actions=actions,
        query=query,
    )


@router.get("")
def queue(request: Request, user: Moderator) -> Response:
    """Held comments and reported comments, oldest first."""
    with service(request).storage.reading() as session:
        listing = held_or_reported(session, _site_url(request))
        return _listing_page(
            request, user, "queue", "Moderation queue", listing,
            "Nothing is waiting: no held or reported comments.",
            ("approve", "reject", "spam", "delete", "ban"),
        )


@router.get("/spam")
def spam(request: Request, user: Moderator) -> Response:
    """The spam folder: comments marked as spam by the filter or by a moderator."""
    with service(request).storage.reading() as session:
        listing = spam_folder(session, _site_url(request))
        return _listing_page(
            request, user, "spam", "Spam folder", listing, "The spam folder is empty.",
            ("approve", "restore", "delete", "ban"),
        )


@router.get("/search")
def search(
    request: Request,
    user: Moderator,
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """Comments in any state by author name, e-mail address or text."""
    q = CONTROL_CHARACTERS.sub("", q)
    with service(request).storage.reading() as session:
        listing = matching(session, q, _site_url(request)) if q.strip() else Listing([], 0)
        empty = f"No comment matches “{q}”." if q.strip() else "Type a name, address or words."
        return _listing_page(
            request, user, "search", f"Search: {q}" if q.strip() else "Search", listing, empty,
            ("approve", "reject", "spam", "delete", "ban", "restore"), query=q,
        )


@router.get("/log")
def audit_log(
    request: Request,
    user: Moderator,
    before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    """Who did what to which comment, and when; newest first."""
    with service(request).storage.reading() as session:
        events = list_events(session, LOG_PAGE + 1, before_id=before)
        older = events[LOG_PAGE - 1].id if len(events) > LOG_PAGE else None
        return _page(
            request, user, "moderation/log.html", "log", events=events[:LOG_PAGE], older=older
        )


def _apply(
    request: Request, user: User, comment_ids: list[int], action: str, reason: str | None
) -> tuple[int, int]:
    """Apply the action to each comment; returns (done, refused)."""
    settings = service(request).settings
    done = refused = 0
    with service(request).storage.writing() as session:
        for comment_id in comment_ids:
            try:
                apply_action(session, comment_id, action, user.email, reason,  # type: ignore[arg-type]
                             settings=settings)
            except UnknownComment:
                continue
            except ActionRefused:
                refused += 1
                continue
            done += 1
    return done, refused


async def _form(request: Request) -> FormData:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    return form


def _reason(form: FormData) -> str | None:
    reason = " ".join(CONTROL_CHARACTERS.sub("", str(form.get("reason", ""))).split())[:1000]
    return reason or None


@router.post("/comments/{comment_id}")
async def act_on_comment(
    request: Request,
    user: Moderator,
    comment_id: Annotated[int, Path(ge=1, le=MAX_ID)],
) -> Response:
    """One action on one comment, then back to the page it was taken from."""
    form = await _form(request)
    back = _safe_back(str(form.get("back", "/moderation")))
    action = str(form.get("action", ""))
    if action not in ACTIONS:
        return RedirectResponse(back, status_code=303)
    done, refused = await run_in_threadpool(
        _apply, request, user, [comment_id], action, _reason(form)
    )
    if refused:
        return RedirectResponse(_with_notice(back, error="author-deleted"), status_code=303)
    if not done:
        return RedirectResponse(_with_notice(back, error="unknown"), status_code=303)
    return RedirectResponse(_with_notice(back, done=action, count=str(done)), status_code=303)


@router.post("/bulk")
async def act_on_many(request: Request, user: Moderator) -> Response:
    """One action on every selected comment."""
    form = await _form(request)
    back = _safe_back(str(form.get("back", "/moderation")))
    action = str(form.get("action", ""))
    selected = [
        int(value) for value in form.getlist("comment")
        if isinstance(value, str) and value.isdigit() and 0 < int(value) <= MAX_ID
    ][:MAX_BULK]
    if not selected or action not in ACTIONS:
        return RedirectResponse(_with_notice(back, error="none-selected"), status_code=303)
    done, _ = await run_in_threadpool(_apply, request, user, selected, action, _reason(form))
    return RedirectResponse(_with_notice(back, done=action, count=str(done)), status_code=303)


def install_moderation(app: FastAPI) -> None:
    """Serve the moderation pages at /moderation."""
    app.include_router(router)
