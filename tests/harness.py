"""The one app harness: the real app over httpx.ASGITransport, and the steps people take on it.

`tests/conftest.py` makes it through `make_app` and three presets of settings, named for the
suites that first needed them: `make_api` (the JSON API), `make_service` (sign-in by e-mail,
moderation pages, a real SMTP server) and `make_mail_api` (notifications and the outbox).
"""

from __future__ import annotations

import functools
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
from bs4 import BeautifulSoup
from fastapi import FastAPI
from sqlalchemy import Engine, event, inspect
from sqlalchemy.orm import Session

from comments_api import Settings, create_app
from comments_api.auth.accounts import Accounts
from comments_api.background import run_chores_now
from comments_api.db.engine import create_database_engine, migrate
from comments_api.db.tables import Comment, Role, User
from comments_api.mail import deliver_pending
from comments_api.moderation.actions import Action, apply_action
from comments_api.moderation.spam_model import SpamModelStore
from tests.helpers import BUILD_TOKEN, DEPLOY_TOKEN, new_postgres_schema
from tests.smtp import Mailbox, SmtpServer, sign_in_link

API = "https://api.test"
BLOG = "http://blog.test"
MODERATOR = "moderator@blog.test"
FIRST_POST = {
    "key": "first-post",
    "title": "First post",
    "url": "/posts/first.html",
    "closed": False,
}
SECOND_POST = {
    "key": "second-post",
    "title": "Second post",
    "url": "/posts/second.html",
    "closed": False,
}
CLOSED_POST = {"key": "closed-post", "title": "Closed", "url": "/posts/closed.html", "closed": True}


def api_settings(database_url: str) -> Settings:
    """The JSON API's tests: no mail, no rate limits, two blog origins."""
    return Settings(
        env="test",
        database_url=database_url,
        secret_key=secrets.token_urlsafe(32),
        site_url=BLOG,
        allowed_origins=(BLOG, "http://127.0.0.1:8000"),
        build_token=BUILD_TOKEN,
        deploy_token=DEPLOY_TOKEN,
        min_submit_seconds=0,
        rate_limits_enabled=False,
        threads_file="",
        db_pool_size=4,
    )


def service_settings(database_url: str, smtp_port: int, /, **overrides: Any) -> Settings:
    """Sign-in and moderation: mail over the real SMTP server, staff addresses verified."""
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


def mail_settings_for(database_url: str, smtp_port: int, /, **overrides: Any) -> Settings:
    """Notifications and the outbox: a public URL for links, one configured moderator."""
    base = Settings(
        env="test",
        database_url=database_url,
        secret_key=secrets.token_urlsafe(32),
        site_url=BLOG,
        public_url="http://api.test",
        allowed_origins=(BLOG,),
        min_submit_seconds=0,
        rate_limits_enabled=False,
        threads_file="",
        db_pool_size=4,
        deploy_token=DEPLOY_TOKEN,
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_from="Blog comments <comments@blog.test>",
        moderator_emails=(MODERATOR,),
    )
    return replace(base, **overrides)


def sign_in_form(page: httpx.Response) -> dict[str, str]:
    """The confirmation page's one form: where it posts and the fields it sends."""
    assert page.status_code == 200, page.text
    soup = BeautifulSoup(page.text, "lxml")
    [form] = soup.find_all("form")
    button = form.find("button")
    assert button is not None and button.get_text(strip=True) == "Sign in"
    fields = {found["name"]: found["value"] for found in form.find_all("input")}
    return {"method": form["method"], "action": form["action"], **fields}


async def confirm_sign_in(browser: httpx.AsyncClient, link: str) -> httpx.Response:
    """Open the e-mailed link, then press "Sign in" on the page it shows, as a person would."""
    form = sign_in_form(await browser.get(link))
    assert form.pop("method") == "post"
    action = form.pop("action")
    return await browser.post(action, data=form, headers={"Origin": API})


