"""Signed links sent by e-mail: moderators' approve/reject, unsubscribe, delete my data.

Tokens are signed with COMMENTS_SECRET_KEY (itsdangerous), one salt per purpose so a token for
one thing never works for another. Single-use links record the hash of a used token; opening a
link (GET) never uses it up, only the confirming POST does, because mail scanners follow links.

Signing does not encrypt: anyone who sees a URL (access logs, proxies) can read its payload.
Payloads therefore never hold an e-mail address, only ids, random secrets whose hash the
database keeps, or `address_digest()`.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any, Literal

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from comments_api.config import DEVELOPMENT_API_URL, Settings
from comments_api.db import used_tokens

__all__ = [
    "LinkProblem",
    "Purpose",
    "address_digest",
    "api_url",
    "is_used",
    "read_token",
    "sign_token",
    "use_once",
]

Purpose = Literal["moderate", "unsubscribe", "delete-data"]


class LinkProblem(Exception):
    """A link that cannot be used: `reason` is "expired", "invalid" or "used"."""

    def __init__(self, reason: Literal["expired", "invalid", "used"]) -> None:
        super().__init__(reason)
        self.reason = reason


def _serializer(settings: Settings, purpose: Purpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt=f"comments-api/{purpose}")


def sign_token(
    settings: Settings, purpose: Purpose, payload: dict[str, Any], issued_at: float | None = None
) -> str:
    """A URL-safe token carrying `payload`, signed for one purpose (`issued_at`: back-dated)."""
    if issued_at is None:
        return str(_serializer(settings, purpose).dumps(payload))
    stamp = int(issued_at)

    class IssuedThen(TimestampSigner):
        def get_timestamp(self) -> int:
            return stamp

    serializer = URLSafeTimedSerializer(
        settings.secret_key, salt=f"comments-api/{purpose}", signer=IssuedThen
    )
    return str(serializer.dumps(payload))


def read_token(
    settings: Settings, purpose: Purpose, token: str, max_age_seconds: int | None
) -> dict[str, Any]:
    """The payload of a valid token, or `LinkProblem("expired" | "invalid")`."""
    try:
        payload = _serializer(settings, purpose).loads(token, max_age=max_age_seconds)
    except SignatureExpired:
        raise LinkProblem("expired") from None
    except BadSignature:
        raise LinkProblem("invalid") from None
    if not isinstance(payload, dict):
        raise LinkProblem("invalid")
    return payload


def address_digest(settings: Settings, address: str) -> str:
    """A keyed, one-way stand-in for an address in a link: comparable, never readable."""
    key = f"comments-api/address:{settings.secret_key}".encode()
    return hmac.new(key, address.strip().lower().encode(), hashlib.sha256).hexdigest()[:32]


def is_used(session: Session, token: str) -> bool:
    """Whether this single-use link was used already."""
    return used_tokens.is_used(session, token)


def use_once(session: Session, token: str, purpose: Purpose) -> None:
    """Record the token as used in the caller's transaction, or `LinkProblem("used")`."""
    if not used_tokens.use_once(session, token, purpose):
        raise LinkProblem("used")  # the caller's transaction rolls back


def api_url(settings: Settings, path: str) -> str:
    """An absolute URL of this API (COMMENTS_PUBLIC_URL) for links in e-mails."""
    base = (settings.public_url or DEVELOPMENT_API_URL).rstrip("/")
    return f"{base}{path}"
