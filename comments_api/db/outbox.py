"""The queries behind the outbox (comments_api.mail.outbox decides what is sent, and when)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Engine, or_, select, update
from sqlalchemy.orm import Session

from comments_api.db.engine import WRITE, writing_session
from comments_api.db.tables import OutboxMessage

__all__ = ["add_message", "claim_due_mail", "mark_sent", "record_failures"]


def add_message(session: Session, message: OutboxMessage) -> None:
    """Store a message in the caller's transaction."""
    session.add(message)


def _unclaimed(now: datetime) -> ColumnElement[bool]:
    return or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now)


def claim_due_mail(
    engine: Engine, now: datetime, *, max_attempts: int, limit: int, claimed_until: datetime
) -> list[OutboxMessage]:
    """Claim up to `limit` unsent mails due at `now`, oldest first, until `claimed_until`.

    Another process claiming the same message at the same moment gets it, this one does not.
    """
    due = (
        select(OutboxMessage)
        .where(
            OutboxMessage.kind == "mail",
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.attempts < max_attempts,
            OutboxMessage.next_attempt_at <= now,
            _unclaimed(now),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    claimed: list[OutboxMessage] = []
    with writing_session(engine, expire_on_commit=False) as session:
        for message in session.scalars(due).all():
            result = session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == message.id,
                    OutboxMessage.sent_at.is_(None),
                    _unclaimed(now),
                )
                .values(claimed_until=claimed_until)
                .execution_options(synchronize_session=False)
            )
            if getattr(result, "rowcount", 0) == 1:
                claimed.append(message)
        for message in claimed:
            session.expunge(message)
    return claimed


def mark_sent(engine: Engine, message_id: int, now: datetime) -> None:
    """The message was delivered: never send it again."""
    with engine.execution_options(**WRITE).begin() as connection:
        connection.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(sent_at=now, claimed_until=None, last_error=None)
        )


def record_failures(
    engine: Engine, failures: Sequence[tuple[int, int, datetime]], error: str
) -> None:
    """For each (message id, attempts so far, next attempt): the failed try, and its error."""
    if not failures:
        return
    with engine.execution_options(**WRITE).begin() as connection:
        for message_id, attempts, next_attempt_at in failures:
            connection.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id)
                .values(
                    attempts=attempts,
                    next_attempt_at=next_attempt_at,
                    claimed_until=None,
                    last_error=error[:1000],
                )
            )
