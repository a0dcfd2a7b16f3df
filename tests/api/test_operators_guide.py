"""The Operators' guide in the README documents every setting and every command.

Meta-tests in the manner of Datasette's: adding a field to the settings object or a
subcommand to `comments-api` without a line in the guide fails here.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import fields

import pytest

from comments_api.cli import _parser
from comments_api.config import Settings
from tests.helpers import ROOT

SECTION = "## Operators' guide"


def operators_guide() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert SECTION in readme, f"the README has no {SECTION!r} section"
    section = readme.split(SECTION, 1)[1]
    following = re.search(r"^## ", section, flags=re.MULTILINE)
    return section[: following.start()] if following else section


def setting_names() -> list[str]:
    return [f"COMMENTS_{field.name.upper()}" for field in fields(Settings)]


def command_names() -> list[str]:
    parser = _parser()
    [commands] = [
        action for action in parser._actions if isinstance(action, argparse._SubParsersAction)
    ]
    return list(commands.choices)


def test_the_settings_and_commands_are_found() -> None:
    """Guards the tests below against passing because they found nothing to check."""
    assert {"COMMENTS_DATABASE_URL", "COMMENTS_RETENTION_DAYS"} <= set(setting_names())
    assert {"serve", "purge", "create-user"} <= set(command_names())


@pytest.mark.parametrize("name", setting_names())
def test_every_setting_is_documented(name: str) -> None:
    assert re.search(rf"^\| `{name}` \|", operators_guide(), flags=re.MULTILINE), (
        f"{name} is a field of comments_api.config.Settings but the README's Operators' "
        "guide does not document it: add a row to its Settings table."
    )


@pytest.mark.parametrize("command", command_names())
def test_every_command_is_documented(command: str) -> None:
    row = rf"^\| `comments-api {re.escape(command)}(`| )"
    assert re.search(row, operators_guide(), flags=re.MULTILINE), (
        f"`comments-api {command}` exists but the README's Operators' guide does not mention "
        "it: add it to the Day-to-day commands table."
    )


def test_the_guide_documents_no_setting_that_does_not_exist() -> None:
    documented = set(re.findall(r"`(COMMENTS_[A-Z0-9_]+)`", operators_guide()))
    # Read by the site build, named in the guide for context.
    site_side = {"COMMENTS_API_URL", "COMMENTS_VERIFIED_BADGE", "COMMENTS_SIGN_IN_PROVIDER"}
    unknown = documented - set(setting_names()) - site_side
    assert not unknown, f"the Operators' guide documents settings that do not exist: {unknown}"
