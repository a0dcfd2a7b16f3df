"""Requests to rebuild the static site, kept in the outbox beside the e-mail (kind "rebuild").

A change readers of the static pages would see (an approval, a removal, an edit) asks for a
rebuild in its own transaction, so no request is lost to a crash. Changes made while a request
waits join it: the site's build hook is called once for all of them, after they settle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Engine, or_, select, update
from sqlalchemy.orm import Session

from comments_api.db.tables import OutboxMessage, utcnow

__all__ = [
    "REBUILD",
    "REBUILD_ATTEMPTS",
    "RebuildStatus",
    "claim_due_rebuilds",
    "rebuild_status",
    "record_rebuild_answer",
    "request_rebuild",
]

REBUILD = "rebuild"
# Given up after this many failed calls (about a day and a half with the outbox's backoff).
REBUILD_ATTEMPTS = 12
CLAIM_SECONDS = 300


@dataclass(frozen=True)
class RebuildStatus:
    """What the moderation pages say about the build hook."""

    last_asked_at: datetime | None
    answered: bool
    problem: str | None
    waiting_since: datetime | None
    next_attempt_at: datetime | None

    def due_at(self, settle_seconds: int) -> datetime | None:
        """About when the waiting request will be sent (None if none waits)."""
        if self.waiting_since is None or self.next_attempt_at is None:
            return None
        return max(self.waiting_since + timedelta(seconds=settle_seconds), self.next_attempt_at)


def _unclaimed(now: datetime) -> ColumnElement[bool]:
    return or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now)


# A request not yet answered nor given up on.
_WAITING = (
    OutboxMessage.kind == REBUILD,
    OutboxMessage.sent_at.is_(None),
    OutboxMessage.attempts < REBUILD_ATTEMPTS,
)


def request_rebuild(session: Session, now: datetime | None = None) -> None:
    """Ask for a rebuild of the static site in the caller's transaction (joins a waiting one)."""
    now = now or utcnow()
    waiting = select(OutboxMessage.id).where(*_WAITING, _unclaimed(now)).limit(1)
    if session.scalar(waiting) is not None:
        return
    session.add(
        OutboxMessage(
            kind=REBUILD,
            recipient="",
            subject="Rebuild the static site",
            text_body="",
            html_body=None,
            headers_json="{}",
            created_at=now,
            attempts=0,
            next_attempt_at=now,
            claimed_until=None,
            sent_at=None,
            last_error=None,
            last_attempt_at=None,
        )
    )


def claim_due_rebuilds(
    engine: Engine, settle_seconds: int, now: datetime | None = None
) -> list[OutboxMessage]:
    """Claim the requests that are due: waiting `settle_seconds` since their first change, and
    none answered in the last `settle_seconds`. One call of the hook answers all of them."""
    now = now or utcnow()
    window = now - timedelta(seconds=settle_seconds)
    writer = engine.execution_options(comments_write=True)
    with Session(writer, expire_on_commit=False) as session, session.begin():
        recent = select(OutboxMessage.id).where(
            OutboxMessage.kind == REBUILD, OutboxMessage.sent_at > window
        )
        if settle_seconds and session.scalar(recent.limit(1)) is not None:
            return []
        due = session.scalars(
            select(OutboxMessage)
            .where(
                *_WAITING,
                _unclaimed(now),
                OutboxMessage.created_at <= window,
                OutboxMessage.next_attempt_at <= now,
            )
            .order_by(OutboxMessage.id)
        ).all()
        claimed: list[OutboxMessage] = []
        for request in due:
            result = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == request.id, _unclaimed(now))
                .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
                .execution_options(synchronize_session=False)
            )
            if getattr(result, "rowcount", 0) == 1:
                claimed.append(request)
        for request in claimed:
            session.expunge(request)
    return claimed


def record_rebuild_answer(
    engine: Engine,
    requests: list[OutboxMessage],
    now: datetime,
    problem: str | None,
    retry_after: timedelta,
) -> None:
    """Mark the claimed requests answered, or failed (`problem`) and due again after a while."""
    with engine.execution_options(comments_write=True).begin() as connection:
        for request in requests:
            if problem is None:
                values: dict[str, object] = {"sent_at": now, "last_error": None}
            else:
                values = {
                    "attempts": request.attempts + 1,
                    "next_attempt_at": now + retry_after,
                    "last_error": problem[:1000],
                }
            connection.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == request.id)
                .values(claimed_until=None, last_attempt_at=now, **values)
            )


def rebuild_status(session: Session, now: datetime | None = None) -> RebuildStatus:
    """When the site was last asked to rebuild and how it answered; whether a request waits."""
    now = now or utcnow()
    last = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.kind == REBUILD, OutboxMessage.last_attempt_at.is_not(None))
        .order_by(OutboxMessage.last_attempt_at.desc(), OutboxMessage.id.desc())
        .limit(1)
    ).first()
    waiting = session.scalars(
        select(OutboxMessage).where(*_WAITING).order_by(OutboxMessage.id).limit(1)
    ).first()
    return RebuildStatus(
        last_asked_at=last.last_attempt_at if last else None,
        answered=bool(last and last.sent_at is not None and last.sent_at == last.last_attempt_at),
        problem=last.last_error if last else None,
        waiting_since=waiting.created_at if waiting else None,
        next_attempt_at=waiting.next_attempt_at if waiting else None,
    )
