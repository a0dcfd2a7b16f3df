"""Moderators' actions on a comment, each written to the audit log in the same transaction.

`apply_action()` is the one way a moderator changes a comment's status, from the pages, the
e-mailed links or the CLI: it changes the status, records who did what and why, teaches the spam
filter, bans, announces an approved reply to whoever asked to hear of it, and moves the thread's
cache version so the public list is current at once. A published comment it takes out of view
is marked removed, and stays in its thread as a note. `redact_comment()` is the one way a
moderator changes a comment's text.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal, get_args

from sqlalchemy.orm import Session

from comments_api.config import Settings
from comments_api.content.rendering import render_comment
from comments_api.db.moderation_log import has_open_reports, resolve_reports
from comments_api.db.site_rebuilds import request_rebuild
from comments_api.db.storage import lock_thread, refresh_thread, shown
from comments_api.db.tables import (
    Comment,
    Editor,
    ModerationEvent,
    Status,
    utcnow,
)
from comments_api.mail.notifications import notify_reply_subscribers
from comments_api.moderation.banning import ban_author, ban_summary
from comments_api.moderation.spam_model import learn_from_decision

__all__ = [
    "AUTHOR",
    "Action",
    "ACTIONS",
    "ActionRefused",
    "AlreadyDone",
    "REDACT",
    "UnknownComment",
    "apply_action",
    "deleted_by_author",
    "record_lifted_ban",
    "record_withdrawal",
    "redact_comment",
]

Action = Literal["approve", "reject", "spam", "delete", "ban", "restore"]
ACTIONS: tuple[Action, ...] = get_args(Action)
# The actor of the audit rows that record an author's own withdrawal.
AUTHOR = "author"
WITHDRAW = "withdraw"
# The audit action of a moderator's change to a comment's text.
REDACT = "redact"
# The audit action of lifting a ban (bans themselves are logged as the comment's "ban").
UNBAN = "unban"

NEW_STATUS: dict[Action, Status] = {
    "approve": Status.APPROVED,
    "reject": Status.REJECTED,
    "spam": Status.SPAM,
    "delete": Status.DELETED,
    "ban": Status.REJECTED,
    "restore": Status.PENDING,
}


class UnknownComment(LookupError):
    """There is no comment with that id."""


class ActionRefused(ValueError):
    """The action cannot apply to this comment; the message says why, for the moderator."""


class AlreadyDone(ActionRefused):
    """The comment is already where the action would take it: nothing changes or is logged."""


def apply_action(
    session: Session,
    comment_id: int,
    action: Action,
    actor: str,
    reason: str | None = None,
    *,
    settings: Settings | None = None,
    network_for: timedelta | None = None,
) -> Comment:
    """Apply a moderator's action in the caller's transaction and log it; returns the comment.

    `settings` (needed to e-mail reply subscribers) defaults to `session.info["settings"]`,
    which the app's storage sets on every session. Raises `UnknownComment`, `ActionRefused`
    (a comment its author deleted stays deleted; only "ban" applies) and `ValueError`.
    "ban" bans the author's account and e-mail address, and their network for `network_for`.
    """
    if action not in NEW_STATUS:
        raise ValueError(f"unknown moderation action {action!r}; use one of {', '.join(ACTIONS)}")
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise UnknownComment(f"There is no comment {comment_id}.")
    lock_thread(session, comment.thread_key)
    session.refresh(comment)
    if action != "ban" and deleted_by_author(comment):
        raise ActionRefused(
            f"Comment {comment_id} was deleted by its author and stays deleted; "
            "you can still ban the author."
        )
    now = utcnow()
    before = comment.status
    was_shown = shown(comment)
    after = NEW_STATUS[action]
    if action == "ban" and before in {Status.SPAM.value, Status.DELETED.value}:
        after = Status(before)  # banning keeps a comment already out of sight where it is
    if action != "ban" and after.value == before:
        if not has_open_reports(session, comment.id):
            raise AlreadyDone(f"Comment {comment_id} is already {before}; nothing changed.")
        # Approving a reported comment keeps it published and closes the reports.
        reason = "; ".join(filter(None, ["kept after a reader's report", reason]))
    comment.status = after.value
    comment.updated_at = now
    if after is Status.APPROVED:
        comment.removed_at = None
    elif before == Status.APPROVED.value:
        comment.removed_at = now  # taken down after it was published: a note keeps its place
    logged_reason = reason
    if action == "ban":
        banned = ban_author(session, comment, actor, reason, network_for)
        logged_reason = ban_summary(banned, network_for, reason)
    _log_event(session, comment, action, actor, logged_reason, before, now)
    if action in {"approve", "spam"}:
        learn_from_decision(session, comment, is_spam=action == "spam")
    if action != "restore":
        resolve_reports(session, comment.id, now)
    session.flush()
    refresh_thread(session, comment.thread_key)
    if was_shown or shown(comment):
        request_rebuild(session, now)
    if after is Status.APPROVED:
        chosen = settings or session.info.get("settings")
        if isinstance(chosen, Settings):
            notify_reply_subscribers(session, chosen, comment)
    return comment


def redact_comment(
    session: Session, comment_id: int, body_md: str, actor: str, reason: str | None = None
) -> Comment:
    """Replace a comment's text as a moderator, in the caller's transaction, and log it.

    The comment keeps its status; the public sees "edited by a moderator". The old text is
    not kept in the log: what a moderator removes is usually what must not be kept.
    Raises `UnknownComment`, and `ActionRefused` for a comment its author deleted.
    """
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise UnknownComment(f"There is no comment {comment_id}.")
    lock_thread(session, comment.thread_key)
    session.refresh(comment)
    if deleted_by_author(comment):
        raise ActionRefused(f"Comment {comment_id} was deleted by its author and stays deleted.")
    now = utcnow()
    comment.body_md, comment.body_html = body_md, render_comment(body_md)
    comment.edited_at, comment.edited_by = now, Editor.MODERATOR.value
    comment.updated_at = now
    _log_event(session, comment, REDACT, actor, reason, comment.status, now)
    session.flush()
    refresh_thread(session, comment.thread_key)
    if shown(comment):
        request_rebuild(session, now)
    return comment


def deleted_by_author(comment: Comment) -> bool:
    """Deleted, and by its author: withdrawn with the edit token, or erased with their data."""
    return comment.status == Status.DELETED.value and comment.withdrawn_at is not None


def record_withdrawal(session: Session, comment: Comment, before: str, reason: str) -> None:
    """Mark a comment its author took back, and log it (actor "author") for moderators.

    The caller has set the comment's new status; `before` is its status until then.
    """
    now = utcnow()
    comment.withdrawn_at = now
    comment.updated_at = now
    _log_event(session, comment, WITHDRAW, AUTHOR, reason, before, now)


def record_lifted_ban(session: Session, comment_id: int | None, actor: str, reason: str) -> None:
    """Log that a ban was lifted, against the comment it was made from (if still known)."""
    session.add(
        ModerationEvent(
            comment_id=comment_id,
            action=UNBAN,
            actor=actor,
            reason=reason,
            from_status=None,
            to_status=None,
            created_at=utcnow(),
        )
    )


def _log_event(
    session: Session,
    comment: Comment,
    action: str,
    actor: str,
    reason: str | None,
    before: str,
    now: datetime,
) -> None:
    """The audit row: who moved the comment from which status to its current one, and why."""
    session.add(
        ModerationEvent(
            comment_id=comment.id,
            action=action,
            actor=actor,
            reason=reason,
            from_status=before,
            to_status=comment.status,
            created_at=now,
        )
    )
