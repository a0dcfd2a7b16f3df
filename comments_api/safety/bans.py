"""Bans: a banned e-mail address, client or member may not comment; the refusal says so."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from comments_api.models import Base, Comment, UTCDateTime, utcnow
from comments_api.safety._upsert import insert_for

__all__ = ["Ban", "BanKind", "ban_author", "banned_reason"]


class BanKind(enum.StrEnum):
    EMAIL = "email"
    CLIENT = "client"
    USER = "user"


class Ban(Base):
    """One banned e-mail address (lower case), client hash or user id, and who banned it."""

    __tablename__ = "bans"
    __table_args__ = (UniqueConstraint("kind", "value", name="uq_bans_kind_value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(254))
    actor: Mapped[str] = mapped_column(String(254))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


def _keys(
    email: str | None, client_hash: str | None, user_id: int | None
) -> list[tuple[BanKind, str]]:
    keys: list[tuple[BanKind, str]] = []
    if email:
        keys.append((BanKind.EMAIL, email.strip().lower()))
    if client_hash:
        keys.append((BanKind.CLIENT, client_hash))
    if user_id is not None:
        keys.append((BanKind.USER, str(user_id)))
    return keys


def banned_reason(
    session: Session, *, email: str | None, client_hash: str | None, user_id: int | None
) -> BanKind | None:
    """Which of the author's identities is banned, if any."""
    keys = _keys(email, client_hash, user_id)
    if not keys:
        return None
    query = select(Ban.kind).where(
        or_(*((Ban.kind == kind.value) & (Ban.value == value) for kind, value in keys))
    )
    found = session.scalars(query.limit(1)).first()
    return BanKind(found) if found else None


def ban_author(session: Session, comment: Comment, actor: str, reason: str | None) -> int:
    """Ban every identity the comment's author used; returns how many bans are new."""
    added = 0
    now = utcnow()
    for kind, value in _keys(comment.author_email, comment.client_hash, comment.user_id):
        statement = (
            insert_for(session, Ban)
            .values(kind=kind.value, value=value, actor=actor, reason=reason, created_at=now)
            .on_conflict_do_nothing(index_elements=["kind", "value"])
        )
        result = session.execute(statement)
        added += max(0, getattr(result, "rowcount", 0) or 0)
    if comment.user_id is not None:
        from comments_api.auth.models import User

        user = session.get(User, comment.user_id)
        if user is not None and user.banned_at is None:
            user.banned_at = now
    return added
