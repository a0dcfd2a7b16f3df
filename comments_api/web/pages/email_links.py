"""Pages behind the links in e-mails: moderators' approve/reject, unsubscribe, delete my data.

Opening a link (GET) only shows what it will do; the button on that page (POST) does it, so
mail scanners that follow links change nothing. Unsubscribing also accepts the RFC 8058
one-click POST that mail programs send by themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from starlette.responses import HTMLResponse

from comments_api.db.tables import Comment
from comments_api.errors import ERROR_RESPONSES
from comments_api.mail.notifications import stop_reply_mail_for
from comments_api.mail.signed_links import LinkProblem, is_used, read_token
from comments_api.moderation.actions import Action, ActionRefused, UnknownComment
from comments_api.moderation.desk import NoLongerModerator, act_from_email_link
from comments_api.web.dependencies import QueryToken, service
from comments_api.web.html import render

router = APIRouter(tags=["e-mail links"], include_in_schema=True)

Token = Annotated[str, Path(min_length=10, max_length=1000)]
HTML_PAGE = {"text/html": {"schema": {"type": "string"}}}
HTML: dict[int | str, dict[str, Any]] = {
    200: {"content": HTML_PAGE, "description": "A page."},
    400: {"content": HTML_PAGE, "description": "The link is damaged."},
    403: {"content": HTML_PAGE, "description": "The link's owner may no longer do this."},
    404: {"content": HTML_PAGE, "description": "The comment no longer exists."},
    410: {"content": HTML_PAGE, "description": "The link expired or was used."},
    422: ERROR_RESPONSES[422],
}
PROBLEMS = {
    "expired": (410, "This link has expired", "Links in our e-mails work for a limited time."),
    "invalid": (400, "This link is not valid", "Check that the whole link was copied."),
    "used": (410, "This link was already used", "Each link in our e-mails works only once."),
}
ACTION_WORDS = {"approve": ("Approve", "approved"), "reject": ("Reject", "rejected")}


def page(
    title: str,
    *paragraphs: str,
    status_code: int = 200,
    problem: bool = False,
    details: Sequence[tuple[str, str]] = (),
    quote: str = "",
    form_action: str = "",
    hidden: Sequence[tuple[str, str]] = (),
    button: str = "",
    back_url: str = "",
    back_label: str = "",
) -> HTMLResponse:
    html = render(
        "email_links/page.html",
        title=title,
        paragraphs=paragraphs,
        problem=problem,
        details=details,
        quote=quote,
        form_action=form_action,
        hidden=hidden,
        button=button,
        back_url=back_url,
        back_label=back_label,
    )
    # The address holds the link's token: never send it on (stricter than the pages' default).
    return HTMLResponse(html, status_code=status_code, headers={"Referrer-Policy": "no-referrer"})


def problem_page(problem: LinkProblem, back_url: str) -> HTMLResponse:
    status_code, title, advice = PROBLEMS[problem.reason]
    return page(title, advice, status_code=status_code, problem=True, back_url=back_url)


# --- moderators' links --------------------------------------------------------------------


def _moderation_payload(request: Request, token: str) -> tuple[int, Action, str]:
    """The comment, the action and the `address_digest` of the moderator the link was sent to."""
    settings = service(request).settings
    payload = read_token(settings, "moderate", token, settings.moderation_link_hours * 3600)
    comment_id, action, moderator = payload.get("c"), payload.get("a"), payload.get("m")
    if (
        not isinstance(comment_id, int)
        or action not in ACTION_WORDS
        or not isinstance(moderator, str)
        or "@" in moderator  # links from before addresses were left out of them
    ):
        raise LinkProblem("invalid")
    return comment_id, "approve" if action == "approve" else "reject", moderator


@router.get(
    "/moderation/email-action/{token}",
    include_in_schema=False,
    responses=HTML,
    summary="Confirm an e-mailed action",
)
def confirm_moderation(request: Request, token: Token) -> HTMLResponse:
    """Show the comment and a button that approves or rejects it (nothing changes yet)."""
    comments = service(request)
    queue = comments.settings.site_url
    try:
        comment_id, action, _ = _moderation_payload(request, token)
        with comments.storage.reading() as session:
            if is_used(session, token):
                raise LinkProblem("used")
            comment = session.get(Comment, comment_id)
    except LinkProblem as problem:
        return problem_page(problem, queue)
    if comment is None:
        return page("This comment no longer exists", status_code=404, problem=True)
    verb, _ = ACTION_WORDS[action]
    return page(
        f"{verb} this comment?",
        f"It is currently {comment.status}. Nothing changes until you press the button.",
        details=[
            ("Author", comment.author_name),
            ("Post", comment.thread_key),
            ("Held because", "; ".join(comment.held_reasons.splitlines()) or "policy"),
        ],
        quote=comment.body_md,
        form_action=str(request.url.path),
        button=f"{verb} comment",
    )


@router.post(
    "/moderation/email-action/{token}",
    include_in_schema=False,
    responses=HTML,
    summary="Do an e-mailed moderation action",
)
def perform_moderation(request: Request, token: Token) -> HTMLResponse:
    """Approve or reject the comment, once; the audit log names the moderator."""
    comments = service(request)
    settings = comments.settings
    try:
        comment_id, action, digest = _moderation_payload(request, token)
        comment = act_from_email_link(comments.storage, settings, token, comment_id, action, digest)
    except NoLongerModerator:
        return page(
            "You are no longer a moderator",
            "This link was sent to a moderator's address that no longer moderates.",
            status_code=403,
            problem=True,
        )
    except UnknownComment:
        return page("This comment no longer exists", status_code=404, problem=True)
    except LinkProblem as problem:
        return problem_page(problem, settings.site_url)
    except ActionRefused as refusal:
        return page("This comment stays as it is", str(refusal), status_code=409, problem=True)
    _, done = ACTION_WORDS[action]
    return page(f"Comment {done}", f"The comment on {comment.thread_key} is now {done}.")


# --- unsubscribe (RFC 8058) -----------------------------------------------------------------


def _unsubscribe_target(request: Request, token: str) -> int | str:
    """The comment whose author unsubscribes; an address from links sent before comment ids."""
    payload = read_token(service(request).settings, "unsubscribe", token, None)
    comment_id, email = payload.get("c"), payload.get("e")
    if isinstance(comment_id, int) and not isinstance(comment_id, bool):
        return comment_id
    # Unsubscribe links never expire; the ones already in mailboxes must keep working.
    if isinstance(email, str) and "@" in email:
        return email
    raise LinkProblem("invalid")


@router.get(
    "/api/v1/unsubscribe",
    include_in_schema=False,
    responses=HTML,
    summary="Confirm stopping reply e-mails",
)
def confirm_unsubscribe(request: Request, token: QueryToken) -> HTMLResponse:
    """A page with one button; mail programs may POST to this URL directly (one click)."""
    site = service(request).settings.site_url
    try:
        _unsubscribe_target(request, token)
    except LinkProblem as problem:
        return problem_page(problem, site)
    return page(
        "Stop e-mails about replies?",
        "You will no longer be told when someone replies to your comments.",
        form_action=str(request.url),
        button="Unsubscribe",
        back_url=site,
    )


@router.post(
    "/api/v1/unsubscribe",
    include_in_schema=False,
    responses=HTML,
    summary="Stop reply e-mails (one click)",
)
def perform_unsubscribe(request: Request, token: QueryToken) -> HTMLResponse:
    """RFC 8058 one-click unsubscribe: the body `List-Unsubscribe=One-Click` is optional."""
    comments = service(request)
    try:
        target = _unsubscribe_target(request, token)
    except LinkProblem as problem:
        return problem_page(problem, comments.settings.site_url)
    stop_reply_mail_for(comments.storage, target)
    return page(
        "You are unsubscribed",
        "You will get no more e-mails about replies to your comments.",
        back_url=comments.settings.site_url,
    )
