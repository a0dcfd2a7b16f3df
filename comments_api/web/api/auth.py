"""Sign-in endpoints (JSON, per the contract) and the sign-in pages that work without JS."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, FastAPI, Form, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, RedirectResponse, Response

from comments_api.auth.accounts import (
    LINK_MINUTES,
    UNCHOSEN_NAME,
    Accounts,
    PendingSignIn,
    SignInRefused,
    allowed_next,
    chosen_display_name,
    masked_address,
)
from comments_api.auth.dependencies import (
    SESSION_COOKIE,
    Forbidden,
    accounts,
    check_csrf,
    check_origin,
    csrf_token,
    current_user,
    openid_provider,
    own_origin,
    request_settings,
    session_secret,
)
from comments_api.auth.openid import start_path
from comments_api.auth.provider_accounts import uses_provider
from comments_api.auth.schemas import LinkToken, LoginAccepted, LoginRequest, Me
from comments_api.config import Settings
from comments_api.content.comment_input import check_email
from comments_api.db.storage import Storage
from comments_api.errors import ERROR_RESPONSES, ApiError, Refusal, error_response
from comments_api.security import client_hash
from comments_api.web.dependencies import client_address
from comments_api.web.html import PAGE_HEADERS, html_page

__all__ = ["install_auth", "set_session_cookie", "sign_in_url"]

api = APIRouter(prefix="/api/v1/auth", tags=["auth"])
pages = APIRouter(include_in_schema=False)

# After signing out a member who came from the provider: offer its end-session page too.
PROVIDER_SIGNED_OUT = "provider"
SENT_MESSAGE = (
    "If that address can receive mail, a sign-in link is on its way. It works once, "
    f"within {LINK_MINUTES} minutes."
)


def _send_link(request: Request, email: str, next_url: str | None) -> None:
    """Queue the mail; the answer never says whether the address has an account."""
    settings = request_settings(request)
    address = check_email(email.strip())
    origin = own_origin(request)
    target = allowed_next(next_url, settings, origin)
    client = client_hash(settings.secret_key, client_address(request))
    accounts(request).request_sign_in(address, target, origin, client)


def set_session_cookie(response: Response, settings: Settings, secret: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=settings.session_days * 24 * 3600,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.env != "development",
    )


def _clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.env != "development",
    )


def sign_in_url(request: Request, next_url: str | None) -> str:
    """The sign-in form, returning to `next_url` when that is an allowed place."""
    target = allowed_next(next_url, request_settings(request), own_origin(request))
    return f"{own_origin(request)}/auth/sign-in?{urlencode({'next': target})}"


# --- JSON --------------------------------------------------------------------------------


@api.post(
    "/login",
    status_code=202,
    response_model=LoginAccepted,
    summary="E-mail a single-use sign-in link",
    responses={code: ERROR_RESPONSES[code] for code in (400, 403, 422)},
)
def login(request: Request, sign_in: LoginRequest) -> JSONResponse:
    """Always 202 for a well-formed address, whether or not it has an account."""
    _send_link(request, sign_in.email, sign_in.next)
    return JSONResponse({"message": SENT_MESSAGE}, status_code=202)


HTML = {"text/html": {"schema": {"type": "string"}}}


def _link_refused(request: Request, refused: SignInRefused) -> Response:
    return html_page(
        "auth/link_refused.html",
        400,
        detail=str(refused),
        sign_in_url=sign_in_url(request, None),
    )


@api.get(
    "/callback",
    summary="Open an e-mailed sign-in link: a page asking to confirm (signs nobody in)",
    response_class=Response,
    responses={
        200: {
            "description": 'The page with one "Sign in" button (a form posting the token '
            "back here). Opening the link uses nothing up: mail scanners open links too.",
            "content": HTML,
        },
        400: {
            "description": "The page saying the link is expired, used or forged, and where to "
            "ask for a new one.",
            "content": HTML,
        },
        422: ERROR_RESPONSES[422],
    },
)
def confirm_sign_in(
    request: Request,
    token: Annotated[str, Query(min_length=1, max_length=500, description="From the e-mail.")],
) -> Response:
    """Show who the link signs in, with a button that does it; nothing is used up here."""
    try:
        pending = accounts(request).check_link(token)
    except SignInRefused as refused:
        return _link_refused(request, refused)
    return _confirmation_page(request, pending, token)


def _confirmation_page(
    request: Request, pending: PendingSignIn, token: str, typed_name: str = "", error: str = ""
) -> Response:
    """The page with the "Sign in" button (and, for a member without a name, the name field)."""
    page = html_page(
        "auth/confirm_sign_in.html",
        422 if error else 200,
        site=request_settings(request).site_name,
        address=masked_address(pending.email),
        token=token,
        link_minutes=LINK_MINUTES,
        needs_name=pending.needs_name,
        typed_name=typed_name,
        error=error,
        unchosen_name=UNCHOSEN_NAME,
    )
    # form-action also governs the redirect that follows the post: allow the way back to `next`.
    target = urlsplit(
        allowed_next(pending.next_url, request_settings(request), own_origin(request))
    )
    page.headers["Content-Security-Policy"] = PAGE_HEADERS["Content-Security-Policy"].replace(
        "form-action 'self'", f"form-action 'self' {target.scheme}://{target.netloc}"
    )
    return page


def _from_elsewhere(request: Request) -> bool:
    """A browser's form post from another site (login CSRF); browsers always send Origin."""
    origin = request.headers.get("origin")
    return origin is not None and origin.rstrip("/").lower() != own_origin(request).lower()


