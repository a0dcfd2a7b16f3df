"""The queries behind deletion and retention of personal data (comments_api.privacy decides)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, delete, func, or_, select, update
from sqlalchemy.orm import Session

from comments_api.db.tables import (
    Comment,
    DeletionRequest,
    LoginToken,
    OutboxMessage,
    SpamLesson,
    Status,
    User,
)

__all__ = [
    "add_deletion_request",
    "comments_by_address",
    "deletion_request_address",
    "delete_expired_links",
    "forget_address",
    "has_approved_reply",
    "has_personal_data",
    "mail_sent_since",
    "strip_expired_personal_data",
    "take_deletion_request",
]


def has_personal_data(session: Session, address: str) -> bool:
    """Whether a comment or an account has this (lower-case) address."""
    comment = session.scalar(
        select(Comment.id).where(func.lower(Comment.author_email) == address).limit(1)
    )
    user = session.scalar(select(User.id).where(func.lower(User.email) == address).limit(1))
    return comment is not None or user is not None


def mail_sent_since(session: Session, address: str, subject: str, since: datetime) -> bool:
    """Whether a message with this subject was queued for the address after `since`."""
    recent = session.scalar(
        select(OutboxMessage.id).where(
            func.lower(OutboxMessage.recipient) == address,
            OutboxMessage.subject == subject,
            OutboxMessage.created_at > since,
        )
    )
    return recent is not None


def add_deletion_request(
    session: Session, token_hash: str, address: str, created_at: datetime, expires_at: datetime
) -> None:
    """Keep the address until the deletion link with this secret is used or expires."""
    session.add(
        DeletionRequest(
            token_hash=token_hash, email=address, created_at=created_at, expires_at=expires_at
        )
    )


def deletion_request_address(session: Session, token_hash: str, now: datetime) -> str | None:
    """The address of a deletion request still open at `now`, without using it."""
    return session.scalar(
        select(DeletionRequest.email).where(
            DeletionRequest.token_hash == token_hash, DeletionRequest.expires_at > now
        )
    )


def take_deletion_request(session: Session, token_hash: str, now: datetime) -> str | None:
    """Remove an open deletion request and return its address; None if there is none."""
    # One statement finds and removes the row, so a second click racing the first gets nothing.
    email: str | None = session.execute(
        delete(DeletionRequest)
        .where(DeletionRequest.token_hash == token_hash, DeletionRequest.expires_at > now)
        .returning(DeletionRequest.email)
    ).scalar()
    return email


def comments_by_address(session: Session, address: str) -> list[Comment]:
    """Every comment written with the (lower-case) address, oldest first."""
    return list(
        session.scalars(
            select(Comment).where(func.lower(Comment.author_email) == address).order_by(Comment.id)
        )
    )


def has_approved_reply(session: Session, comment_id: int) -> bool:
    """Whether a published comment replies to this one."""
    reply = session.scalar(
        select(Comment.id)
        .where(Comment.parent_id == comment_id, Comment.status == Status.APPROVED.value)
        .limit(1)
    )
    return reply is not None


def forget_address(session: Session, address: str, comment_ids: list[int]) -> None:
    """Delete what else is kept about an address: lessons, mail, links and its account."""
    if comment_ids:
        session.execute(delete(SpamLesson).where(SpamLesson.comment_id.in_(comment_ids)))
    # Messages to the address, and messages to moderators that quote it.
    session.execute(
        delete(OutboxMessage).where(
            or_(
                func.lower(OutboxMessage.recipient) == address,
                func.lower(OutboxMessage.text_body).contains(address, autoescape=True),
            )
        )
    )
    # Sign-in links are keyed by address, not by user: they go separately.
    session.execute(delete(LoginToken).where(func.lower(LoginToken.email) == address))
    session.execute(delete(DeletionRequest).where(func.lower(DeletionRequest.email) == address))
    user = session.scalar(select(User).where(func.lower(User.email) == address))
    if user is not None:
        session.delete(user)  # its sessions go with it


def strip_expired_personal_data(
    engine: Engine, cutoff: datetime, max_attempts: int
) -> tuple[int, int]:
    """Remove addresses and client hashes from published comments written before `cutoff`, and
    mail sent (or given up on after `max_attempts`) before it; (comments changed, mail deleted)."""
    with engine.execution_options(comments_write=True).begin() as connection:
        result = connection.execute(
            update(Comment)
            .where(
                Comment.status == Status.APPROVED.value,
                Comment.created_at < cutoff,
                or_(Comment.author_email.is_not(None), Comment.client_hash.is_not(None)),
            )
            .values(author_email=None, client_hash=None, notify=False)
        )
        # Mail that went out (or was given up on) quotes addresses too: it goes as well.
        mail = connection.execute(
            delete(OutboxMessage).where(
                OutboxMessage.created_at < cutoff,
                or_(OutboxMessage.sent_at.is_not(None), OutboxMessage.attempts >= max_attempts),
            )
        )
    return int(getattr(result, "rowcount", 0) or 0), int(getattr(mail, "rowcount", 0) or 0)


def delete_expired_links(engine: Engine, now: datetime) -> int:
    """Delete sign-in and deletion links expired at `now`; returns rows deleted."""
    with engine.execution_options(comments_write=True).begin() as connection:
        sign_in = connection.execute(delete(LoginToken).where(LoginToken.expires_at <= now))
        deletion = connection.execute(
            delete(DeletionRequest).where(DeletionRequest.expires_at <= now)
        )
    return int(getattr(sign_in, "rowcount", 0) or 0) + int(getattr(deletion, "rowcount", 0) or 0)
