"""Fixtures and hooks for every test folder: databases, the SMTP server, the app harness.

Helpers live in tests/helpers.py, the SMTP server in tests/smtp.py, the harness in
tests/harness.py; each folder's own conftest.py adds only what that folder alone needs.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine

from comments_api import Settings
from comments_api.db.engine import create_database_engine
from tests.harness import (
    API,
    BLOG,
    CLOSED_POST,
    FIRST_POST,
    SECOND_POST,
    App,
    AppFactory,
    Desk,
    api_settings,
    form_token,
    mail_settings_for,
    open_app,
    service_settings,
    start_migrated,
)
from tests.helpers import (
    CHROMIUM_ARGS,
    CHROMIUM_PATH,
    IN_CI,
    POSTGRES_URL,
    Reader,
    need,
    new_postgres_schema,
    postgres_available,
)
from tests.smtp import Mailbox, SmtpServer

# Property and fuzz tests explore new examples on developers' machines; in CI they replay a
# fixed sequence, so a green main stays green and a found bug is fixed on purpose, not by luck.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if IN_CI:
    hypothesis_settings.load_profile("ci")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    """In CI, a skipped test is a failed test: nothing may pass by not running."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true: {report.longrepr}"


# How long each test took in the last run that ran it (pytest's cache), to hand out the longest
# modules first; a test never timed counts as 10 s if it is marked slow, else 0.2 s.
TEST_SECONDS = "suite/test-seconds"
test_seconds: dict[str, float] = {}


def module_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def kept_test_seconds(config: pytest.Config) -> dict[str, float]:
    """The times kept by earlier runs; an xdist worker takes the ones its controller read, so
    every worker orders its collection alike even if another run writes the cache meanwhile."""
    worker = getattr(config, "workerinput", None)
    if worker is not None:
        return dict(worker.get(TEST_SECONDS, {}))
    cache = getattr(config, "cache", None)
    return dict(cache.get(TEST_SECONDS, {})) if cache is not None else {}


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    node.workerinput[TEST_SECONDS] = kept_test_seconds(node.config)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Order the modules: those that drive Chromium last, the longest of each part first.

    Under `--dist loadscope` (as `invoke test` runs) a module of test functions is one unit of
    work (a test class would be a unit of its own), so its module-scoped fixtures (a site build,
    a server) are made once; with `--no-loadscope-reorder` (in pyproject's addopts) the units
    are handed out in this order:
    - Playwright's sync API keeps an event loop running in the main thread once the session's
      `browser` fixture exists, and async (anyio) tests after it could not start theirs: so a
      module with any test that drives Chromium goes after every module that has none;
    - within each part, the longest modules first, so that no long one starts last.
    """
    timed = kept_test_seconds(config)
    browser: dict[str, bool] = {}
    seconds: dict[str, float] = {}
    for item in items:
        module = module_of(item.nodeid)
        drives = "browser" in getattr(item, "fixturenames", ())
        browser[module] = browser.get(module, False) or drives
        guess = 10.0 if item.get_closest_marker("slow") is not None else 0.2
        seconds[module] = seconds.get(module, 0.0) + timed.get(item.nodeid, guess)
    position = {item.nodeid: index for index, item in enumerate(items)}

    def order(item: pytest.Item) -> tuple[bool, float, int]:
        module = module_of(item.nodeid)
        return browser[module], -seconds[module], position[item.nodeid]

    items.sort(key=order)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    test_seconds[report.nodeid] = test_seconds.get(report.nodeid, 0.0) + report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Keep the tests' times (the reports of every worker reach the controlling process); a
    test that did not run keeps the time it had."""
    cache = getattr(session.config, "cache", None)
    if cache is None or hasattr(session.config, "workerinput") or not test_seconds:
        return
    timed = dict(cache.get(TEST_SECONDS, {}))
    timed.update({nodeid: round(seconds, 3) for nodeid, seconds in test_seconds.items()})
    cache.set(TEST_SECONDS, timed)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Debian Chromium for the session, driven by Playwright."""
    need(Path(CHROMIUM_PATH).exists(), f"Chromium is not installed at {CHROMIUM_PATH}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def reader_factory(browser: Any) -> Iterator[Callable[..., Reader]]:
    """Open browser tabs (each in a context of its own, with these options)."""
    contexts: list[Any] = []

    def open_tab(**context_options: Any) -> Reader:
        context = browser.new_context(**context_options)
        contexts.append(context)
        page = context.new_page()
        reader = Reader(page)
        page.on("pageerror", lambda error: reader.errors.append(str(error)))
        return reader

    yield open_tab
    for context in contexts:
        context.close()


@pytest.fixture
def reader(reader_factory: Callable[..., Reader]) -> Reader:
    return reader_factory()


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio (the server's own loop)."""
    return "asyncio"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file in tmp_path, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'comments.sqlite3'}"
        return
    need(postgres_available(), f"PostgreSQL is not reachable at {POSTGRES_URL}")
    with new_postgres_schema() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'comments.sqlite3'}"