@dataclass
class App:
    """The real app; `client` is one browser (its own cookie jar); `browser()` opens another."""

    app: FastAPI
    engine: Engine
    settings: Settings
    client: httpx.AsyncClient
    base_url: str
    threads: tuple[dict[str, Any], ...]
    mailbox: Mailbox | None = None
    smtp: SmtpServer | None = None
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    # --- threads and comments ------------------------------------------------------------

    async def sync_threads(self, *threads: dict[str, Any]) -> httpx.Response:
        """Replace the manifest (by default with the preset's threads), as CI does."""
        chosen = threads or self.threads
        response = await self.client.put(
            "/api/v1/threads",
            json={"threads": list(chosen)},
            headers={"Authorization": f"Bearer {DEPLOY_TOKEN}"},
        )
        assert response.status_code == 200, response.text
        return response

    async def post(self, thread: str = "first-post", **fields: Any) -> httpx.Response:
        comment = {"author": "Ada", "email": "ada@example.org", "body": "Hello *there*"}
        comment.update(fields)
        return await self.client.post(f"/api/v1/threads/{thread}/comments", json=comment)

    async def list(self, thread: str = "first-post") -> dict[str, Any]:
        response = await self.client.get(f"/api/v1/threads/{thread}/comments")
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    async def public_ids(self, thread: str = "first-post") -> list[int]:
        return [comment["id"] for comment in (await self.list(thread))["comments"]]

    def stored(self, comment_id: int) -> Comment:
        with self.app.state.service.storage.reading() as session:
            comment = session.get(Comment, comment_id)
            assert comment is not None
            return comment

    def act(self, comment_id: int, action: Action, actor: str = MODERATOR) -> Comment:
        """A moderator's action (audit-logged, subscribers told), without the pages."""
        with self.app.state.service.storage.writing() as session:
            return apply_action(session, comment_id, action, actor)

    def approve(self, comment_id: int) -> None:
        """Publish a held comment as a moderator would."""
        self.act(comment_id, "approve", "moderator@example.org")

    def session(self) -> Session:
        return Session(self.app.state.service.storage.engine)

    # --- mail ----------------------------------------------------------------------------

    def deliver(self) -> int:
        return deliver_pending(self.engine, self.settings)

    def run_background_round(self) -> int:
        """What the background sender does every few seconds: chores, then delivery."""
        _, delivered = run_chores_now(self.app.state.service.storage.engine, self.settings)
        return delivered

    # --- people --------------------------------------------------------------------------

    def browser(self, address: str = "203.0.113.9") -> httpx.AsyncClient:
        """Another browser (cookie jar), by default at the same network address as the others."""
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app, client=(address, 50000)),
            base_url=self.base_url,
        )
        self.clients.append(client)
        return client

    @property
    def accounts(self) -> Accounts:
        found: Accounts = self.app.state.accounts
        return found

    def make_user(self, address: str, role: str = "member", name: str | None = None) -> User:
        return self.accounts.save_user(address, Role(role), name)

    async def request_link(
        self, address: str, next_url: str | None = None, client: httpx.AsyncClient | None = None
    ) -> str:
        """Ask for a sign-in link and fetch it from the SMTP server's mailbox."""
        assert self.mailbox is not None, "this app sends no mail"
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

    async def close(self) -> None:
        for client in [self.client, *self.clients]:
            await client.aclose()
        self.app.state.service.storage.close()
        self.engine.dispose()


def open_app(
    settings: Settings,
    *,
    base_url: str,
    client_address: str,
    threads: tuple[dict[str, Any], ...],
    smtp: SmtpServer | None = None,
) -> App:
    """The app on its own engine, with one browser at `client_address`."""
    engine = create_database_engine(settings.database_url, pool_size=4)
    if settings.migrate_on_start:
        start_migrated(engine)
    app = create_app(settings, engine=engine)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(client_address, 50000)),
        base_url=base_url,
    )
    mailbox = smtp.mailbox if smtp is not None else None
    return App(app, engine, settings, client, base_url, threads, mailbox, smtp)


def start_migrated(engine: Engine) -> None:
    """Give an empty database what the migrations build, from a copy made once per process
    (on SQLite with the spam filter's first counts too: see `migrated_sqlite_file`).

    Migrating takes 0.2-0.3 s; a copy of the result takes a few milliseconds. The app's own
    migration on start then finds the database at the head revision. A database that is not
    empty (a test's older revision, say) is left as it is.
    """
    url = engine.url
    if url.get_backend_name() == "sqlite":
        database = Path(url.database or "")
        if url.database and not database.exists():
            database.write_bytes(migrated_sqlite_file())
        return
    with engine.begin() as connection:
        if inspect(connection).get_table_names():
            return
        cursor = connection.connection.cursor()
        for statement, parameters in migration_statements():
            cursor.execute(statement, parameters)


