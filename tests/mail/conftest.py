"""Fixtures for the mail tests: a real SMTP server and a migrated database (SQLite, PostgreSQL)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from comments_api import Settings
from comments_api.db.engine import create_database_engine, migrate
from tests.mail.support import SmtpServer


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def mail_settings(database_url: str, smtp_server: SmtpServer) -> Settings:
    return Settings(
        env="test",
        database_url=database_url,
        secret_key=secrets.token_urlsafe(32),
        site_url="http://blog.test",
        allowed_origins=("http://blog.test",),
        min_submit_seconds=0,
        rate_limits_enabled=False,
        threads_file="",
        db_pool_size=2,
        smtp_host="127.0.0.1",
        smtp_port=smtp_server.port,
        smtp_from="Blog comments <comments@blog.test>",
    )


@pytest.fixture
def engine(mail_settings: Settings) -> Iterator[Engine]:
    database = create_database_engine(mail_settings.database_url, pool_size=2)
    migrate(database)
    yield database
    database.dispose()


from tests.mail.app_support import make_mail_api  # noqa: E402,F401  (a fixture)
