"""Tokens that work once (e-mailed links, sign-in states): the hashes of the ones used."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from comments_api.db.tables import UsedToken, utcnow
from comments_api.security import hash_token

__all__ = ["is_used", "use_once"]


def is_used(session: Session, value: str) -> bool:
    """Whether `value` was used already."""
    query = select(UsedToken.token_hash).where(UsedToken.token_hash == hash_token(value))
    return session.scalar(query) is not None


def use_once(session: Session, value: str, purpose: str) -> bool:
    """Record that `value` was used; False when it had been used already."""
    try:
        with session.begin_nested():
            session.add(UsedToken(token_hash=hash_token(value), purpose=purpose, used_at=utcnow()))
    except IntegrityError:
        return False
    return True
