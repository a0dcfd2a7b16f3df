"""In development without a mail server, mail goes to a folder and the log a person can read.

A real `python -m comments_api serve` process in development mode, without COMMENTS_SMTP_HOST:
the sign-in link it promises must turn up as an `.eml` file and in the server's log, and work.
"""

from __future__ import annotations

import email
import email.policy
import time
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from comments_api import Settings
from comments_api.config import ConfigurationError
from comments_api.db.engine import create_database_engine, migrate
from comments_api.db.tables import OutboxMessage
from comments_api.mail import deliver_pending, queue_message
from tests.server_process import ServerProcess
from tests.smtp import link_containing, text_of

pytestmark = pytest.mark.slow

ADDRESS = "grace@example.org"
# Bounded wait for the background sender (it runs every COMMENTS_MAIL_INTERVAL_SECONDS).
ARRIVAL_SECONDS = 60


def development_server(folder: Path, **settings: str) -> ServerProcess:
    """The API as `make run` starts it: development mode, no mail server configured."""
    server = ServerProcess(
        {
            "COMMENTS_ENV": "development",
            "COMMENTS_DATABASE_URL": f"sqlite:///{folder / 'comments.sqlite3'}",
            "COMMENTS_THREADS_FILE": "",
            "COMMENTS_MAIL_INTERVAL_SECONDS": "1",
            **settings,
        },
        folder,
    )
    server.env.pop("COMMENTS_SMTP_HOST", None)
    server.env["COMMENTS_PUBLIC_URL"] = server.base_url
    return server


def wait_for_mail(folder: Path) -> Path:
    deadline = time.monotonic() + ARRIVAL_SECONDS
    while time.monotonic() < deadline:
        found = sorted(folder.glob("*.eml")) if folder.is_dir() else []
        if found:
            return found[0]
        time.sleep(0.2)
    raise AssertionError(f"no .eml file in {folder} after {ARRIVAL_SECONDS} s")


def read_message(path: Path) -> EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_a_sign_in_link_in_development_is_written_to_the_mail_folder_and_works(
    tmp_path: Path,
) -> None:
    with development_server(tmp_path) as server, httpx.Client(base_url=server.base_url) as client:
        asked = client.post("/api/v1/auth/login", json={"email": ADDRESS})
        assert asked.status_code == 202, asked.text
        assert "on its way" in asked.json()["message"]

        written = wait_for_mail(tmp_path / "mail")
        message = read_message(written)
        assert str(message["To"]) == ADDRESS
        assert str(message["Subject"]) == "Your sign-in link"
        link = link_containing(message, "/api/v1/auth/callback?token=")
        assert link.startswith(server.base_url)

        confirmation = client.get(link)
        assert confirmation.status_code == 200
        page = BeautifulSoup(confirmation.text, "html.parser")
        assert "Sign in to" in page.h1.get_text()
        form = page.find("form", method="post")
        token = form.find("input", attrs={"name": "token"})["value"]
        signed_in = client.post(form["action"], data={"token": token})
        assert signed_in.status_code == 303, signed_in.text
        me = client.get("/api/v1/auth/me")
        assert me.json()["user"]["display_name"] == "Member"  # nothing is taken from the address

    log = server.log.read_text()
    assert f"To: {ADDRESS}" in log
    assert "Subject: Your sign-in link" in log
    assert link in log, "the log shows the message's text, link and all"
    assert written.name in log, "the log says where the file is"
    with Session(create_engine(f"sqlite:///{tmp_path / 'comments.sqlite3'}")) as session:
        [queued] = session.scalars(select(OutboxMessage)).all()
    assert queued.sent_at is not None, "the outbox marks the message sent once it is written"


def test_the_mail_folder_is_a_setting(tmp_path: Path) -> None:
    with development_server(tmp_path, COMMENTS_MAIL_FOLDER="sent-mail") as server:
        asked = httpx.post(f"{server.base_url}/api/v1/auth/login", json={"email": ADDRESS})
        assert asked.status_code == 202, asked.text
        written = wait_for_mail(tmp_path / "sent-mail")
    assert "/api/v1/auth/callback?token=" in text_of(read_message(written))
    assert not (tmp_path / "mail").exists()


def test_the_mail_folder_is_only_the_default_in_development_without_a_mail_server() -> None:
    assert Settings.from_env({"COMMENTS_ENV": "development"}).mail_folder == "mail"
    assert Settings.from_env({"COMMENTS_ENV": "test"}).mail_folder == ""
    with_smtp = {"COMMENTS_ENV": "development", "COMMENTS_SMTP_HOST": "127.0.0.1"}
    assert Settings.from_env(with_smtp).mail_folder == ""


def test_a_mail_folder_is_refused_in_production() -> None:
    production = {
        "COMMENTS_ENV": "production",
        "COMMENTS_SECRET_KEY": "x" * 40,
        "COMMENTS_PUBLIC_URL": "https://comments.example.org",
        "COMMENTS_MAIL_FOLDER": "mail",
    }
    with pytest.raises(ConfigurationError, match="COMMENTS_MAIL_FOLDER.*COMMENTS_SMTP_HOST"):
        Settings.from_env(production)


def test_a_folder_that_cannot_be_written_keeps_the_message_for_a_later_try(
    tmp_path: Path,
) -> None:
    blocked = tmp_path / "mail"
    blocked.write_text("a file where the folder should be")
    settings = Settings(
        env="development",
        database_url=f"sqlite:///{tmp_path / 'comments.sqlite3'}",
        mail_folder=str(blocked),
    )
    engine = create_database_engine(settings.database_url, pool_size=1)
    migrate(engine)
    try:
        with Session(engine) as session, session.begin():
            queue_message(session, to=ADDRESS, subject="Hello", text="Kept, not lost.")
        assert deliver_pending(engine, settings) == 0
        with Session(engine) as session:
            [kept] = session.scalars(select(OutboxMessage)).all()
        assert kept.sent_at is None
        assert kept.attempts == 1 and kept.last_error and str(blocked) in kept.last_error
    finally:
        engine.dispose()
