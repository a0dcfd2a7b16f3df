"""The queries behind e-mailed notices (comments_api.mail.notifications writes the messages).

A `notices` row records that a comment was announced to someone, once, even with several API
processes announcing at the same time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from comments_api.db.tables import Comment, Notice, Role, Status, Thread, User
from comments_api.db.upsert import insert_for

__all__ = [
    "claim_notice",
    "last_notice_at",
    "moderator_account_addresses",
    "stop_reply_mail",
    "unannounced_held_comments",
    "unannounced_published_replies",
]


def claim_notice(session: Session, kind: str, comment_id: int, now: datetime) -> bool:
    """Record the announcement; False when another process (or an earlier run) made it."""
    result = session.execute(
        insert_for(session, Notice)
        .values(kind=kind, comment_id=comment_id, created_at=now)
        .on_conflict_do_nothing(index_elements=["kind", "comment_id"])
    )
    return bool(getattr(result, "rowcount", 0))


def moderator_account_addresses(session: Session) -> list[str]:
    """The addresses of moderators and admins who are not banned."""
    query = select(User.email).where(
        User.role.in_([Role.MODERATOR.value, Role.ADMIN.value]), User.banned_at.is_(None)
    )
    return list(session.scalars(query).all())


def unannounced_held_comments(
    session: Session, kind: str, limit: int
) -> list[tuple[Comment, Thread | None]]:
    """Held comments (with their thread) not yet announced as `kind`, oldest first."""
    query = (
        select(Comment, Thread)
        .join(Thread, Thread.key == Comment.thread_key, isouter=True)
        .join(Notice, and_(Notice.kind == kind, Notice.comment_id == Comment.id), isouter=True)
        .where(Comment.status == Status.PENDING.value, Notice.comment_id.is_(None))
        .order_by(Comment.id)
        .limit(limit)
    )
    return [(comment, thread) for comment, thread in session.execute(query).all()]


def unannounced_published_replies(session: Session, kind: str, limit: int) -> list[Comment]:
    """Approved replies not yet announced as `kind`, oldest first."""
    query = (
        select(Comment)
        .join(Notice, and_(Notice.kind == kind, Notice.comment_id == Comment.id), isouter=True)
        .where(
            Comment.status == Status.APPROVED.value,
            Comment.parent_id.is_not(None),
            Notice.comment_id.is_(None),
        )
        .order_by(Comment.id)
        .limit(limit)
    )
    return list(session.scalars(query).all())


def last_notice_at(session: Session, kind: str) -> datetime | None:
    """When the last notice of this kind was made, if ever."""
    return session.scalar(select(func.max(Notice.created_at)).where(Notice.kind == kind))


def stop_reply_mail(session: Session, email: str) -> int:
    """No more reply e-mails to this address, for any of its comments; returns comments changed."""
    result = session.execute(
        update(Comment)
        .where(func.lower(Comment.author_email) == email.lower(), Comment.notify.is_(True))
        .values(notify=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
