"""Sign-in with the organisation's OpenID provider: the way out to it and the way back.

Plain links and redirects, so the button works without JavaScript, on the blog's posts and on
the service's sign-in page alike. Every failure is a page that says what happened.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request
from starlette.responses import RedirectResponse, Response

from comments_api.auth.accounts import allowed_next
from comments_api.auth.dependencies import (
    accounts,
    openid_provider,
    own_origin,
    request_settings,
    session_secret,
)
from comments_api.auth.openid import (
    CALLBACK_PATH,
    FLOW_MINUTES,
    SIGN_OUT_PATH,
    START_PATH,
    ProviderSignInFailed,
    start_path,
)
from comments_api.auth.provider_accounts import claim_state, sign_in_with_provider
from comments_api.config import Settings
from comments_api.web.api.auth import set_session_cookie, sign_in_url
from comments_api.web.html import html_page, service_page

__all__ = ["install_provider_sign_in"]

router = APIRouter(include_in_schema=False)

FLOW_COOKIE = "comments_oidc_flow"
ANSWER = Annotated[str | None, Query(max_length=2000)]


def _redirect_uri(request: Request) -> str:
    return own_origin(request) + CALLBACK_PATH


def _failure_page(request: Request, failed: ProviderSignInFailed, next_url: str) -> Response:
    page = html_page(
        "auth/provider_refused.html",
        failed.status_code,
        title=failed.title,
        detail=failed.detail,
        retry_url=start_path(next_url),
        sign_in_url=sign_in_url(request, next_url),
        next_url=next_url,
    )
    page.headers["Cache-Control"] = "no-store"
    return page


def _not_set_up() -> Response:
    return service_page(
        "Sign-in with the organisation's accounts is not set up",
        (
            "This blog's comments service has no sign-in service configured; sign in with an "
            "e-mailed link instead.",
        ),
        (("Sign in with an e-mailed link", "/auth/sign-in"),),
        status_code=404,
    )


@router.get(START_PATH)
def start(request: Request, next: Annotated[str | None, Query(max_length=1000)] = None) -> Response:
    """Remember the flow in a cookie of this browser, then go to the provider's sign-in page."""
    openid = openid_provider(request)
    if openid is None:
        return _not_set_up()
    settings = request_settings(request)
    target = allowed_next(next, settings, own_origin(request))
    try:
        authorization_url, flow_cookie = openid.begin(_redirect_uri(request), target)
    except ProviderSignInFailed as failed:
        return _failure_page(request, failed, target)
    response = RedirectResponse(authorization_url, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    response.set_cookie(
        FLOW_COOKIE,
        flow_cookie,
        max_age=FLOW_MINUTES * 60,
        path="/auth/oidc",
        httponly=True,
        samesite="lax",
        secure=settings.env != "development",
    )
    return response


@router.get(CALLBACK_PATH)
def callback(
    request: Request,
    state: ANSWER = None,
    code: ANSWER = None,
    error: ANSWER = None,
    error_description: ANSWER = None,
    iss: ANSWER = None,
) -> Response:
    """The provider's answer: check it belongs to this browser's flow, then sign in."""
    openid = openid_provider(request)
    if openid is None:
        return _not_set_up()
    settings = request_settings(request)
    fallback = allowed_next(None, settings, own_origin(request))
    try:
        flow = openid.pending(request.cookies.get(FLOW_COOKIE), state)
    except ProviderSignInFailed as failed:
        return _failure_page(request, failed, fallback)
    try:
        claim_state(accounts(request), flow)
        openid.check_answering_issuer(iss)
        if error or not code:
            raise _provider_said_no(error, error_description)
        account = openid.finish(flow, code, _redirect_uri(request))
        signed_in = sign_in_with_provider(accounts(request), account, flow, session_secret(request))
    except ProviderSignInFailed as failed:
        return _failure_page(request, failed, flow.next_url)
    target = allowed_next(signed_in.next_url, settings, own_origin(request))
    response = RedirectResponse(target, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    set_session_cookie(response, settings, signed_in.session_secret)
    return response


@router.get(SIGN_OUT_PATH)
def provider_sign_out(request: Request) -> Response:
    """After signing out here: on to the provider's end-session page, when it offers one.

    Signing out of the blog ends only its own session; a member on a shared computer may want
    the organisation's account signed out too (the widget links here after its sign-out).
    """
    openid = openid_provider(request)
    signed_out_here = own_origin(request) + "/auth/sign-in?signed_out=1"
    end_session = openid.end_session_url(signed_out_here) if openid is not None else None
    response = RedirectResponse(end_session or signed_out_here, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


def _provider_said_no(error: str | None, description: str | None) -> ProviderSignInFailed:
    if error == "access_denied":
        return ProviderSignInFailed(
            403,
            "Sign-in was cancelled",
            "You did not allow the organisation's sign-in service to sign you in here, so "
            "nobody was signed in. Try again, or sign in with an e-mailed link.",
        )
    said = f" It said: {description or error}." if (description or error) else ""
    return ProviderSignInFailed(
        400,
        "The sign-in service did not sign you in",
        f"The organisation's sign-in service answered without signing you in.{said} Try "
        "again, or sign in with an e-mailed link.",
    )


def install_provider_sign_in(app: FastAPI, settings: Settings) -> None:
    """Add the provider's sign-in routes (they answer "not set up" without an issuer).

    The OpenID client (Authlib, joserfc, cryptography: about 250 ms and several MB) is
    imported only when a provider is configured."""
    app.state.openid_provider = None
    if settings.oidc_enabled:
        from comments_api.auth.openid_client import OpenIdProvider

        app.state.openid_provider = OpenIdProvider(settings)
    app.include_router(router)
