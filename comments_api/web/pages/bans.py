"""The ban form of a comment's author, and the Bans page where any ban is lifted."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from comments_api.auth.dependencies import csrf_token, require_moderator
from comments_api.db.tables import Comment, User
from comments_api.moderation.banning import NETWORK_BAN_LENGTHS
from comments_api.moderation.bans import ban_entries
from comments_api.moderation.desk import ban_comment_author, lift_one_ban
from comments_api.moderation.queue import review_items
from comments_api.schemas import MAX_ID
from comments_api.web.dependencies import service
from comments_api.web.html import html_page
from comments_api.web.pages.moderation import (
    _form,
    _reason,
    _safe_back,
    _with_notice,
    site_rebuild_context,
)

__all__ = ["install_ban_pages", "router"]

router = APIRouter(
    prefix="/moderation",
    include_in_schema=False,
    dependencies=[Depends(require_moderator)],
)
Moderator = Annotated[User, Depends(require_moderator)]
CommentId = Annotated[int, Path(ge=1, le=MAX_ID)]
BANS_PAGE = "/moderation/bans"
NOTICES = {
    "lifted": ("Ban lifted: they can comment again. The audit log records it.", "notice"),
    "unknown": ("That ban was already lifted or has ended.", "problem"),
}


def _page(
    request: Request, user: User, template: str, status_code: int = 200, **context: Any
) -> Response:
    text, kind = NOTICES.get(request.query_params.get("notice", ""), ("", ""))
    return html_page(
        template,
        status_code,
        user=user,
        csrf_token=csrf_token(request),
        current="bans",
        notice=text,
        notice_kind=kind,
        **site_rebuild_context(request),
        **context,
    )


@router.get("/bans")
def bans(request: Request, user: Moderator) -> Response:
    """Every ban in force, newest first, each with a "Lift ban" button."""
    with service(request).storage.reading() as session:
        entries = ban_entries(session)
    return _page(request, user, "moderation/bans.html", entries=entries)


@router.post("/bans/{ban_id}/lift")
async def lift_one(
    request: Request, user: Moderator, ban_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> Response:
    """Lift a ban (and what was banned with it), then back to the Bans page."""
    form = await _form(request)

    storage = service(request).storage
    lifted = await run_in_threadpool(lift_one_ban, storage, ban_id, user.email, _reason(form))
    notice = "lifted" if lifted else "unknown"
    return RedirectResponse(_with_notice(BANS_PAGE, notice=notice), status_code=303)


def _ban_form(
    request: Request, user: User, comment_id: int, back: str, problem: str = ""
) -> Response:
    with service(request).storage.reading() as session:
        comment = session.get(Comment, comment_id)
        if comment is None:
            return RedirectResponse(_with_notice(back, error="unknown"), status_code=303)
        [item] = review_items(session, [comment], service(request).settings.site_url)
        account = session.get(User, comment.user_id) if comment.user_id is not None else None
    return _page(
        request,
        user,
        "moderation/ban_form.html",
        422 if problem else 200,
        item=item,
        account=account,
        lengths={value: label for value, (label, _) in NETWORK_BAN_LENGTHS.items()},
        back=back,
        problem=problem,
    )


@router.get("/comments/{comment_id}/ban")
def ban_form(request: Request, user: Moderator, comment_id: CommentId) -> Response:
    """What banning this comment's author refuses, with the network as an explicit choice."""
    back = _safe_back(request.query_params.get("back", "/moderation"))
    return _ban_form(request, user, comment_id, back)


@router.post("/comments/{comment_id}/ban")
async def ban(request: Request, user: Moderator, comment_id: CommentId) -> Response:
    """Ban the author: account and e-mail address, and the network only if chosen."""
    form = await _form(request)
    back = _safe_back(str(form.get("back", "/moderation")))
    choice = str(form.get("network", ""))
    if choice and choice not in NETWORK_BAN_LENGTHS:
        words = " or ".join(label for label, _ in NETWORK_BAN_LENGTHS.values())
        problem = f"Choose whether to ban the network too: not at all, or for {words}."
        return await run_in_threadpool(_ban_form, request, user, comment_id, back, problem)
    network_for = NETWORK_BAN_LENGTHS[choice][1] if choice else None

    comments = service(request)
    banned = await run_in_threadpool(
        ban_comment_author,
        comments.storage,
        comments.settings,
        comment_id,
        user.email,
        _reason(form),
        network_for,
    )
    if not banned:
        return RedirectResponse(_with_notice(back, error="unknown"), status_code=303)
    return RedirectResponse(_with_notice(back, done="ban", count="1"), status_code=303)


def install_ban_pages(app: FastAPI) -> None:
    """Serve the ban form and the Bans page under /moderation."""
    app.include_router(router)
