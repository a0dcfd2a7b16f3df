"""Sign-in with the organisation's OpenID Connect provider: what every part of the service may
know about it without loading the OpenID client (the paths, the pending flow, the account the
provider vouches for, how claims are read). The client itself, with Authlib and joserfc, is in
`comments_api.auth.openid_client` and is imported only when a provider is configured.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

__all__ = [
    "CALLBACK_PATH",
    "DISCOVERY_PATH",
    "FLOW_MINUTES",
    "SIGN_OUT_PATH",
    "START_PATH",
    "start_path",
    "PendingFlow",
    "ProviderAccount",
    "ProviderSignInFailed",
    "claim",
    "claim_grants",
    "is_true",
    "token_refused",
    "unreachable",
]

FLOW_MINUTES = 10
START_PATH = "/auth/oidc/start"
CALLBACK_PATH = "/auth/oidc/callback"
SIGN_OUT_PATH = "/auth/oidc/sign-out"
DISCOVERY_PATH = "/.well-known/openid-configuration"


def start_path(next_url: str) -> str:
    """The button's address: start a sign-in with the provider, coming back to `next_url`."""
    return f"{START_PATH}?{urlencode({'next': next_url})}"


class ProviderSignInFailed(Exception):
    """Sign-in with the provider did not work; `title` and `detail` say why, to the person."""

    def __init__(self, status_code: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.title = title
        self.detail = detail


def unreachable(what: str) -> ProviderSignInFailed:
    return ProviderSignInFailed(
        502,
        "The sign-in service does not answer",
        f"The organisation's sign-in service could not be reached ({what}). Try again in a "
        "few minutes, or sign in with an e-mailed link instead.",
    )


def token_refused(detail: str) -> ProviderSignInFailed:
    return ProviderSignInFailed(
        400,
        "The sign-in could not be checked",
        f"{detail} Nobody was signed in. Start again from the sign-in button.",
    )


@dataclass(frozen=True)
class PendingFlow:
    """A sign-in started in this browser: kept in a signed cookie until the provider answers."""

    state: str
    nonce: str
    code_verifier: str
    next_url: str


@dataclass(frozen=True)
class ProviderAccount:
    """Who the provider says signed in, with what the configured claims make of them."""

    issuer: str
    subject: str
    email: str | None
    email_verified: bool
    name: str | None
    verified_member: bool
    moderator: bool


def claim(claims: dict[str, Any], name: str) -> Any:
    """A claim by name; a dotted name reads nested claims (Keycloak's `realm_access.roles`)."""
    if name in claims:
        return claims[name]
    value: Any = claims
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def is_true(value: Any) -> bool:
    """A boolean claim; some providers send "true" as a string."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def claim_grants(value: Any, wanted: str) -> bool:
    """Whether a claim's value gives what a setting asks: `wanted` in a list (or a
    space-separated string), equal to it, or, with nothing wanted, simply true."""
    if value is None:
        return False
    if not wanted:
        return is_true(value) or (isinstance(value, list) and bool(value))
    if isinstance(value, list):
        return wanted in [str(item) for item in value]
    if isinstance(value, str):
        return value == wanted or wanted in value.split()
    return str(value).lower() == wanted.lower()
