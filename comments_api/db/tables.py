"""Every table of the service (SQLAlchemy 2 declarative models); Alembic migrations mirror them.

This is the one module that defines tables, so `migrations/env.py` sees them all through `Base`.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "Ban",
    "Base",
    "Comment",
    "DeletionRequest",
    "Editor",
    "LoginToken",
    "ModerationEvent",
    "Notice",
    "OutboxMessage",
    "ProviderIdentity",
    "Report",
    "Role",
    "SpamLesson",
    "SpamModelVersion",
    "SpamToken",
    "Status",
    "Thread",
    "UTCDateTime",
    "UsedToken",
    "User",
    "UserSession",
    "utcnow",
]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Editor(enum.StrEnum):
    """Who changed a comment's text after it was posted."""

    AUTHOR = "author"
    MODERATOR = "moderator"


class Status(enum.StrEnum):
    """Moderation state of a comment; only `approved` comments are ever public."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SPAM = "spam"
    DELETED = "deleted"


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes, stored naive in UTC so SQLite and PostgreSQL agree."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # pragma: no cover - raw SQLite text
            value = datetime.fromisoformat(value)
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Thread(Base):
    """A post that can have comments; known only through the site's manifest."""

    __tablename__ = "threads"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    url: Mapped[str] = mapped_column(String(1000))
    # The post's summary, as plain text from the manifest: what the screening calls on topic.
    summary: Mapped[str] = mapped_column(Text(), server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Derived, kept in step by every write in the same transaction: the hot read path needs
    # only this row to know whether its cached answer is still current.
    version: Mapped[int] = mapped_column(Integer, default=1)
    approved_count: Mapped[int] = mapped_column(Integer, default=0)


class Comment(Base):
    """One comment, in any moderation state."""

    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_thread_status_id", "thread_key", "status", "id"),
        Index("ix_comments_status_id", "status", "id"),
        # The snapshot's changes since a cursor (an incremental build).
        Index("ix_comments_updated_at", "updated_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    thread_key: Mapped[str] = mapped_column(ForeignKey("threads.key", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), nullable=True, index=True
    )
    author_name: Mapped[str] = mapped_column(String(80))
    author_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    author_url: Mapped[str | None] = mapped_column(String(300), nullable=True)
    # A users table arrives with sign-in; until then this stays empty.
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    member: Mapped[bool] = mapped_column(Boolean, default=False)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    body_md: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    spam_score: Mapped[float] = mapped_column(Float, default=0.0)
    held_reasons: Mapped[str] = mapped_column(Text, default="")
    notify: Mapped[bool] = mapped_column(Boolean, default=False)
    client_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    edit_token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Who made the last change of text that `edited_at` dates: "author" or "moderator".
    edited_by: Mapped[str | None] = mapped_column(String(16), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # When its author took it back (deleted it with the edit token, or had their data deleted).
    # Kept on the comment, and so in exports, because no moderator may undo it.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # When a moderator took it down after it was published: it stays in its thread as a note
    # ("removed by a moderator") so that its replies keep their place. Cleared on approval.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Report(Base):
    """A reader's report that a comment breaks the policy."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(Text)
    client_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Role(enum.StrEnum):
    """What a signed-in person may do: members comment, moderators and admins moderate."""

    MEMBER = "member"
    MODERATOR = "moderator"
    ADMIN = "admin"


# Shown with a member's comments until they choose a name: nothing taken from their address.
UNCHOSEN_NAME = "Member"


class User(Base):
    """A person who has signed in at least once (or was created by an operator)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    # False until the person picks a name; until then `display_name` is a neutral placeholder.
    name_chosen: Mapped[bool] = mapped_column(Boolean, default=False)
    role: Mapped[str] = mapped_column(String(16), default=Role.MEMBER.value)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    banned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    @property
    def is_moderator(self) -> bool:
        return self.role in {Role.MODERATOR.value, Role.ADMIN.value} and self.banned_at is None


class ProviderIdentity(Base):
    """An account at the organisation's OpenID provider, linked to one user.

    Keyed by the provider (issuer) and its subject, never by e-mail: addresses change hands.
    """

    __tablename__ = "provider_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_sign_in_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LoginToken(Base):
    """One e-mailed sign-in link; only the hash of its secret is kept."""

    __tablename__ = "login_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    next_url: Mapped[str] = mapped_column(String(1000))
    client_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class UserSession(Base):
    """A signed-in browser; the cookie holds a secret whose hash is the key here."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ModerationEvent(Base):
    """One line of the audit log: who did what to which comment, when and why."""

    __tablename__ = "moderation_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), nullable=True, index=True
    )
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(254))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    from_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DeletionRequest(Base):
    """An e-mailed deletion link not yet used: the address it was sent to, until it expires."""

    __tablename__ = "deletion_requests"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OutboxMessage(Base):
    """One e-mail (or site rebuild request) waiting to be sent, sent, or given up on.

    `kind` is "mail" for e-mail and "rebuild" for a call of the site's build hook.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_sent_at_next_attempt_at", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    headers_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    kind: Mapped[str] = mapped_column(String(16), default="mail", server_default="mail")
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Ban(Base):
    """One banned user id, e-mail address (lower case) or client hash; who, why, until when."""

    __tablename__ = "bans"
    __table_args__ = (UniqueConstraint("kind", "value", name="uq_bans_kind_value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(254))
    actor: Mapped[str] = mapped_column(String(254))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), nullable=True
    )


class SpamToken(Base):
    __tablename__ = "spam_tokens"

    token: Mapped[str] = mapped_column(String(300), primary_key=True)
    spam_count: Mapped[int] = mapped_column(Integer)
    legitimate_count: Mapped[int] = mapped_column(Integer)


class SpamModelVersion(Base):
    __tablename__ = "spam_model"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)


class SpamLesson(Base):
    """What a comment taught the filter, so that a reversed decision can be unlearned."""

    __tablename__ = "spam_lessons"

    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True
    )
    is_spam: Mapped[bool] = mapped_column(Boolean)
    learned_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class UsedToken(Base):
    __tablename__ = "used_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(32))
    used_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Notice(Base):
    """A comment that was announced (`kind` = "moderators" or "replies")."""

    __tablename__ = "notices"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    comment_id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
