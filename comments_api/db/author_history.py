"""What the screening needs to know of an author's past: first comment? same text again?"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comments_api.db.tables import Comment, Status, Thread, utcnow

__all__ = [
    "RECENT_COMMENTS",
    "SENDER_WINDOW",
    "author_is_new",
    "duplicate_exists",
    "post_text",
    "recent_texts",
    "threads_from_client_lately",
]

# Duplicates are looked for among this many most recent comments: spam runs come in bursts,
# and the window keeps the check cheap without an index on the text.
RECENT_COMMENTS = 2000
SENDER_WINDOW = timedelta(minutes=10)


def author_is_new(
    session: Session,
    *,
    email: str | None,
    user_id: int | None,
    exclude_comment_id: int | None = None,
) -> bool:
    """True when no earlier comment of this author (member or e-mail address) was approved."""
    if user_id is not None:
        identity = Comment.user_id == user_id
    elif email:
        identity = func.lower(Comment.author_email) == email.strip().lower()
    else:
        return True
    query = select(Comment.id).where(identity, Comment.status == Status.APPROVED.value)
    if exclude_comment_id is not None:
        query = query.where(Comment.id != exclude_comment_id)
    return session.execute(query.limit(1)).first() is None


def duplicate_exists(session: Session, body: str, exclude_comment_id: int | None = None) -> bool:
    """True when the very same text was posted among the most recent comments."""
    if len(body.strip()) < 20:
        return False  # "Thank you!" twice is not spam
    newest = session.scalar(select(func.max(Comment.id))) or 0
    query = select(Comment.id).where(
        Comment.id > newest - RECENT_COMMENTS,
        Comment.body_md == body,
        Comment.status != Status.DELETED.value,
    )
    if exclude_comment_id is not None:
        query = query.where(Comment.id != exclude_comment_id)
    return session.execute(query.limit(1)).first() is not None


def recent_texts(
    session: Session, limit: int, exclude_comment_id: int | None = None
) -> list[tuple[str, str]]:
    """(thread key, text) of the `limit` most recent comments not deleted, newest first."""
    query = (
        select(Comment.thread_key, Comment.body_md)
        .where(Comment.status != Status.DELETED.value)
        .order_by(Comment.id.desc())
        .limit(limit)
    )
    if exclude_comment_id is not None:
        query = query.where(Comment.id != exclude_comment_id)
    return [(row[0], row[1]) for row in session.execute(query)]


def threads_from_client_lately(session: Session, client_hash: str | None, thread_key: str) -> int:
    """How many other threads the same client (hashed network address) commented on lately."""
    if not client_hash:
        return 0
    query = select(func.count(func.distinct(Comment.thread_key))).where(
        Comment.client_hash == client_hash,
        Comment.created_at >= utcnow() - SENDER_WINDOW,
        Comment.thread_key != thread_key,
    )
    return int(session.scalar(query) or 0)


def post_text(session: Session, thread_key: str) -> str:
    """What the manifest says the post is about: its title and summary."""
    found = session.execute(
        select(Thread.title, Thread.summary).where(Thread.key == thread_key)
    ).first()
    return " ".join(part for part in found if part) if found else ""
