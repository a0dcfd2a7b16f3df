"""Queries for sign-in by the organisation's OpenID provider: identities."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from comments_api.db.tables import ProviderIdentity

__all__ = [
    "add_identity",
    "has_identity",
    "identity_of",
    "issuer_identity_of",
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


def add_identity(
    session: Session, issuer: str, subject: str, user_id: int, now: datetime
) -> ProviderIdentity:
    identity = ProviderIdentity(
        issuer=issuer, subject=subject, user_id=user_id, created_at=now, last_sign_in_at=now
    )
    session.add(identity)
    session.flush()
    return identity
