"""Schemathesis drives the app from its own OpenAPI schema: no 5xx, no answer off-schema."""

from __future__ import annotations

import secrets
import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.config._checks import (
    NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES,
    POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES,
)

from comments_api import Settings, create_app
from tests.helpers import BUILD_TOKEN, DEPLOY_TOKEN

FUZZ_FOLDER = Path(tempfile.mkdtemp(prefix="comments-fuzz-"))


def _fuzz_app() -> object:
    """One app on a throwaway SQLite file, with a thread and a published comment to find."""
    app = create_app(
        Settings(
            env="test",
            database_url=f"sqlite:///{FUZZ_FOLDER / 'fuzz.sqlite3'}",
            secret_key=secrets.token_urlsafe(32),
            moderation="publish",
            rate_limits_enabled=False,
            build_token=BUILD_TOKEN,
            deploy_token=DEPLOY_TOKEN,
            threads_file="",
        )
    )
    service = app.state.service
    from comments_api.db.rows import ManifestEntry

    service.sync_threads([ManifestEntry("first-post", "First", "/first.html", False)])
    return app


APP = _fuzz_app()
# A sign-in link's token is schema-valid yet unknown to the server (the schema cannot say which
# tokens exist); the callback refuses it with its documented 400, which this check must allow.
# A body over the route's size cap is refused (413, documented) before its fields are read, so a
# large schema-violating body is rightly refused with 413 rather than 422.
CHECKS = SchemathesisConfig.from_dict(
    {
        "checks": {
            "negative_data_rejection": {
                "expected-statuses": [*NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES, "413"]
            }
        },
        "operations": [
            {
                "include-path": "/api/v1/auth/callback",
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": [*POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES, "400"]
                    }
                },
            }
        ],
    }
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CHECKS)


@pytest.fixture(scope="module", autouse=True)
def _remove_database() -> object:
    yield
    APP.state.service.storage.close()  # type: ignore[attr-defined]
    APP.state.service.storage.engine.dispose()  # type: ignore[attr-defined]
    shutil.rmtree(FUZZ_FOLDER, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_contract(case: schemathesis.Case) -> None:
    case.call_and_validate()
