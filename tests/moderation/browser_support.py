"""The moderation pages' browser tests share one stack: the real API process mailing a real
SMTP server, a built site with one post, and a moderator account."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.live_site import MailingApi, Stack, StaticSite, content_folder, post
from tests.smtp import Mailbox, SmtpServer, sign_in_link

MODERATOR = "head.nurse@staff.example.org"


@dataclass
class ModeratedApi(MailingApi):
    """The real API process, sending its mail to the test's SMTP server; staff are verified."""

    def environment(self) -> dict[str, str]:
        return {**super().environment(), "COMMENTS_VERIFIED_DOMAINS": "staff.example.org"}


def moderated_stack(
    tmp_path_factory: pytest.TempPathFactory,
    smtp_server: SmtpServer,
) -> Iterator[Stack]:
    """The stack for a module's `stack` fixture; stopped when the module is done."""
    folder = tmp_path_factory.mktemp("moderated")
    site = StaticSite(folder / "output")
    api = ModeratedApi(folder / "api", site_origin=site.url, smtp_port=smtp_server.port)
    try:
        api.start()
        content = content_folder(folder / "content")
        post(content, "ward-news", "News from the ward")
        built = Stack(site, api, content)
        built.publish()
        api.cli("create-user", MODERATOR, "--role", "moderator", "--name", "Head Nurse")
        yield built
    finally:
        api.stop()
        site.close()


def sign_in_messages(mailbox: Mailbox) -> list[Any]:
    return [m for m in mailbox.to(MODERATOR) if m["Subject"] == "Your sign-in link"]


def wait_for_sign_in_link(mailbox: Mailbox, seen: int) -> str:
    """The link in the next sign-in message (the server's mail sender runs every second)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        received = sign_in_messages(mailbox)
        if len(received) > seen:
            return sign_in_link(received[-1])
        time.sleep(0.2)
    raise AssertionError(f"no sign-in message reached {MODERATOR}")
