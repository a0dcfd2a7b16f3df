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
from comments_api.comments.service import REDACTED
from comments_api.db.moderation_log import list_events
from comments_api.db.site_rebuilds import rebuild_status
from comments_api.db.tables import User
from comments_api.errors import NotFound, Refusal
from comments_api.moderation.actions import NEW_STATUS, Action, deleted_by_author
from comments_api.moderation.desk import Outcome, act_on_comments
from comments_api.moderation.queue import (
    CommentInContext,
    Listing,
    comment_in_context,
    held_or_reported,
    matching,
    spam_folder,
)
from comments_api.schemas import CONTROL, MAX_ID
from comments_api.web.dependencies import service
from comments_api.web.html import html_page
from comments_api.web.refusals import as_api_error

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
# The end of "3 comments …" once an action is done, and where a comment it left alone was.
DONE_WORDS: dict[str, str] = {
    "approve": "approved",
    "reject": "rejected",
    "spam": "marked as spam",
    "delete": "deleted",
    "restore": "returned to the queue",
}
ALREADY_WORDS: dict[str, str] = {
    "approve": "approved",
    "reject": "rejected",
    "spam": "in the spam folder",
    "delete": "deleted",
    "restore": "in the queue",
}
ACTIONS: tuple[str, ...] = get_args(Action)
# How the page for one comment names where it is and what was done to it.
STATUS_WORDS: dict[str, str] = {
    "pending": "Held for a moderator",
    "approved": "Published",
    "rejected": "Rejected",
    "spam": "In the spam folder",
    "deleted": "Deleted",
}
# What happened, before "by WHO" in a comment's history.
EVENT_WORDS: dict[str, str] = {
    "approve": "Approved",
    "reject": "Rejected",
    "spam": "Marked as spam",
    "delete": "Deleted",
    "ban": "Author banned",
    "restore": "Returned to the queue",
    "redact": "Text edited",
    "withdraw": "Withdrawn",
}
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
    if params.get("done") == "redact":
        return REDACTED, "notice"
    done = params.get("done", "")
    count, unchanged = params.get("count", ""), params.get("unchanged", "0")
    if done in ACTIONS and count.isdigit() and unchanged.isdigit():
        return _done_message(done, int(count), int(unchanged)), "notice"
    return "", ""


def _comments(count: int) -> str:
    return f"{count} comment" if count == 1 else f"{count} comments"


def _done_message(action: str, count: int, unchanged: int) -> str:
    """E.g. "3 comments marked as spam." and "1 comment was already approved; nothing
    changed." (an action that would change nothing is neither done nor logged)."""
    sentences = []
    if count or not unchanged:
        if action == "ban":
            sentences.append(
                f"{'Author' if count == 1 else 'Authors'} of {_comments(count)} banned."
            )
        else:
            sentences.append(f"{_comments(count)} {DONE_WORDS[action]}.")
    if unchanged and action in ALREADY_WORDS:
        was = "was" if unchanged == 1 else "were"
        sentences.append(
            f"{_comments(unchanged)} {was} already {ALREADY_WORDS[action]}; nothing changed."
        )
    return " ".join(sentences)


def site_rebuild_context(request: Request) -> dict[str, Any]:
    """What the top of every moderation page says about the static site's last rebuild."""
    settings = service(request).settings
    with service(request).storage.reading() as session:
        rebuild = rebuild_status(session)
    return {
        "build_hook_set": bool(settings.build_hook_url),
        "rebuild": rebuild,
        "rebuild_due": rebuild.due_at(settings.build_hook_seconds),
    }


def _page(request: Request, user: User, template: str, current: str, **context: Any) -> Response:
    text, kind = _notice(request)
    return html_page(
        template,
        user=user,
        csrf_token=csrf_token(request),
        current=current,
        notice=text,
        notice_kind=kind,
        action_labels=ACTION_LABELS,
        status_words=STATUS_WORDS,
        back=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        **site_rebuild_context(request),
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
            request,
            user,
            "queue",
            "Moderation queue",
            listing,
            "Nothing is waiting: no held or reported comments.",
            ("approve", "reject", "spam", "delete", "ban"),
        )


@router.get("/spam")
def spam(request: Request, user: Moderator) -> Response:
    """The spam folder: comments marked as spam by the filter or by a moderator."""
    with service(request).storage.reading() as session:
        listing = spam_folder(session, _site_url(request))
        return _listing_page(
            request,
            user,
            "spam",
            "Spam folder",
            listing,
            "The spam folder is empty.",
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
            request,
            user,
            "search",
            f"Search: {q}" if q.strip() else "Search",
            listing,
            empty,
            ("approve", "reject", "spam", "delete", "ban", "restore"),
            query=q,
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
) -> Outcome:
    """Apply the action to each comment."""
    comments = service(request)
    chosen: Action = action  # type: ignore[assignment]  # checked against ACTIONS by the caller
    return act_on_comments(
        comments.storage, comments.settings, comment_ids, chosen, user.email, reason
    )


def _done_notice(back: str, action: str, outcome: Outcome) -> str:
    """The page to go back to, with the message that says what the action did."""
    notice = {"done": action, "count": str(outcome.done)}
    if outcome.unchanged:
        notice["unchanged"] = str(outcome.unchanged)
    return _with_notice(back, **notice)


