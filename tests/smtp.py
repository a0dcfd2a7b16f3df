"""A real SMTP server for every suite (aiosmtpd on a loopback port), and reading what it got.

`tests/conftest.py` starts one for the session (`smtp_server`) and empties its mailbox for each
test that asks for `mailbox`; a test that stops and starts a server makes its own `SmtpServer`.
"""

from __future__ import annotations

import email
import email.policy
import re
import threading
import time
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any

from aiosmtpd.controller import Controller

from tests.helpers import free_port

LINK = re.compile(r"https?://[^\s<>\"]+")
SIGN_IN_LINK = re.compile(r"https?://[^\s]+/api/v1/auth/callback\?token=[^\s]+")


class Mailbox:
    """An aiosmtpd handler that keeps every message it receives, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._received = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._received:
            self.messages.append(message)
            self._received.notify_all()
        return "250 Message accepted for delivery"

    def clear(self) -> None:
        with self._received:
            self.messages.clear()

    def wait_for(self, count: int, timeout: float = 30.0) -> list[EmailMessage]:
        """Block until at least `count` messages arrived (a real server delivers them)."""
        deadline = time.monotonic() + timeout
        with self._received:
            while len(self.messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"expected {count} messages, got {len(self.messages)}: "
                        f"{[m['Subject'] for m in self.messages]}"
                    )
                self._received.wait(remaining)
            return list(self.messages)

    def to(self, address: str) -> list[EmailMessage]:
        """The messages addressed to `address` (any case), oldest first."""
        wanted = address.lower()
        with self._received:
            return [
                message
                for message in self.messages
                if wanted in {found.lower() for _, found in getaddresses([str(message["To"])])}
            ]


class SmtpServer:
    """aiosmtpd on 127.0.0.1 and a port of its own; can be stopped and started again."""

    def __init__(self, *, smtputf8: bool = True) -> None:
        self.port = free_port()
        self.mailbox = Mailbox()
        self.smtputf8 = smtputf8
        self._controller: Controller | None = None

    def start(self) -> SmtpServer:
        self._controller = Controller(
            self.mailbox, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=self.smtputf8
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None, "the message has no text part"
    content: str = body.get_content()
    return content


def links_in(message: EmailMessage) -> list[str]:
    """Every link in the plain-text part, in order."""
    return LINK.findall(text_of(message))


def link_containing(message: EmailMessage, fragment: str) -> str:
    found = [link for link in links_in(message) if fragment in link]
    assert found, f"no link with {fragment!r} in:\n{text_of(message)}"
    return found[0]


def sign_in_link(message: EmailMessage) -> str:
    """The sign-in link of a "Your sign-in link" message."""
    found = SIGN_IN_LINK.search(text_of(message))
    assert found, text_of(message)
    return found.group(0)
