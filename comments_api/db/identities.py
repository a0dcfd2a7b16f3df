"""Queries for sign-in by the organisation's OpenID provider: identities, sessions, used states."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from comments_api.db.tables import ProviderIdentity, UsedToken, User, UserSession, utcnow
from comments_api.security import hash_token

__all__ = [
    "add_identity",
    "has_identity",
    "identity_of",
    "issuer_identity_of",
    "open_session",
    "use_once",
    "user_with_email",
]


def identity_of(session: Session, issuer: str, subject: str) -> ProviderIdentity | None:
    """The linked identity of this account at this provider, if it signed in before."""
    return session.scalar(
        select(ProviderIdentity).where(
            ProviderIdentity.issuer == issuer, ProviderIdentity.subject == subject
        )
    )


def issuer_identity_of(session: Session, user_id: int, issuer: str) -> ProviderIdentity | None:
    """The identity at this provider that a user is linked to already, if any."""
    return session.scalar(
        select(ProviderIdentity).where(
            ProviderIdentity.user_id == user_id, ProviderIdentity.issuer == issuer
        )
    )


def has_identity(session: Session, user_id: int) -> bool:
    """Whether the user signs in with a provider account (any issuer)."""
    query = select(ProviderIdentity.id).where(ProviderIdentity.user_id == user_id).limit(1)
    return session.scalar(query) is not None


def user_with_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.lower()))


def add_identity(
    session: Session, issuer: str, subject: str, user_id: int, now: datetime
) -> ProviderIdentity:
    identity = ProviderIdentity(
        issuer=issuer, subject=subject, user_id=user_id, created_at=now, last_sign_in_at=now
    )
    session.add(identity)
    session.flush()
    return identity


def open_session(session: Session, user_id: int, days: int, previous_secret: str | None) -> str:
    """Start a new session for the user (ending the browser's previous one); its secret."""
    now = utcnow()
    if previous_secret:
        session.execute(
            delete(UserSession).where(UserSession.token_hash == hash_token(previous_secret))
        )
    secret = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            token_hash=hash_token(secret),
            user_id=user_id,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    )
    return secret


def use_once(session: Session, value: str, purpose: str) -> bool:
    """Record that `value` was used; False when it had been used already."""
    try:
        with session.begin_nested():
            session.add(UsedToken(token_hash=hash_token(value), purpose=purpose, used_at=utcnow()))
    except IntegrityError:
        return False
    return True
