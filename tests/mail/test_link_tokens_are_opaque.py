"""Links in e-mails end up in access logs and proxy logs: their tokens must not carry addresses.

A signed token is not encrypted; anybody holding the URL can decode it. Each kind of link is
taken from a real message the SMTP server received and picked apart as an attacker would.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import re
import zlib
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from itsdangerous import URLSafeSerializer

from tests.harness import MODERATOR, MailApiFactory
from tests.smtp import links_in

pytestmark = pytest.mark.anyio

AN_ADDRESS = re.compile(rb"[^\s\"'@<>]+@[^\s\"'@<>]+\.[a-z]{2,}", re.IGNORECASE)


def token_of(link: str) -> str:
    parts = urlsplit(link)
    if "token" in parse_qs(parts.query):
        return parse_qs(parts.query)["token"][0]
    return unquote(parts.path.rsplit("/", 1)[-1])


def decodings(token: str) -> list[bytes]:
    """Everything one can read from a token without its key."""
    found = [token.encode()]
    for segment in token.split("."):
        try:
            raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        except (binascii.Error, ValueError):
            continue
        found.append(raw)
        with contextlib.suppress(zlib.error):  # itsdangerous compresses long payloads
            found.append(zlib.decompress(raw))
    _, payload = URLSafeSerializer("not the key").loads_unsafe(token)
    found.append(repr(payload).encode())
    return found


def assert_no_address(message: EmailMessage, fragment: str) -> int:
    """Check every link containing `fragment` (and the List-Unsubscribe header); count them."""
    links = [link for link in links_in(message) if fragment in link]
    header = message.get("List-Unsubscribe")
    if header:
        links.append(str(header).strip("<>"))
    for link in links:
        assert "@" not in unquote(link), link
        for decoded in decodings(token_of(link)):
            assert AN_ADDRESS.search(decoded) is None, (link, decoded)
    return len(links)


async def test_no_emailed_link_carries_an_email_address_in_any_decodable_form(
    make_mail_api: MailApiFactory,
) -> None:
    api = await make_mail_api()
    parent = (await api.post(body="Parent comment", notify=True)).json()["comment"]["id"]
    api.run_background_round()  # the moderator hears of the held comment
    api.act(parent, "approve")
    reply = (
        await api.post(body="A reply from Bo", author="Bo", email="bo@example.org", parent=parent)
    ).json()["comment"]["id"]
    api.act(reply, "approve")
    await api.client.post("/api/v1/privacy/delete-request", json={"email": "bo@example.org"})
    await api.client.post("/api/v1/auth/login", json={"email": "cy@example.org"})
    api.run_background_round()
    messages = api.smtp.mailbox.wait_for(4)

    [held] = [m for m in messages if "Held for moderation" in m["Subject"]]
    assert held["To"] == MODERATOR
    assert assert_no_address(held, "/moderation/email-action/") == 2
    [replied] = api.smtp.mailbox.to("ada@example.org")
    assert assert_no_address(replied, "/api/v1/unsubscribe") == 2
    [deletion] = api.smtp.mailbox.to("bo@example.org")
    assert assert_no_address(deletion, "/api/v1/privacy/delete") == 1
    [sign_in] = api.smtp.mailbox.to("cy@example.org")
    assert assert_no_address(sign_in, "/api/v1/auth/callback") == 1
