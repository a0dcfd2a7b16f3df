"""Accounts without passwords: e-mailed single-use sign-in links, sessions, roles."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from comments_api.config import Settings, origin_of
from comments_api.db.accounts import (
    add_sign_in_link,
    end_session,
    links_since,
    open_session,
    sign_in_link_holder,
    use_sign_in_link,
    user_of_session,
    user_with_email,
)
from comments_api.db.storage import Storage, rename_author
from comments_api.db.tables import UNCHOSEN_NAME, LoginToken, Role, User, utcnow
from comments_api.mail import queue_message
from comments_api.schemas import NAME
from comments_api.security import hash_token

__all__ = [
    "Accounts",
    "BANNED",
    "LINK_MINUTES",
    "PendingSignIn",
    "SignInRefused",
    "SignedIn",
    "UNCHOSEN_NAME",
    "allowed_next",
    "choose_name",
    "chosen_display_name",
    "masked_address",
]

LINK_MINUTES = 15
# At most this many sign-in mails per address (and per client) in one link lifetime.
MAX_LINKS_PER_ADDRESS = 3
MAX_LINKS_PER_CLIENT = 10
UNSAFE_URL_CHARACTERS = frozenset("\\\t\r\n ")
USED_OR_EXPIRED = "This sign-in link has already been used or has expired. Ask for a new one."
BANNED = "This account can no longer sign in."
NAME_RULE = "Give a name of 1 to 80 characters, without control characters."


class SignInRefused(Exception):
    """The sign-in link is forged, expired or already used; the message says what to do."""


@dataclass(frozen=True)
class SignedIn:
    user: User
    session_secret: str
    next_url: str


@dataclass(frozen=True)
class PendingSignIn:
    """What a sign-in link would do, looked up without using it."""

    email: str
    next_url: str
    needs_name: bool


def masked_address(email: str) -> str:
    """Enough of an address to recognise it, not enough to learn it: j•••@example.org."""
    local, _, domain = email.rpartition("@")
    return f"{local[:1]}•••@{domain}" if local else f"•••@{domain}"


def chosen_display_name(typed: str) -> str:
    """The name as typed, spaces tidied; `ValueError` (saying why) if it cannot be shown."""
    name = " ".join(typed.split())
    if not 1 <= len(name) <= 80 or not re.fullmatch(NAME, name):
        raise ValueError(NAME_RULE)
    return name


def allowed_next(next_url: str | None, settings: Settings, own_origin: str) -> str:
    """Where to send someone after sign-in: only the blog's origins or this API (no open
    redirect); anything else becomes the blog's home page."""
    fallback = settings.site_url + "/"
    if not next_url or len(next_url) > 1000:
        return fallback
    if any(character in UNSAFE_URL_CHARACTERS or ord(character) < 32 for character in next_url):
        return fallback
    if next_url.startswith("/") and not next_url.startswith("//"):
        return own_origin + next_url
    parts = urlsplit(next_url)
    if parts.scheme.lower() not in {"http", "https"}:
        return fallback
    allowed = {origin.lower() for origin in settings.origins} | {own_origin.lower()}
    return next_url if origin_of(next_url).lower() in allowed else fallback