@functools.cache
def migrated_sqlite_file() -> bytes:
    """A SQLite database file as `migrate` leaves it, with the spam filter's first counts.

    The filter stores its counts from the examples when the first comment needs them (60-100
    ms); the copy holds them already, as a database does after its first comment. PostgreSQL
    copies, and servers a test starts on a database of their own, still seed them themselves.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "migrated.sqlite3"
        engine = create_database_engine(f"sqlite:///{path}", 1)
        migrate(engine)
        SpamModelStore(engine).current()
        engine.dispose()
        # The last connection closed has written its log back: the file is the whole database.
        assert not path.with_name(f"{path.name}-wal").exists()
        return path.read_bytes()


@functools.cache
def migration_statements() -> tuple[tuple[str, Any], ...]:
    """The statements `migrate` sends PostgreSQL for an empty schema, but its reads."""
    sent: list[tuple[str, Any]] = []
    with new_postgres_schema() as schema_url:
        engine = create_database_engine(schema_url, 1)

        @event.listens_for(engine, "before_cursor_execute")
        def record(
            connection: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
        ) -> None:
            assert not many, statement
            if not statement.lstrip().upper().startswith("SELECT"):
                # Sent as SQLAlchemy sent it: with no parameters, "%" is not an escape.
                sent.append((statement, None if context.no_parameters else dict(parameters)))

        migrate(engine)
        engine.dispose()
    return tuple(sent)


def form_token(html: str) -> str:
    """The CSRF token of the page's form."""
    found = BeautifulSoup(html, "lxml").find("input", attrs={"name": "csrf_token"})
    assert found is not None, "the page has no form with a CSRF token"
    return str(found["value"])


@dataclass
class Desk:
    """A moderator's browser on the moderation pages, and guests posting comments."""

    service: App
    moderator: httpx.AsyncClient
    csrf: str

    async def guest_comment(self, thread: str = "first-post", **fields: Any) -> int:
        comment = {"author": "Guest Writer", "email": "guest@example.org", "body": "Hello there"}
        comment.update(fields)
        guest = self.service.browser()
        response = await guest.post(f"/api/v1/threads/{thread}/comments", json=comment)
        assert response.status_code == 201, response.text
        identifier: int = response.json()["comment"]["id"]
        return identifier

    async def act(self, comment_id: int, action: str, **extra: str) -> httpx.Response:
        answer = await self.moderator.post(
            f"/moderation/comments/{comment_id}",
            data={"action": action, "csrf_token": self.csrf, "back": "/moderation", **extra},
            headers={"Origin": API},
        )
        return await self.confirm_if_asked(answer)

    async def bulk(self, ids: list[int], action: str, back: str = "/moderation") -> httpx.Response:
        answer = await self.moderator.post(
            "/moderation/bulk",
            data={
                "action": action,
                "csrf_token": self.csrf,
                "back": back,
                "comment": [str(identifier) for identifier in ids],
            },
            headers={"Origin": API},
        )
        return await self.confirm_if_asked(answer)

    async def confirm_if_asked(self, answer: httpx.Response) -> httpx.Response:
        """Press the button of the page that asks before deleting, as a moderator would."""
        page = BeautifulSoup(answer.text, "lxml") if answer.status_code == 200 else None
        asked = page.find("input", attrs={"name": "confirmed"}) if page else None
        if asked is None:
            return answer
        form = asked.find_parent("form")
        fields: dict[str, list[str]] = {}
        for found in form.find_all("input"):
            fields.setdefault(found["name"], []).append(found["value"])
        return await self.moderator.post(form["action"], data=fields, headers={"Origin": API})

    async def page(self, path: str = "/moderation", **params: str) -> BeautifulSoup:
        response = await self.moderator.get(path, params=params)
        assert response.status_code == 200, response.text
        return BeautifulSoup(response.text, "lxml")

    async def public_ids(self, thread: str = "first-post") -> list[int]:
        return await self.service.public_ids(thread)


# The names the suites know the harness by.
Api = Service = MailApi = App
AppFactory = ApiFactory = ServiceFactory = MailApiFactory = Callable[..., Any]
