"""Who is asking: the session user, the moderator check, CSRF tokens and the Origin check."""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from fastapi import Request

from comments_api.auth.accounts import Accounts
from comments_api.config import Settings
from comments_api.db.tables import User
from comments_api.errors import ApiError

if TYPE_CHECKING:
    from comments_api.auth.openid_client import OpenIdProvider

__all__ = [
    "request_settings",
    "SESSION_COOKIE",
    "Forbidden",
    "accounts",
    "check_csrf",
    "check_origin",
    "csrf_token",
    "current_user",
    "openid_provider",
    "own_origin",
    "require_moderator",
    "session_secret",
    "writing_user",
]

SESSION_COOKIE = "comments_session"


class Forbidden(Exception):
    """Refused for who is asking (or from where); rendered as a page or as the JSON error."""

    def __init__(self, detail: str, field: str = "session", sign_in: bool = False) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.sign_in = sign_in


def accounts(request: Request) -> Accounts:
    found: Accounts = request.app.state.accounts
    return found


def openid_provider(request: Request) -> OpenIdProvider | None:
    """The organisation's OpenID provider, or None when sign-in with one is not set up."""
    found: OpenIdProvider | None = getattr(request.app.state, "openid_provider", None)
    return found


def request_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    found: Settings = request.app.state.settings
    return found


def own_origin(request: Request) -> str:
    """This API's public origin: COMMENTS_PUBLIC_URL, or the address the request came to."""
    public_url = request_settings(request).public_url
    if public_url:
        parts = urlsplit(public_url)
        return f"{parts.scheme}://{parts.netloc}"
    return str(request.base_url).rstrip("/")


def session_secret(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or None


def current_user(request: Request) -> User | None:
    """The signed-in user of this request, or None (looked up once per request)."""
    if hasattr(request.state, "user"):
        cached: User | None = request.state.user
        return cached
    user = accounts(request).user_for_session(session_secret(request))
    request.state.user = user
    return user


def require_moderator(request: Request) -> User:
    """The signed-in moderator or admin; anyone else is refused with a 403."""
    user = current_user(request)
    if user is None:
        raise Forbidden("Only moderators may see this page: sign in first.", sign_in=True)
    if not user.is_moderator:
        raise Forbidden(
            "Only moderators may see this page; your account is not a moderator's.", sign_in=True
        )
    return user


def _request_origin(request: Request) -> str | None:
    origin = request.headers.get("origin")
    if origin and origin != "null":
        return origin.rstrip("/").lower()
    referer = request.headers.get("referer")
    if referer:
        parts = urlsplit(referer)
        if parts.scheme and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}".lower()
    return None


def check_origin(request: Request, same_origin_only: bool = False) -> None:
    """Cookie-authenticated writes must come from this API's pages or the blog's origins."""
    origin = _request_origin(request)
    allowed = {own_origin(request).lower()}
    if not same_origin_only:
        allowed |= {item.lower() for item in request_settings(request).origins}
    if origin is None or origin not in allowed:
        raise Forbidden(
            "This form must be sent from the page that shows it; reload that page and try again.",
            field="Origin",
        )


def csrf_token(request: Request) -> str:
    """A token for the forms of this session: a keyed hash of the session cookie."""
    secret = session_secret(request) or ""
    key = request_settings(request).secret_key.encode()
    return hmac.new(key, b"csrf:" + secret.encode(), hashlib.sha256).hexdigest()


def check_csrf(request: Request, token: str | None) -> None:
    """Refuse a form post whose CSRF token is missing or wrong, or that comes from elsewhere."""
    check_origin(request, same_origin_only=True)
    if (
        not session_secret(request)
        or not token
        or not hmac.compare_digest(token, csrf_token(request))
    ):
        raise Forbidden(
            "This form has expired or was not sent from this site; reload the page and try again.",
            field="csrf_token",
        )


def writing_user(request: Request) -> User | None:
    """The user behind a write: a session cookie counts only from allowed origins.

    A banned member's session still names them here, so that the refusal can say which
    account is blocked instead of asking them for a guest's name and address.
    """
    secret = session_secret(request)
    if secret is None:
        return None
    user = current_user(request) or accounts(request).user_for_session(secret, banned_too=True)
    if user is not None:
        try:
            check_origin(request)
        except Forbidden as refused:
            raise ApiError(403, refused.detail, [("Origin", refused.detail)]) from None
    return user
