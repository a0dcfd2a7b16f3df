"""Tables of people and their sign-ins: users, single-use login tokens, sessions."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from comments_api.models import Base, UTCDateTime

__all__ = ["LoginToken", "Role", "User", "UserSession"]


class Role(enum.StrEnum):
    """What a signed-in person may do: members comment, moderators and admins moderate."""

    MEMBER = "member"
    MODERATOR = "moderator"
    ADMIN = "admin"


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
