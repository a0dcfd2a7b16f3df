"""The outbox: messages are stored in the caller's transaction and delivered later.

A comment and the e-mail it causes are written together, so neither exists without the other;
delivery happens off the request path and a mail server that is down only delays messages.
Delivery is over SMTP (COMMENTS_SMTP_HOST) or, in development, to a folder a person reads
(COMMENTS_MAIL_FOLDER); with neither, messages stay queued.
"""

from __future__ import annotations

import json
import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from comments_api.config import Settings
from comments_api.db.outbox import add_message, claim_due_mail, mark_sent, record_failures
from comments_api.db.tables import OutboxMessage, utcnow
from comments_api.mail.folder import show_message, write_message

__all__ = [
    "MAX_ATTEMPTS",
    "deliver_pending",
    "queue_message",
    "retry_delay",
    "sender_address",
]

logger = logging.getLogger("comments_api.mail")

MAX_ATTEMPTS = 12
BATCH_SIZE = 50
CLAIM_SECONDS = 300
FIRST_RETRY_SECONDS = 30
LONGEST_RETRY_SECONDS = 6 * 3600
# Refusals of one message; any other error means the connection itself is gone.
MESSAGE_REFUSED = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
    # An internationalised address on a server without SMTPUTF8: this message only.
    smtplib.SMTPNotSupportedError,
    ValueError,
)


def _single_line(name: str, value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError(f"the e-mail {name} must be a single line")
    return value


def queue_message(
    session: Session,
    *,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Store a message in the caller's transaction; the background sender delivers it."""
    _single_line("recipient", to)
    _single_line("subject", subject)
    extra = {_single_line("header name", k): _single_line(k, v) for k, v in (headers or {}).items()}
    now = utcnow()
    add_message(
        session,
        OutboxMessage(
            recipient=to,
            subject=subject[:300],
            text_body=text,
            html_body=html,
            headers_json=json.dumps(extra, sort_keys=True),
            created_at=now,
            attempts=0,
            next_attempt_at=now,
            claimed_until=None,
            sent_at=None,
            last_error=None,
        ),
    )


def retry_delay(attempts: int, first_seconds: int = FIRST_RETRY_SECONDS) -> timedelta:
    """Exponential backoff: 30 s, 1 min, 2 min, ... up to 6 hours between attempts."""
    return timedelta(seconds=min(LONGEST_RETRY_SECONDS, first_seconds * 2 ** (attempts - 1)))


def sender_address(settings: Settings) -> str:
    """COMMENTS_SMTP_FROM, or comments@<the site's host name>."""
    if settings.smtp_from:
        return settings.smtp_from
    host = urlsplit(settings.site_url).hostname or "localhost"
    return formataddr(("Comments", f"comments@{host}"))


def deliver_pending(engine: Engine, settings: Settings, now: datetime | None = None) -> int:
    """Send every message that is due now; returns how many were delivered.

    Several processes may run this at once: each message is claimed before it is sent.
    Failures are recorded on the message and retried later with backoff.
    """
    if not (settings.smtp_host or settings.mail_folder):
        return 0
    now = now or utcnow()
    claimed = _claim_due(engine, now)
    if not claimed:
        return 0
    if not settings.smtp_host:
        return _write_to_folder(engine, settings, claimed, now)
    delivered = 0
    try:
        connection = _connect(settings)
    except OSError as error:
        logger.warning("Cannot reach the mail server %s: %s", settings.smtp_host, error)
        _record_failures(engine, settings, claimed, now, f"cannot reach the mail server: {error}")
        return 0
    try:
        for message in claimed:
            try:
                connection.send_message(_email(message, settings))
            except MESSAGE_REFUSED as error:
                # Not the error itself: a refusal names the recipient's address.
                logger.warning(
                    "The mail server refused message %s (%s)", message.id, type(error).__name__
                )
                _record_failures(engine, settings, [message], now, str(error))
                continue
            except OSError as error:  # smtplib's errors are OSErrors too
                logger.warning("Lost the mail server while sending %s: %s", message.id, error)
                remaining = [m for m in claimed if m.id >= message.id]
                problem = f"the mail server went away: {error}"
                _record_failures(engine, settings, remaining, now, problem)
                break
            _mark_sent(engine, message.id)
            delivered += 1
    finally:
        try:
            connection.quit()
        except OSError:
            connection.close()
    return delivered


def _write_to_folder(
    engine: Engine, settings: Settings, claimed: list[OutboxMessage], now: datetime
) -> int:
    """Development delivery: each message becomes an .eml file and is shown on the log."""
    folder = Path(settings.mail_folder)
    for position, message in enumerate(claimed):
        email = _email(message, settings)
        try:
            path = write_message(folder, email, message.id, now)
        except OSError as error:
            logger.warning("Cannot write mail to the folder %s: %s", folder, error)
            problem = f"cannot write to the mail folder {folder}: {error}"
            _record_failures(engine, settings, claimed[position:], now, problem)
            return position
        show_message(email, path)
        _mark_sent(engine, message.id)
    return len(claimed)


def _claim_due(engine: Engine, now: datetime) -> list[OutboxMessage]:
    until = now + timedelta(seconds=CLAIM_SECONDS)
    return claim_due_mail(
        engine, now, max_attempts=MAX_ATTEMPTS, limit=BATCH_SIZE, claimed_until=until
    )


def _connect(settings: Settings) -> smtplib.SMTP:
    connection = smtplib.SMTP(
        settings.smtp_host,
        settings.smtp_port,
        timeout=settings.smtp_timeout_seconds,
        local_hostname=urlsplit(settings.site_url).hostname,
    )
    try:
        if settings.smtp_starttls:
            connection.starttls()
        if settings.smtp_user:
            connection.login(settings.smtp_user, settings.smtp_password)
    except BaseException:
        connection.close()
        raise
    return connection


def _email(message: OutboxMessage, settings: Settings) -> EmailMessage:
    email = EmailMessage()
    sender = sender_address(settings)
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False, usegmt=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or None
    email["Message-ID"] = make_msgid(f"outbox{message.id}", domain=domain)
    email["Auto-Submitted"] = "auto-generated"
    for name, value in json.loads(message.headers_json).items():
        email[name] = value
    email.set_content(message.text_body)
    if message.html_body:
        email.add_alternative(message.html_body, subtype="html")
    return email


def _mark_sent(engine: Engine, message_id: int) -> None:
    mark_sent(engine, message_id, utcnow())


def _record_failures(
    engine: Engine, settings: Settings, messages: list[OutboxMessage], now: datetime, error: str
) -> None:
    failures = [
        (message.id, attempts, now + retry_delay(attempts, settings.mail_retry_seconds))
        for message in messages
        for attempts in [message.attempts + 1]
    ]
    record_failures(engine, failures, error)
    for message_id, attempts, _ in failures:
        if attempts >= MAX_ATTEMPTS:
            # The log names the message, never its recipient (see its last_error).
            logger.error("Giving up on message %s after %s attempts", message_id, attempts)
