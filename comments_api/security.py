"""Secrets and hashes: client-address hashing, edit tokens, API token checks."""

from __future__ import annotations

import hashlib
import hmac
import secrets

__all__ = ["client_hash", "hash_token", "new_edit_token", "token_matches", "bearer_matches"]


def client_hash(secret_key: str, address: str | None) -> str | None:
    """A keyed hash of the client address: comparable for rate limits and bans, not reversible."""
    if not address:
        return None
    digest = hmac.new(secret_key.encode(), address.encode(), hashlib.sha256).hexdigest()
    return digest[:32]


def new_edit_token() -> str:
    """A one-time secret handed to the author at creation; only its hash is stored."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str | None, stored_hash: str | None) -> bool:
    if not token or not stored_hash:
        return False
    return hmac.compare_digest(hash_token(token), stored_hash)


def bearer_matches(authorization: str | None, expected: str) -> bool:
    """True when the header is `Bearer <expected>`; an unset expected token never matches."""
    if not expected or not authorization:
        return False
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(value.strip().encode(), expected.encode())