class Accounts:
    """Sign-in, sessions and users over the service's storage (no HTTP here)."""

    def __init__(self, settings: Settings, storage: Storage) -> None:
        self.settings = settings
        self.storage = storage
        self.serializer = URLSafeTimedSerializer(settings.secret_key, salt="comments-sign-in")
        self.verified_domains = frozenset(domain.lower() for domain in settings.verified_domains)

    def is_verified_address(self, email: str) -> bool:
        return email.rsplit("@", 1)[-1].lower() in self.verified_domains

    # --- sign-in links ---------------------------------------------------------------------

    def request_sign_in(
        self, email: str, next_url: str, link_base: str, client_hash: str | None
    ) -> bool:
        """Queue a sign-in mail; False (and no mail) for banned or too-frequent requests.

        The caller answers the same either way, so nobody learns which addresses exist.
        """
        address = email.lower()
        now = utcnow()
        nonce = secrets.token_urlsafe(32)
        with self.storage.writing() as session:
            user = user_with_email(session, address)
            if user is not None and user.banned_at is not None:
                return False
            recent = now - timedelta(minutes=LINK_MINUTES)
            if links_since(session, recent, email=address) >= MAX_LINKS_PER_ADDRESS:
                return False
            if client_hash is not None and (
                links_since(session, recent, client_hash=client_hash) >= MAX_LINKS_PER_CLIENT
            ):
                return False
            add_sign_in_link(
                session,
                LoginToken(
                    token_hash=hash_token(nonce),
                    email=address,
                    next_url=next_url,
                    client_hash=client_hash,
                    created_at=now,
                    expires_at=now + timedelta(minutes=LINK_MINUTES),
                    used_at=None,
                ),
            )
            token = self.serializer.dumps(nonce)
            link = f"{link_base}/api/v1/auth/callback?{urlencode({'token': token})}"
            queue_message(
                session,
                to=address,
                subject="Your sign-in link",
                text=_sign_in_text(link, self.settings.site_url),
            )
        return True

    def _nonce(self, token: str) -> str:
        """The secret inside a signed link, or `SignInRefused` for a forged or stale one."""
        try:
            nonce = self.serializer.loads(token, max_age=LINK_MINUTES * 60)
        except BadSignature:
            raise SignInRefused(
                "This sign-in link has expired or is not valid. Ask for a new one; links work "
                f"once, within {LINK_MINUTES} minutes."
            ) from None
        if not isinstance(nonce, str):
            raise SignInRefused("This sign-in link is not valid. Ask for a new one.")
        return nonce

    def check_link(self, token: str) -> PendingSignIn:
        """Whether a sign-in link would work, and for whom, without using it.

        Mail scanners open links before people do; only `redeem` uses a link up.
        """
        nonce = self._nonce(token)
        with self.storage.reading() as session:
            pending = sign_in_link_holder(session, hash_token(nonce), utcnow())
            if pending is None:
                raise SignInRefused(USED_OR_EXPIRED)
            email, next_url = pending
            user = user_with_email(session, email)
        if user is not None and user.banned_at is not None:
            raise SignInRefused(BANNED)
        return PendingSignIn(email, next_url, needs_name=user is None or not user.name_chosen)

    def redeem(
        self, token: str, previous_session: str | None, display_name: str | None = None
    ) -> SignedIn:
        """Use a sign-in link once: find or create the user and start a NEW session.

        `display_name` is the name a member chose on the confirmation page, if they had none.
        """
        nonce = self._nonce(token)
        now = utcnow()
        with self.storage.writing() as session:
            used = use_sign_in_link(session, hash_token(nonce), now)
            if used is None:
                raise SignInRefused(USED_OR_EXPIRED)
            email, next_url = used
            user = user_with_email(session, email)
            if user is None:
                user = User(
                    email=email,
                    display_name=display_name or UNCHOSEN_NAME,
                    name_chosen=display_name is not None,
                    role=Role.MEMBER.value,
                    verified=self.is_verified_address(email),
                    banned_at=None,
                    created_at=now,
                )
                session.add(user)
                session.flush()
            elif user.banned_at is not None:
                raise SignInRefused(BANNED)
            else:
                user.verified = user.verified or self.is_verified_address(email)
                if display_name is not None and not user.name_chosen:
                    choose_name(session, user, display_name)
            secret = open_session(session, user.id, self.settings.session_days, previous_session)
        return SignedIn(user, secret, next_url)

    # --- sessions --------------------------------------------------------------------------

    def user_for_session(self, secret: str | None, *, banned_too: bool = False) -> User | None:
        """The signed-in, unbanned user of a session cookie (or banned, if asked), or None."""
        if not secret or len(secret) > 200:
            return None
        with self.storage.reading() as session:
            return user_of_session(session, secret, utcnow(), banned_too=banned_too)

    def sign_out(self, secret: str | None) -> None:
        if not secret:
            return
        with self.storage.writing() as session:
            end_session(session, secret)

    # --- users -----------------------------------------------------------------------------

    def save_user(self, email: str, role: Role, display_name: str | None = None) -> User:
        """Create a user or change their role (and name); used by `comments-api create-user`."""
        address = email.lower()
        with self.storage.writing() as session:
            user = user_with_email(session, address)
            if user is None:
                user = User(
                    email=address,
                    display_name=(display_name or UNCHOSEN_NAME)[:80],
                    name_chosen=display_name is not None,
                    role=role.value,
                    verified=self.is_verified_address(address),
                    banned_at=None,
                    created_at=utcnow(),
                )
                session.add(user)
            else:
                user.role = role.value
                if display_name:
                    choose_name(session, user, display_name)
            session.flush()
        return user

    def rename(self, user_id: int, display_name: str) -> None:
        """Give a member the name they chose, on their account and on their comments."""
        with self.storage.writing() as session:
            user = session.get(User, user_id)
            if user is None:
                return
            choose_name(session, user, display_name)


def choose_name(session: Session, user: User, display_name: str) -> None:
    """The name the person (or an operator) chose, shown from now on, earlier comments too."""
    name = display_name[:80]
    if name != user.display_name:
        rename_author(session, user.id, user.display_name, name)
    user.display_name, user.name_chosen = name, True


def _sign_in_text(link: str, site_url: str) -> str:
    return (
        "Hello,\n\n"
        "Someone, hopefully you, asked to sign in to comment on\n"
        f"{site_url}\n\n"
        f'Open this link within {LINK_MINUTES} minutes and press "Sign in" on the page it '
        "opens; it works once:\n\n"
        f"{link}\n\n"
        "If you did not ask for this, ignore this message: nobody can sign in without the link.\n"
    )