# --- the SMTP server ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    """One real SMTP server (aiosmtpd) per test process; `mailbox` empties it for a test."""
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(smtp_server: SmtpServer) -> Mailbox:
    """The SMTP server's mailbox, empty at the start of the test."""
    smtp_server.mailbox.clear()
    return smtp_server.mailbox


# --- the app harness ---------------------------------------------------------------------------


@pytest.fixture
async def make_app() -> AsyncIterator[AppFactory]:
    """Open apps with `open_app`'s arguments; each is closed after the test."""
    made: list[App] = []

    async def make(settings: Settings, **options: Any) -> App:
        app = open_app(settings, **options)
        made.append(app)
        await app.sync_threads()
        return app

    yield make
    for app in made:
        await app.close()


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The JSON API's settings (`make_api`'s), on SQLite and on PostgreSQL."""
    return api_settings(database_url)


@pytest.fixture
def make_api(settings: Settings, make_app: AppFactory) -> AppFactory:
    """The JSON API with some settings changed; threads `first-post` and `closed-post` exist."""

    async def make(**overrides: Any) -> App:
        app: App = await make_app(
            replace(settings, **overrides),
            base_url="http://api.test",
            client_address="203.0.113.7",
            threads=(FIRST_POST, CLOSED_POST),
        )
        return app

    return make


@pytest.fixture
async def api(make_api: AppFactory) -> App:
    made: App = await make_api()
    return made


@pytest.fixture
def make_service(
    database_url: str, mailbox: Mailbox, smtp_server: SmtpServer, make_app: AppFactory
) -> AppFactory:
    """Sign-in and moderation over a real SMTP server; `first-post` and `second-post` exist."""

    async def make(**overrides: Any) -> App:
        app: App = await make_app(
            service_settings(database_url, smtp_server.port, **overrides),
            base_url=API,
            client_address="203.0.113.7",
            threads=(FIRST_POST, SECOND_POST),
            smtp=smtp_server,
        )
        return app

    return make


@pytest.fixture
async def service(make_service: AppFactory) -> App:
    made: App = await make_service()
    return made


@pytest.fixture
async def desk(service: App) -> Desk:
    """A moderator signed in on the moderation pages of `service`."""
    service.make_user("moderator@example.org", "moderator", "Morgan Moderator")
    moderator = service.browser()
    await service.sign_in("moderator@example.org", "/moderation", client=moderator)
    page = await moderator.get("/moderation")
    assert page.status_code == 200, page.text
    return Desk(service, moderator, form_token(page.text))


@pytest.fixture
def mail_settings(database_url: str, mailbox: Mailbox, smtp_server: SmtpServer) -> Settings:
    """Notifications and the outbox (`make_mail_api`'s settings, with a smaller pool)."""
    return Settings(
        env="test",
        database_url=database_url,
        secret_key=secrets.token_urlsafe(32),
        site_url=BLOG,
        allowed_origins=(BLOG,),
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
    """A migrated database of `mail_settings`, without the app."""
    database = create_database_engine(mail_settings.database_url, pool_size=2)
    start_migrated(database)
    yield database
    database.dispose()


@pytest.fixture
def make_mail_api(
    mail_settings: Settings, smtp_server: SmtpServer, make_app: AppFactory
) -> AppFactory:
    """The app that mails moderators and subscribers; the thread `first-post` exists."""

    async def make(**overrides: Any) -> App:
        settings = mail_settings_for(
            mail_settings.database_url,
            smtp_server.port,
            secret_key=mail_settings.secret_key,
            **overrides,
        )
        app: App = await make_app(
            settings,
            base_url="http://api.test",
            client_address="203.0.113.9",
            threads=(FIRST_POST,),
            smtp=smtp_server,
        )
        return app

    return make
