"""Fixtures and hooks for every test folder (helpers live in tests/helpers.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

from tests.api.support import POSTGRES_URL, new_postgres_schema, postgres_available
from tests.helpers import CHROMIUM_ARGS, CHROMIUM_PATH, IN_CI, need

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


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run tests that drive Chromium after all others (order otherwise kept).

    Playwright's sync API keeps an event loop running in the main thread once the session's
    `browser` fixture exists; async (anyio) tests collected after it could not start theirs.
    """
    items.sort(key=lambda item: "browser" in getattr(item, "fixturenames", ()))
    # Under pytest-xdist (`--dist loadgroup`, as `invoke test` runs), a module's tests stay on
    # one worker, so its module-scoped fixtures (a site build, a server) are made once; the
    # browser modules, last in the order, are handed out last, so no worker runs an async test
    # after its Chromium has started.
    for item in items:
        item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::", 1)[0]))


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
