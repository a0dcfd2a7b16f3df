"""Settings are read once from COMMENTS_* variables and fail fast when wrong."""

from __future__ import annotations

import subprocess
import sys

import pytest

from comments_api import ConfigurationError, Settings
from tests.helpers import ROOT


def test_with_no_settings_the_service_uses_a_sqlite_file_in_the_working_folder() -> None:
    settings = Settings.from_env({})
    assert settings.env == "development"
    assert settings.database_url == "sqlite:///comments.sqlite3"
    assert settings.moderation == "hold-first-time-guests"
    assert settings.edit_window_minutes == 15
    assert "http://127.0.0.1:8000" in settings.origins


def test_variables_are_cast_to_their_types() -> None:
    settings = Settings.from_env(
        {
            "COMMENTS_ALLOWED_ORIGINS": "https://blog.example.org/, https://www.example.org",
            "COMMENTS_EDIT_WINDOW_MINUTES": "30",
            "COMMENTS_RATE_LIMITS_ENABLED": "false",
            "COMMENTS_SITE_URL": "https://blog.example.org/",
        }
    )
    assert settings.allowed_origins == ("https://blog.example.org", "https://www.example.org")
    assert settings.edit_window_minutes == 30
    assert settings.rate_limits_enabled is False
    assert settings.site_url == "https://blog.example.org"


def test_settings_cannot_change_after_start_up() -> None:
    settings = Settings.from_env({})
    with pytest.raises(AttributeError):
        settings.moderation = "publish"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"COMMENTS_ENV": "production"}, "COMMENTS_SECRET_KEY"),
        ({"COMMENTS_ENV": "production", "COMMENTS_SECRET_KEY": "short"}, "COMMENTS_SECRET_KEY"),
        ({"COMMENTS_EDIT_WINDOW_MINUTES": "soon"}, "COMMENTS_EDIT_WINDOW_MINUTES"),
        ({"COMMENTS_RATE_LIMITS_ENABLED": "perhaps"}, "COMMENTS_RATE_LIMITS_ENABLED"),
        ({"COMMENTS_MODERATION": "anything-goes"}, "COMMENTS_MODERATION"),
        ({"COMMENTS_ENV": "staging"}, "COMMENTS_ENV"),
        ({"COMMENTS_SITE_URL": "blog"}, "COMMENTS_SITE_URL"),
        ({"COMMENTS_REQUEST_TIMEOUT_SECONDS": "0"}, "COMMENTS_REQUEST_TIMEOUT_SECONDS"),
        ({"COMMENTS_KEEP_ALIVE_SECONDS": "soon"}, "COMMENTS_KEEP_ALIVE_SECONDS"),
        ({"COMMENTS_MAX_HEADER_BYTES": "100"}, "COMMENTS_MAX_HEADER_BYTES"),
        ({"COMMENTS_DB_READ_TIMEOUT_SECONDS": "0"}, "COMMENTS_DB_READ_TIMEOUT_SECONDS"),
        ({"COMMENTS_MAIL_RETRY_SECONDS": "0"}, "COMMENTS_MAIL_RETRY_SECONDS"),
        (
            {"COMMENTS_DB_READ_TIMEOUT_SECONDS": "2", "COMMENTS_DB_LOCK_TIMEOUT_SECONDS": "5"},
            "longer than COMMENTS_DB_LOCK_TIMEOUT_SECONDS",
        ),
    ],
)
def test_a_wrong_setting_is_a_clear_error_naming_the_variable(
    environ: dict[str, str], named: str
) -> None:
    with pytest.raises(ConfigurationError, match=named):
        Settings.from_env(environ)


def test_production_without_a_secret_refuses_to_start(tmp_path: object) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "comments_api", "serve", "--port", "1"],
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "COMMENTS_ENV": "production"},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=str(tmp_path),
    )
    assert result.returncode == 2
    assert "COMMENTS_SECRET_KEY is required" in result.stderr


def operators_guide() -> str:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## Operators' guide", 1)[1]
    return section.split("\n## ", 1)[0]


def test_every_setting_is_documented_in_the_operators_guide() -> None:
    from dataclasses import fields

    guide = operators_guide()
    missing = [
        f"COMMENTS_{field.name.upper()}"
        for field in fields(Settings)
        if f"`COMMENTS_{field.name.upper()}`" not in guide
    ]
    assert not missing, f"undocumented settings: {missing}"


def test_every_command_is_documented_in_the_operators_guide() -> None:
    from comments_api.cli import _parser

    guide = operators_guide()
    commands = _parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    missing = [name for name in commands if f"`comments-api {name}" not in guide]
    assert not missing, f"undocumented commands: {missing}"
