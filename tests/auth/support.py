"""A real app over httpx, a real SMTP server, and the steps of signing in by e-mail."""

from __future__ import annotations

import email
import email.policy
import re
import secrets
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from bs4 import BeautifulSoup
from fastapi import FastAPI
from sqlalchemy import Engine

from comments_api import Settings, create_app
from comments_api.auth.accounts import Accounts
from comments_api.db.engine import create_database_engine
from comments_api.db.tables import Role, User
from comments_api.mail import deliver_pending
from tests.api.support import DEPLOY_TOKEN
from tests.helpers import free_port

API = "https://api.test"
BLOG = "http://blog.test"
LINK = re.compile(r"https?://[^\s]+/api/v1/auth/callback\?token=[^\s]+")


class Mailbox:
    """What a real SMTP server (aiosmtpd on a loopback port) received."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [message for message in self.messages if message["To"] == address]


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    text: str = part.get_content()
    return text


def sign_in_link(message: EmailMessage) -> str:
    found = LINK.search(body_text(message))
    assert found, body_text(message)
    return found.group(0)


def sign_in_form(page: httpx.Response) -> dict[str, str]:
    """The confirmation page's one form: where it posts and the fields it sends."""
    assert page.status_code == 200, page.text
    soup = BeautifulSoup(page.text, "lxml")
    [form] = soup.find_all("form")
    button = form.find("button")
    assert button is not None and button.get_text(strip=True) == "Sign in"
    fields = {field["name"]: field["value"] for field in form.find_all("input")}
    return {"method": form["method"], "action": form["action"], **fields}


async def confirm_sign_in(browser: httpx.AsyncClient, link: str) -> httpx.Response:
    """Open the e-mailed link, then press "Sign in" on the page it shows, as a person would."""
    form = sign_in_form(await browser.get(link))
    assert form.pop("method") == "post"
    action = form.pop("action")
    return await browser.post(action, data=form, headers={"Origin": API})


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


@pytest.fixture
def mailbox(smtp_server: tuple[Mailbox, int]) -> Mailbox:
    box, _ = smtp_server
    with box.lock:
        box.messages.clear()
    return box


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'comments.sqlite3'}"


def service_settings(database_url: str, smtp_port: int, **overrides: Any) -> Settings:
    base = Settings(
        env="test",
        database_url=database_url,
        secret_key=secrets.token_urlsafe(32),
        site_url=BLOG,
        allowed_origins=(BLOG,),
        deploy_token=DEPLOY_TOKEN,
        min_submit_seconds=0,
        rate_limits_enabled=False,
        threads_file="",
        db_pool_size=4,
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_from="comments@blog.test",
        verified_domains=("staff.example.org",),
    )
    return replace(base, **overrides)


@dataclass
class Service:
    """The real app; `client` is one browser (its own cookie jar); `browser()` opens another."""

    app: FastAPI
    engine: Engine
    settings: Settings
    mailbox: Mailbox
    client: httpx.AsyncClient
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    def browser(self, address: str = "203.0.113.9") -> httpx.AsyncClient:
        """Another browser (cookie jar), by default at the same network address as the others."""
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app, client=(address, 50000)),
            base_url=API,
        )
        self.clients.append(client)
        return client

    @property
    def accounts(self) -> Accounts:
        found: Accounts = self.app.state.accounts
        return found

    def deliver(self) -> int:
        return deliver_pending(self.engine, self.settings)

    def make_user(self, address: str, role: str = "member", name: str | None = None) -> User:
        return self.accounts.save_user(address, Role(role), name)

    async def request_link(
        self, address: str, next_url: str | None = None, client: httpx.AsyncClient | None = None
    ) -> str:
        """Ask for a sign-in link and fetch it from the SMTP server's mailbox."""
        before = len(self.mailbox.to(address))
        body: dict[str, Any] = {"email": address}
        if next_url is not None:
            body["next"] = next_url
        response = await (client or self.client).post("/api/v1/auth/login", json=body)
        assert response.status_code == 202, response.text
        self.deliver()
        received = self.mailbox.to(address)
        assert len(received) == before + 1, "no sign-in message arrived"
        return sign_in_link(received[-1])

    async def sign_in(
        self, address: str, next_url: str | None = None, client: httpx.AsyncClient | None = None
    ) -> httpx.Response:
        """The whole flow: ask, receive the mail, follow the link, press "Sign in" (the client
        keeps the cookie)."""
        browser = client or self.client
        link = await self.request_link(address, next_url, browser)
        response = await confirm_sign_in(browser, link)
        assert response.status_code == 303, response.text
        return response

    async def me(self, client: httpx.AsyncClient | None = None) -> dict[str, Any]:
        response = await (client or self.client).get("/api/v1/auth/me")
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    async def sync_threads(self) -> None:
        response = await self.client.put(
            "/api/v1/threads",
            json={
                "threads": [
                    {
                        "key": "first-post",
                        "title": "First post",
                        "url": "/posts/first.html",
                        "closed": False,
                    },
                    {
                        "key": "second-post",
                        "title": "Second post",
                        "url": "/posts/second.html",
                        "closed": False,
                    },
                ]
            },
            headers={"Authorization": f"Bearer {DEPLOY_TOKEN}"},
        )
        assert response.status_code == 200, response.text


ServiceFactory = Callable[..., Any]


@pytest.fixture
async def make_service(
    database_url: str, mailbox: Mailbox, smtp_server: tuple[Mailbox, int]
) -> AsyncIterator[ServiceFactory]:
    made: list[Service] = []

    async def make(**overrides: Any) -> Service:
        settings = service_settings(database_url, smtp_server[1], **overrides)
        engine = create_database_engine(settings.database_url, pool_size=4)
        app = create_app(settings, engine=engine)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("203.0.113.7", 50000)),
            base_url=API,
        )
        service = Service(app, engine, settings, mailbox, client)
        made.append(service)
        await service.sync_threads()
        return service

    yield make
    for service in made:
        for client in [service.client, *service.clients]:
            await client.aclose()
        service.app.state.service.storage.close()
        service.engine.dispose()


@pytest.fixture
async def service(make_service: ServiceFactory) -> Service:
    made: Service = await make_service()
    return made
