"""The OpenID Connect client: the authorization-code flow with PKCE, `state` and `nonce`
(Authlib's OAuth 2 client over httpx2), discovery from the issuer's
`/.well-known/openid-configuration`, and the ID token's checks: signature from the provider's
JWKS, issuer, audience, expiry, issue time and nonce, with a small leeway for clocks that differ
(joserfc, which Authlib builds on). Imported only when a provider is configured.
"""

from __future__ import annotations

import secrets
from typing import Any

import httpx2
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oidc.core import CodeIDToken
from itsdangerous import BadSignature, URLSafeTimedSerializer
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from comments_api.auth.openid import (
    DISCOVERY_PATH,
    FLOW_MINUTES,
    PendingFlow,
    ProviderAccount,
    ProviderSignInFailed,
    claim,
    claim_grants,
    is_true,
    token_refused,
    unreachable,
)
from comments_api.config import Settings

__all__ = ["OpenIdProvider"]


class OpenIdProvider:
    """The organisation's provider, as its discovery document describes it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.serializer = URLSafeTimedSerializer(settings.secret_key, salt="comments-oidc-flow")

    @property
    def label(self) -> str:
        return self.settings.oidc_button_label

    def _get_json(self, url: str, what: str) -> dict[str, Any]:
        try:
            with httpx2.Client(timeout=self.settings.oidc_timeout_seconds) as client:
                response = client.get(url, headers={"Accept": "application/json"})
                response.raise_for_status()
                document = response.json()
        except (httpx2.HTTPError, ValueError):
            raise unreachable(what) from None
        if not isinstance(document, dict):
            raise unreachable(what)
        return document

    def metadata(self) -> dict[str, Any]:
        """The discovery document, checked to be the configured issuer's own."""
        issuer = self.settings.oidc_issuer
        document = self._get_json(issuer.rstrip("/") + DISCOVERY_PATH, "its discovery document")
        if str(document.get("issuer", "")).rstrip("/") != issuer.rstrip("/"):
            raise ProviderSignInFailed(
                502,
                "The sign-in service is not set up correctly",
                "The organisation's sign-in service describes itself as another issuer than "
                "the one this blog trusts. Sign in with an e-mailed link instead; the blog's "
                "operators have to check COMMENTS_OIDC_ISSUER.",
            )
        for needed in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(document.get(needed), str):
                raise unreachable(f"its discovery document names no {needed}")
        return document

    def _client(self, redirect_uri: str) -> OAuth2Client:
        return OAuth2Client(
            client_id=self.settings.oidc_client_id,
            client_secret=self.settings.oidc_client_secret or None,
            token_endpoint_auth_method="client_secret_basic"
            if self.settings.oidc_client_secret
            else "none",
            scope=self.settings.oidc_scopes,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            timeout=self.settings.oidc_timeout_seconds,
        )

    # --- the way out: to the provider's sign-in page ---------------------------------------

    def begin(self, redirect_uri: str, next_url: str) -> tuple[str, str]:
        """The provider's authorization URL, and the signed cookie that remembers this flow."""
        metadata = self.metadata()
        flow = PendingFlow(
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            code_verifier=secrets.token_urlsafe(48),
            next_url=next_url,
        )
        with self._client(redirect_uri) as client:
            url, _ = client.create_authorization_url(
                metadata["authorization_endpoint"],
                state=flow.state,
                code_verifier=flow.code_verifier,
                nonce=flow.nonce,
            )
        cookie = self.serializer.dumps([flow.state, flow.nonce, flow.code_verifier, flow.next_url])
        return str(url), cookie

    def pending(self, cookie: str | None, state: str | None) -> PendingFlow:
        """The flow this browser started, if the provider's answer belongs to it."""
        expired = ProviderSignInFailed(
            400,
            "This sign-in was not started here",
            "The answer from the sign-in service does not belong to a sign-in started in "
            f"this browser in the last {FLOW_MINUTES} minutes. Start again from the sign-in "
            "button.",
        )
        if not cookie or not state:
            raise expired
        try:
            values = self.serializer.loads(cookie, max_age=FLOW_MINUTES * 60)
        except BadSignature:
            raise expired from None
        if not (isinstance(values, list) and len(values) == 4):
            raise expired
        flow = PendingFlow(*(str(value) for value in values))
        if not secrets.compare_digest(flow.state, state):
            raise expired
        return flow

    # --- the way back: the code, the tokens and who signed in ------------------------------

    def check_answering_issuer(self, iss: str | None) -> None:
        """RFC 9207: an answer that names its issuer must name ours (no mix-up of providers)."""
        if iss is not None and iss.rstrip("/") != self.settings.oidc_issuer.rstrip("/"):
            raise ProviderSignInFailed(
                400,
                "The answer came from another sign-in service",
                "The answer did not come from the organisation's sign-in service that this "
                "blog trusts, so nobody was signed in. Start again from the sign-in button.",
            )

    def finish(self, flow: PendingFlow, code: str, redirect_uri: str) -> ProviderAccount:
        """Exchange the code (with the PKCE verifier), check the ID token, read the claims."""
        metadata = self.metadata()
        with self._client(redirect_uri) as client:
            try:
                token = client.fetch_token(
                    metadata["token_endpoint"],
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=flow.code_verifier,
                )
            except httpx2.HTTPError:
                raise unreachable("its token endpoint") from None
            except Exception as refused:  # Authlib's OAuthError, or a body that is not JSON
                raise token_refused(
                    f"The sign-in service refused to finish the sign-in ({refused})."
                ) from None
            id_token = token.get("id_token")
            if not isinstance(id_token, str):
                raise token_refused("The sign-in service sent no ID token.")
            claims = self._checked_claims(metadata, id_token, flow.nonce, token)
            userinfo = self._userinfo(client, metadata, claims["sub"])
        return self._account({**userinfo, **claims})

    def _checked_claims(
        self, metadata: dict[str, Any], id_token: str, nonce: str, token: dict[str, Any]
    ) -> dict[str, Any]:
        key_set: Any = self._get_json(metadata["jwks_uri"], "its signing keys")
        try:
            keys = KeySet.import_key_set(key_set)
        except (JoseError, ValueError, KeyError, TypeError):
            raise unreachable("its signing keys could not be read") from None
        algorithms = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        try:
            decoded = jwt.decode(
                id_token,
                keys,
                registry=JWSRegistry(algorithms=algorithms, strict_check_header=False),
            )
        except BadSignatureError:
            raise token_refused(
                "The ID token's signature does not match the sign-in service's keys: it was "
                "changed on the way."
            ) from None
        except JoseError:
            raise token_refused("The ID token could not be read.") from None
        claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            {
                "iss": {"essential": True, "value": metadata["issuer"]},
                "aud": {"essential": True, "value": self.settings.oidc_client_id},
                "nonce": {"essential": True, "value": nonce},
            },
            {
                "nonce": nonce,
                "client_id": self.settings.oidc_client_id,
                "access_token": token.get("access_token"),
            },
        )
        try:
            claims.validate(leeway=self.settings.oidc_leeway_seconds)
        except ExpiredTokenError:
            raise token_refused(
                "The ID token has expired. If this keeps happening, this computer's or the "
                "service's clock is wrong."
            ) from None
        except InvalidClaimError as invalid:
            if invalid.claim in {"iat", "nbf"}:
                raise token_refused(
                    "The ID token was issued in the future: the sign-in service's clock and "
                    f"ours differ by more than {self.settings.oidc_leeway_seconds} seconds."
                ) from None
            raise token_refused(
                f"The ID token's {invalid.claim!r} claim is not what this blog expects."
            ) from None
        except (MissingClaimError, JoseError):
            raise token_refused("The ID token lacks a claim it must have.") from None
        return dict(claims)

    def _userinfo(
        self, client: OAuth2Client, metadata: dict[str, Any], subject: str
    ) -> dict[str, Any]:
        """The UserInfo claims (providers may keep e-mail and groups out of the ID token)."""
        endpoint = metadata.get("userinfo_endpoint")
        if not isinstance(endpoint, str):
            return {}
        try:
            response = client.get(endpoint, headers={"Accept": "application/json"})
            response.raise_for_status()
            userinfo = response.json()
        except (httpx2.HTTPError, ValueError):
            raise unreachable("its user information endpoint") from None
        if not isinstance(userinfo, dict) or userinfo.get("sub") != subject:
            raise token_refused("The user information is about someone else than the ID token.")
        return userinfo

    def _account(self, claims: dict[str, Any]) -> ProviderAccount:
        settings = self.settings
        email = claim(claims, settings.oidc_email_claim)
        name = claim(claims, settings.oidc_name_claim)
        verified_member = (
            claim_grants(claim(claims, settings.oidc_verified_claim), settings.oidc_verified_value)
            if settings.oidc_verified_claim
            else True
        )
        moderator = bool(settings.oidc_moderator_claim) and claim_grants(
            claim(claims, settings.oidc_moderator_claim), settings.oidc_moderator_value
        )
        return ProviderAccount(
            issuer=str(claims["iss"]),
            subject=str(claims["sub"]),
            email=email.strip().lower() if isinstance(email, str) and email.strip() else None,
            email_verified=is_true(claims.get("email_verified")),
            name=name if isinstance(name, str) else None,
            verified_member=verified_member,
            moderator=moderator,
        )

    # --- signing out -------------------------------------------------------------------------

    def end_session_url(self, post_logout_redirect_uri: str) -> str | None:
        """Where to end the session at the provider too, when it offers that (None otherwise)."""
        try:
            endpoint = self.metadata().get("end_session_endpoint")
        except ProviderSignInFailed:
            return None
        if not isinstance(endpoint, str):
            return None
        query = httpx2.QueryParams(
            client_id=self.settings.oidc_client_id,
            post_logout_redirect_uri=post_logout_redirect_uri,
        )
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
