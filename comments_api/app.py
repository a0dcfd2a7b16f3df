"""The application factory: settings in, a ready ASGI app out."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine

from comments_api.background import background_sender
from comments_api.comments.ratelimit import RateLimiter
from comments_api.comments.service import CommentService
from comments_api.config import DEVELOPMENT_SECRET, Settings
from comments_api.db.engine import DatabaseTimeouts, create_database_engine, migrate
from comments_api.db.storage import Storage
from comments_api.errors import install_error_handlers
from comments_api.schemas import NewComment, NewCommentForm, ReportIn
from comments_api.web.api import comments, privacy, site
from comments_api.web.api.auth import install_auth
from comments_api.web.body_limits import install_body_limits
from comments_api.web.cached_reads import FastReads
from comments_api.web.faults import BoundedCheck, install_fault_handlers
from comments_api.web.html import (
    DOCS_CONTENT_SECURITY_POLICY,
    HtmlPages,
    SiteIdentity,
    favicon,
    front_page,
    not_found_page,
)
from comments_api.web.origins import OriginPolicy
from comments_api.web.pages import email_links
from comments_api.web.pages.bans import install_ban_pages
from comments_api.web.pages.moderation import install_moderation
from comments_api.web.pages.provider_sign_in import install_provider_sign_in
from comments_api.web.refusals import install_refusal_handler
from comments_api.web.server import REQUEST_SECONDS_STATE

__all__ = ["app_from_environment", "create_app"]

logger = logging.getLogger("comments_api")

DESCRIPTION = """The blog's comments service.

Every 4xx answer has the body `{"detail": str, "errors": [{"field": str, "message": str}]}`.
A commenter's e-mail address never appears in any answer.
"""


def create_app(settings: Settings, engine: Engine | None = None) -> FastAPI:
    """Build the app; it owns the engine it creates (and disposes of it at shutdown)."""
    owns_engine = engine is None
    database = engine or create_database_engine(
        settings.database_url, settings.db_pool_size, database_timeouts(settings)
    )
    if settings.migrate_on_start:
        # Migrations may take longer than a request may wait: on an engine without those limits.
        migrating = create_database_engine(settings.database_url, 1) if owns_engine else database
        migrate(migrating)
        if migrating is not database:
            migrating.dispose()
    if settings.secret_key == DEVELOPMENT_SECRET:
        logger.warning("COMMENTS_SECRET_KEY is not set: using the development secret.")
    storage = Storage(
        database,
        session_info={"settings": settings},
        read_seconds=settings.db_read_timeout_seconds,
        busy_seconds=settings.db_busy_timeout_seconds,
    )
    comment_service = CommentService(settings, storage, RateLimiter(settings))
    health_check = BoundedCheck(settings.db_read_timeout_seconds)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, int]]:
        sender = background_sender(database, settings)
        sender.start()
        yield {REQUEST_SECONDS_STATE: settings.request_timeout_seconds}
        await sender.stop()
        health_check.close()
        storage.close()
        if owns_engine:
            database.dispose()

    app = FastAPI(
        title="Comments API",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.service = comment_service
    app.state.health_check = health_check
    install_error_handlers(app, not_found_page)
    install_fault_handlers(app, database.dialect.loaded_dbapi.Error)
    install_refusal_handler(app)
    app.include_router(comments.router)
    app.include_router(site.router)
    app.include_router(site.health_router)
    app.include_router(privacy.router)
    app.include_router(email_links.router)
    install_auth(app, settings, storage)
    install_provider_sign_in(app, settings)
    install_moderation(app)
    install_ban_pages(app)
    app.add_api_route("/favicon.svg", favicon, methods=["GET"], include_in_schema=False)
    app.add_api_route("/", front_page, methods=["GET"], include_in_schema=False)
    install_body_limits(app, settings.site_url)
    app.add_middleware(FastReads, service=comment_service)
    app.add_middleware(OriginPolicy, allowed_origins=settings.origins)
    docs = (app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url)
    app.add_middleware(
        HtmlPages,
        site=SiteIdentity(settings.site_name, settings.site_url),
        policies={path: DOCS_CONTENT_SECURITY_POLICY for path in docs if path},
    )
    _document_request_bodies(app)
    return app


def database_timeouts(settings: Settings) -> DatabaseTimeouts:
    """The service's bounded waits on the database, from its settings."""
    return DatabaseTimeouts(
        connect=settings.db_connect_timeout_seconds,
        statement=settings.db_statement_timeout_seconds,
        lock=settings.db_lock_timeout_seconds,
        sqlite_busy=settings.db_busy_timeout_seconds,
    )


def _document_request_bodies(app: FastAPI) -> None:
    """Add the body schemas of the routes that read JSON or form data themselves."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, model in (
            ("NewComment", NewComment),
            ("NewCommentForm", NewCommentForm),
            ("ReportIn", ReportIn),
            ("ReportInForm", ReportIn),
            ("DeletionRequest", privacy.DeletionRequest),
        ):
            model_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(model_schema.pop("$defs", {}))
            components[name] = model_schema
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def app_from_environment() -> FastAPI:
    """The factory uvicorn calls in each worker process: settings from `COMMENTS_*`."""
    return create_app(Settings.from_env())
