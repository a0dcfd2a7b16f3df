"""What the spam rules need to know about an author's past: first comment? same text again?"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from comments_api.db.tables import Comment, Status

__all__ = ["author_is_new", "duplicate_exists", "RECENT_COMMENTS"]

# Duplicates are looked for among this many most recent comments: spam runs come in bursts,
# and the window keeps the check cheap without an index on the text.
RECENT_COMMENTS = 2000


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
