"""The queries behind what moderators look at (comments_api.moderation.queue shapes it)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from comments_api.db.tables import Comment, Report, Status, Thread

__all__ = [
    "comments_by_id",
    "comments_matching",
    "held_or_reported_comments",
    "open_reports_of",
    "replies_to",
    "spam_comments",
    "threads_by_key",
]


def threads_by_key(session: Session, keys: Iterable[str]) -> dict[str, Thread]:
    """The threads with these keys, by key."""
    query = select(Thread).where(Thread.key.in_(list(keys)))
    return {thread.key: thread for thread in session.scalars(query)}


def comments_by_id(session: Session, ids: Iterable[int]) -> dict[int, Comment]:
    """The comments with these ids, by id."""
    query = select(Comment).where(Comment.id.in_(list(ids)))
    return {comment.id: comment for comment in session.scalars(query)}


def open_reports_of(session: Session, comment_ids: Iterable[int]) -> list[Report]:
    """The reports of these comments that wait for a moderator, oldest first."""
    query = (
        select(Report)
        .where(Report.comment_id.in_(list(comment_ids)), Report.resolved_at.is_(None))
        .order_by(Report.id)
    )
    return list(session.scalars(query))


def replies_to(session: Session, comment_id: int) -> list[Comment]:
    """Every reply to the comment, in any state, oldest first."""
    query = select(Comment).where(Comment.parent_id == comment_id).order_by(Comment.id)
    return list(session.scalars(query))


def _page(
    session: Session, condition: ColumnElement[bool], limit: int
) -> tuple[list[Comment], int]:
    """The first `limit` comments meeting the condition, oldest first, and how many meet it."""
    total = int(session.scalar(select(func.count()).select_from(Comment).where(condition)) or 0)
    comments = list(
        session.scalars(select(Comment).where(condition).order_by(Comment.id).limit(limit))
    )
    return comments, total


def held_or_reported_comments(session: Session, limit: int) -> tuple[list[Comment], int]:
    """Held comments and published comments that readers reported, oldest first."""
    reported = select(Report.comment_id).where(Report.resolved_at.is_(None))
    condition = or_(
        Comment.status == Status.PENDING.value,
        and_(Comment.status == Status.APPROVED.value, Comment.id.in_(reported)),
    )
    return _page(session, condition, limit)


def spam_comments(session: Session, limit: int) -> tuple[list[Comment], int]:
    """Comments filed as spam, oldest first."""
    return _page(session, Comment.status == Status.SPAM.value, limit)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def comments_matching(session: Session, text: str, limit: int) -> tuple[list[Comment], int]:
    """Comments in any state whose author name, e-mail address or text contains `text`."""
    pattern = _like(text)
    condition = or_(
        Comment.author_name.ilike(pattern, escape="\\"),
        Comment.author_email.ilike(pattern, escape="\\"),
        Comment.body_md.ilike(pattern, escape="\\"),
    )
    return _page(session, condition, limit)