@api.post(
    "/callback",
    status_code=303,
    summary="Sign in with an e-mailed link's token: starts a session, 303 to `next`",
    response_class=Response,
    responses={
        303: {"description": "Signed in: the session cookie is set; on to `next`."},
        400: {
            **ERROR_RESPONSES[400],
            "description": "The link is expired, used or forged (an HTML page for browsers).",
            "content": HTML,
        },
        403: {**ERROR_RESPONSES[403], "description": "Posted from another site's page."},
        422: {
            **ERROR_RESPONSES[422],
            "content": {**ERROR_RESPONSES[422].get("content", {}), **HTML},
            "description": "A field is missing or invalid, such as a name that cannot be shown "
            "(for browsers, the confirmation page again, saying why; the link still works).",
        },
    },
)
def callback(request: Request, form: Annotated[LinkToken, Form()]) -> Response:
    """Use the link once; the session id is always new (an old session is ended)."""
    settings = request_settings(request)
    if _from_elsewhere(request):
        detail = "Sign in from the page your sign-in link opens."
        return error_response(ApiError(403, detail, [("Origin", detail)]))
    try:
        display_name = _typed_name(form.display_name)
    except ValueError as refused_name:
        return _name_refused(request, form, str(refused_name))
    try:
        signed_in = accounts(request).redeem(form.token, session_secret(request), display_name)
    except SignInRefused as refused:
        return _refused_link_answer(request, refused)
    target = allowed_next(signed_in.next_url, settings, own_origin(request))
    response = RedirectResponse(target, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    set_session_cookie(response, settings, signed_in.session_secret)
    return response


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def _refused_link_answer(request: Request, refused: SignInRefused) -> Response:
    """A dead link: the page saying so for browsers, a 400 naming the token otherwise."""
    if _wants_html(request):
        return _link_refused(request, refused)
    return error_response(ApiError(400, str(refused), [("token", str(refused))]))


def _typed_name(typed: str | None) -> str | None:
    """The chosen name from the confirmation page; None when left empty (asked again later)."""
    if typed is None or not typed.strip():
        return None
    return chosen_display_name(typed)


def _name_refused(request: Request, form: LinkToken, message: str) -> Response:
    """The confirmation page again, saying what is wrong with the name (the link still works)."""
    try:
        pending = accounts(request).check_link(form.token)  # a dead link says so first
    except SignInRefused as refused:
        return _refused_link_answer(request, refused)
    if not _wants_html(request):
        return error_response(ApiError(422, message, [("display_name", message)]))
    return _confirmation_page(request, pending, form.token, form.display_name or "", message)


@api.post(
    "/logout",
    status_code=204,
    summary="Sign out: ends the session and clears the cookie",
    responses={403: ERROR_RESPONSES[403]},
)
def logout(request: Request) -> Response:
    """Ends this browser's session (from the blog's pages only)."""
    secret = session_secret(request)
    if secret:
        check_origin(request)
        accounts(request).sign_out(secret)
    response = Response(status_code=204)
    _clear_session_cookie(response, request_settings(request))
    return response


@api.get(
    "/me",
    response_model=Me,
    summary="Who is signed in, and where to sign in",
    responses={422: ERROR_RESPONSES[422]},
)
def me(
    request: Request,
    next: Annotated[
        str | None,
        Query(
            max_length=1000,
            description="The page to return to after signing in (a page of the blog). "
            "Without it, the Referer is used, which cross-origin requests cut to the origin.",
        ),
    ] = None,
) -> JSONResponse:
    """`signed_in`, the user's public details, and the sign-in form returning to the caller."""
    user = current_user(request)
    body = {
        "signed_in": user is not None,
        "user": {
            "display_name": user.display_name,
            "role": user.role,
            "verified": user.verified,
            "signed_in_with_provider": openid_provider(request) is not None
            and uses_provider(accounts(request), user.id),
        }
        if user
        else None,
        "login_url": sign_in_url(request, next or request.headers.get("referer")),
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store", "Vary": "Cookie, Referer"})


# --- pages -------------------------------------------------------------------------------


def _sign_in_page(
    request: Request,
    next_url: str,
    status_code: int = 200,
    email: str = "",
    error: str = "",
    notice: str = "",
    end_session_url: str = "",
) -> Response:
    user = current_user(request)
    openid = openid_provider(request)
    return html_page(
        "auth/sign_in.html",
        status_code,
        user=user,
        provider_label=openid.label if openid else "",
        provider_url=start_path(next_url) if openid else "",
        end_session_url=end_session_url,
        next_url=next_url,
        email=email,
        error=error,
        notice=notice,
        csrf_token=csrf_token(request) if user else "",
        link_minutes=LINK_MINUTES,
        moderating=urlsplit(next_url).path.startswith("/moderation"),
    )


@pages.get("/auth/sign-in")
def sign_in_form(
    request: Request,
    next: Annotated[str | None, Query(max_length=1000)] = None,
    signed_out: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    """The form asking for an e-mail address (or, when signed in, the account's details)."""
    target = allowed_next(next, request_settings(request), own_origin(request))
    notice = "You are signed out." if signed_out else ""
    openid = openid_provider(request)
    end_session: str | None = None
    if signed_out == PROVIDER_SIGNED_OUT and openid is not None:
        end_session = openid.end_session_url(f"{own_origin(request)}/auth/sign-in?signed_out=1")
        notice = "You are signed out here." if end_session else notice
    return _sign_in_page(request, target, notice=notice, end_session_url=end_session or "")


@pages.post("/auth/sign-in")
async def sign_in_submit(request: Request) -> Response:
    """No-JS twin of POST /api/v1/auth/login: says to check the inbox."""
    form = await request.form()
    email = str(form.get("email", ""))[:254]
    next_url = str(form.get("next", ""))[:1000]
    target = allowed_next(next_url, request_settings(request), own_origin(request))
    try:
        await run_in_threadpool(_send_link, request, email, target)
    except Refusal as error:
        message = error.errors[0].message if error.errors else error.detail
        return await run_in_threadpool(_sign_in_page, request, target, 422, email, message)
    return html_page(
        "auth/check_email.html",
        200,
        link_minutes=LINK_MINUTES,
        sign_in_url=sign_in_url(request, target),
    )


@pages.post("/auth/sign-out")
async def sign_out_submit(request: Request) -> Response:
    """Sign out from the service's own pages (CSRF-checked form)."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    user = await run_in_threadpool(current_user, request)
    with_provider = user is not None and await run_in_threadpool(
        uses_provider, accounts(request), user.id
    )
    await run_in_threadpool(accounts(request).sign_out, session_secret(request))
    signed_out = PROVIDER_SIGNED_OUT if with_provider else "1"
    response = RedirectResponse(f"/auth/sign-in?signed_out={signed_out}", status_code=303)
    _clear_session_cookie(response, request_settings(request))
    return response


@pages.post("/auth/profile")
async def profile_submit(request: Request) -> Response:
    """Change one's display name (the name shown with one's comments)."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    user = await run_in_threadpool(current_user, request)
    if user is None:
        raise Forbidden("Sign in to change your name.", sign_in=True)
    target = allowed_next(
        str(form.get("next", ""))[:1000], request_settings(request), own_origin(request)
    )
    try:
        name = chosen_display_name(str(form.get("display_name", ""))[:1000])
    except ValueError as refused:
        return await run_in_threadpool(_sign_in_page, request, target, 422, "", str(refused))
    await run_in_threadpool(accounts(request).rename, user.id, name)
    return RedirectResponse(f"/auth/sign-in?{urlencode({'next': target})}", status_code=303)


@pages.get("/login")
def login_shortcut(request: Request) -> Response:
    """A short address for "sign in" links: the form, returning to the referring page."""
    return RedirectResponse(sign_in_url(request, request.headers.get("referer")), 303)


def install_auth(app: FastAPI, settings: Settings, storage: Storage) -> None:
    """Add sign-in to the app: accounts, routes and the page shown on a 403."""
    app.state.accounts = Accounts(settings, storage)
    app.include_router(api)
    app.include_router(pages)

    async def forbidden(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Forbidden)
        if request.url.path.startswith("/api/"):
            return error_response(ApiError(403, exc.detail, [(exc.field, exc.detail)]))
        back = str(request.url) if request.method == "GET" else None
        return html_page(
            "auth/forbidden.html",
            403,
            detail=exc.detail,
            sign_in_url=sign_in_url(request, back) if exc.sign_in else "",
        )

    app.add_exception_handler(Forbidden, forbidden)