async def _form(request: Request) -> FormData:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    return form


def _reason(form: FormData) -> str | None:
    reason = " ".join(CONTROL_CHARACTERS.sub("", str(form.get("reason", ""))).split())[:1000]
    return reason or None


def _confirm_delete(
    request: Request,
    user: User,
    comment_ids: list[int],
    back: str,
    reason: str | None,
    action_url: str,
) -> Response | None:
    """The page that asks before comments are deleted, or None when none of them exists."""
    with service(request).storage.reading() as session:
        found = [comment_in_context(session, cid, _site_url(request)) for cid in comment_ids]
    items = [context.item for context in found if context is not None]
    if not items:
        return None
    return _page(
        request,
        user,
        "moderation/confirm_delete.html",
        "",
        items=items,
        back_to=back,
        reason=reason or "",
        action_url=action_url,
    )


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
    if action == "delete" and form.get("confirmed") != "yes":
        asking = await run_in_threadpool(
            _confirm_delete,
            request,
            user,
            [comment_id],
            back,
            _reason(form),
            f"/moderation/comments/{comment_id}",
        )
        if asking is not None:
            return asking
    outcome = await run_in_threadpool(_apply, request, user, [comment_id], action, _reason(form))
    if outcome.refused:
        return RedirectResponse(_with_notice(back, error="author-deleted"), status_code=303)
    if not outcome.done and not outcome.unchanged:
        return RedirectResponse(_with_notice(back, error="unknown"), status_code=303)
    return RedirectResponse(_done_notice(back, action, outcome), status_code=303)


def _actions_for(found: CommentInContext) -> tuple[str, ...]:
    """The actions that would change something for this comment (a ban always may)."""
    comment = found.item.comment
    if deleted_by_author(comment):
        return ("ban",)
    return tuple(
        action
        for action, leads_to in NEW_STATUS.items()
        if action == "ban"
        or leads_to.value != comment.status
        or (action == "approve" and found.item.reports)
    )


def _comment_page(
    request: Request,
    user: User,
    comment_id: int,
    found: CommentInContext | None,
    status_code: int = 200,
    **context: Any,
) -> Response:
    return _page(
        request,
        user,
        "moderation/comment.html",
        "",
        comment_id=comment_id,
        found=found,
        actions=_actions_for(found) if found else (),
        event_words=EVENT_WORDS,
        status_code=status_code if found else 404,
        **context,
    )


def _find(request: Request, comment_id: int) -> CommentInContext | None:
    with service(request).storage.reading() as session:
        return comment_in_context(session, comment_id, _site_url(request))


@router.get("/comments/{comment_id}")
def comment_page(
    request: Request,
    user: Moderator,
    comment_id: Annotated[int, Path(ge=1, le=MAX_ID)],
) -> Response:
    """One comment: its post, the comment it answers, its replies, its history, the actions."""
    return _comment_page(request, user, comment_id, _find(request, comment_id))


@router.post("/comments/{comment_id}/redact")
async def redact(
    request: Request,
    user: Moderator,
    comment_id: Annotated[int, Path(ge=1, le=MAX_ID)],
) -> Response:
    """Change a comment's text (take out what breaks the policy); readers see it was edited."""
    form = await _form(request)
    body = str(form.get("body", "")).replace("\r\n", "\n")
    try:
        await run_in_threadpool(
            service(request).redact_comment, comment_id, body, user.email, _reason(form)
        )
    except Refusal as refusal:
        if isinstance(refusal, NotFound):
            return RedirectResponse("/moderation?error=unknown", status_code=303)
        error = as_api_error(refusal)
        found = await run_in_threadpool(_find, request, comment_id)
        messages = [item.message for item in error.errors if item.field == "body"]
        return _comment_page(
            request,
            user,
            comment_id,
            found,
            status_code=error.status_code,
            redact_error=messages[0] if messages else error.detail,
            redact_text=body,
        )
    return RedirectResponse(f"/moderation/comments/{comment_id}?done=redact", status_code=303)


@router.post("/bulk")
async def act_on_many(request: Request, user: Moderator) -> Response:
    """One action on every selected comment."""
    form = await _form(request)
    back = _safe_back(str(form.get("back", "/moderation")))
    action = str(form.get("action", ""))
    selected = [
        int(value)
        for value in form.getlist("comment")
        if isinstance(value, str) and value.isdigit() and 0 < int(value) <= MAX_ID
    ][:MAX_BULK]
    if not selected or action not in ACTIONS:
        return RedirectResponse(_with_notice(back, error="none-selected"), status_code=303)
    if action == "delete" and form.get("confirmed") != "yes":
        asking = await run_in_threadpool(
            _confirm_delete, request, user, selected, back, _reason(form), "/moderation/bulk"
        )
        if asking is not None:
            return asking
    outcome = await run_in_threadpool(_apply, request, user, selected, action, _reason(form))
    return RedirectResponse(_done_notice(back, action, outcome), status_code=303)


def install_moderation(app: FastAPI) -> None:
    """Serve the moderation pages at /moderation."""
    app.include_router(router)
