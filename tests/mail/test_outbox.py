"""The outbox: messages are stored with the caller's data and delivered over real SMTP."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from comments_api import Settings
from comments_api.db.tables import OutboxMessage, utcnow
from comments_api.mail import deliver_pending, queue_message
from tests.helpers import free_port
from tests.smtp import SmtpServer, text_of


def _queue(engine: Engine, **fields: object) -> None:
    message = {"to": "reader@example.org", "subject": "Hello", "text": "Plain words."}
    message.update(fields)
    with Session(engine) as session, session.begin():
        queue_message(session, **message)  # type: ignore[arg-type]


def _outbox(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_queued_message_is_delivered_with_its_headers_and_both_parts(
    engine: Engine, mail_settings: Settings, smtp_server: SmtpServer
) -> None:
    _queue(
        engine,
        subject="A reply to your comment",
        text="Someone replied.\nhttps://blog.test/posts/first.html",
        html="<p>Someone replied.</p>",
        headers={"List-Unsubscribe": "<https://api.test/u?t=1>"},
    )
    assert deliver_pending(engine, mail_settings) == 1
    [message] = smtp_server.mailbox.wait_for(1)
    assert message["To"] == "reader@example.org"
    assert message["From"] == "Blog comments <comments@blog.test>"
    assert message["Subject"] == "A reply to your comment"
    assert message["List-Unsubscribe"] == "<https://api.test/u?t=1>"
    assert message["Message-ID"]
    assert "Someone replied." in text_of(message)
    html = message.get_body(preferencelist=("html",))
    assert html is not None and "<p>Someone replied.</p>" in html.get_content()
    assert _outbox(engine)[0].sent_at is not None
    assert deliver_pending(engine, mail_settings) == 0, "a sent message is never sent again"


def test_a_message_is_stored_only_if_the_callers_transaction_commits(engine: Engine) -> None:
    with Session(engine) as session, pytest.raises(RuntimeError), session.begin():
        queue_message(session, to="a@example.org", subject="Never", text="rolled back")
        raise RuntimeError("the caller's work failed")
    assert _outbox(engine) == []


def test_header_injection_is_refused(engine: Engine) -> None:
    with Session(engine) as session, pytest.raises(ValueError, match="single line"):
        queue_message(session, to="a@example.org", subject="Hi\r\nBcc: x@evil.test", text="x")


def test_when_the_mail_server_is_down_messages_wait_and_go_out_once_it_is_back(
    engine: Engine, mail_settings: Settings, smtp_server: SmtpServer
) -> None:
    down = replace(mail_settings, smtp_port=free_port())
    _queue(engine, subject="Wait for me")
    assert deliver_pending(engine, down) == 0
    [waiting] = _outbox(engine)
    assert waiting.sent_at is None
    assert waiting.attempts == 1
    assert "cannot reach the mail server" in (waiting.last_error or "")
    # Backoff: not retried at once, but after the delay.
    assert deliver_pending(engine, mail_settings) == 0
    later = utcnow() + timedelta(minutes=5)
    assert deliver_pending(engine, mail_settings, now=later) == 1
    [message] = smtp_server.mailbox.wait_for(1)
    assert message["Subject"] == "Wait for me"


def test_without_a_mail_server_setting_messages_stay_queued(
    engine: Engine, mail_settings: Settings
) -> None:
    _queue(engine)
    assert deliver_pending(engine, replace(mail_settings, smtp_host="")) == 0
    [waiting] = _outbox(engine)
    assert waiting.sent_at is None and waiting.attempts == 0


def test_a_message_the_server_cannot_take_does_not_hold_up_the_messages_after_it(
    engine: Engine, mail_settings: Settings
) -> None:
    # An internationalised address is valid, but a server without SMTPUTF8 cannot take it:
    # that refuses one message, it does not mean the connection is gone.
    server = SmtpServer(smtputf8=False).start()
    try:
        _queue(engine, to="jörg@example.de", subject="For Jörg")
        _queue(engine, to="reader@example.org", subject="For the reader")
        assert deliver_pending(engine, replace(mail_settings, smtp_port=server.port)) == 1
        [message] = server.mailbox.wait_for(1)
    finally:
        server.stop()
    assert message["Subject"] == "For the reader"
    refused, delivered = _outbox(engine)
    assert refused.sent_at is None and refused.attempts == 1
    assert delivered.sent_at is not None and delivered.attempts == 0


def test_mail_failures_are_logged_without_the_recipients_address(
    engine: Engine, mail_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    down = replace(mail_settings, smtp_port=free_port())
    _queue(engine, to="private.person@example.org")
    with Session(engine) as session, session.begin():
        [message] = session.scalars(select(OutboxMessage)).all()
        message.attempts = 11  # the last attempt
    with caplog.at_level("DEBUG", logger="comments_api"):
        assert deliver_pending(engine, down) == 0
    assert "Giving up" in caplog.text
    assert "private.person@example.org" not in caplog.text
