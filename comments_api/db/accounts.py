"""The queries behind accounts: users, e-mailed sign-in links and sessions."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.orm import Session

from comments_api.db.tables import LoginToken, User, UserSession, utcnow
from comments_api.security import hash_token

__all__ = [
    "LinkHolder",
    "add_sign_in_link",
    "end_session",
    "links_since",
    "open_session",
    "sign_in_link_holder",
    "use_sign_in_link",
    "user_of_session",
    "user_with_email",
]

# Who a sign-in link is for, and where it leads: (e-mail address, next URL).
LinkHolder = tuple[str, str]


def user_with_email(session: Session, email: str) -> User | None:
    """The account that signs in with this address (addresses are stored lower-case)."""
    return session.scalar(select(User).where(User.email == email.lower()))


def links_since(
    session: Session, since: datetime, *, email: str | None = None, client_hash: str | None = None
) -> int:
    """How many sign-in links were made after `since` for this address, or this client."""
    condition: ColumnElement[bool] = (
        LoginToken.email == email if email is not None else LoginToken.client_hash == client_hash
    )
    query = (
        select(func.count()).select_from(LoginToken).where(condition, LoginToken.created_at > since)
    )
    return int(session.scalar(query) or 0)


def add_sign_in_link(session: Session, link: LoginToken) -> None:
    """Store a sign-in link in the caller's transaction."""
    session.add(link)


def sign_in_link_holder(session: Session, token_hash: str, now: datetime) -> LinkHolder | None:
    """Whom an unused, unexpired sign-in link is for, without using it."""
    found = session.execute(
        select(LoginToken.email, LoginToken.next_url).where(
            LoginToken.token_hash == token_hash,
            LoginToken.used_at.is_(None),
            LoginToken.expires_at > now,
        )
    ).first()
    return None if found is None else (found[0], found[1])


def use_sign_in_link(session: Session, token_hash: str, now: datetime) -> LinkHolder | None:
    """Use an unused, unexpired sign-in link up (once, even with concurrent tries)."""
    used = session.execute(
        update(LoginToken)
        .where(
            LoginToken.token_hash == token_hash,
            LoginToken.used_at.is_(None),
            LoginToken.expires_at > now,
        )
        .values(used_at=now)
        .returning(LoginToken.email, LoginToken.next_url)
    ).first()
    return None if used is None else (used[0], used[1])


def open_session(session: Session, user_id: int, days: int, previous_secret: str | None) -> str:
    """Start a new session for the user (ending the browser's previous one); its secret."""
    now = utcnow()
    if previous_secret:
        end_session(session, previous_secret)
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


def user_of_session(
    session: Session, secret: str, now: datetime, *, banned_too: bool = False
) -> User | None:
    """The user of an unexpired session (unbanned only, unless asked), or None."""
    query = (
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.token_hash == hash_token(secret), UserSession.expires_at > now)
    )
    if not banned_too:
        query = query.where(User.banned_at.is_(None))
    return session.scalar(query)


def end_session(session: Session, secret: str) -> None:
    """Forget a session: its cookie signs nobody in any more."""
    session.execute(delete(UserSession).where(UserSession.token_hash == hash_token(secret)))
