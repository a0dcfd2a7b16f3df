"""The audit log's and the reports' queries (comments_api.moderation.actions writes the rows)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from comments_api.db.tables import ModerationEvent, Report

__all__ = ["has_open_reports", "list_events", "resolve_reports"]


def list_events(
    session: Session,
    limit: int = 100,
    *,
    comment_id: int | None = None,
    before_id: int | None = None,
) -> list[ModerationEvent]:
    """The audit log, newest first; optionally one comment's history, paged by `before_id`."""
    query = select(ModerationEvent).order_by(ModerationEvent.id.desc()).limit(limit)
    if comment_id is not None:
        query = query.where(ModerationEvent.comment_id == comment_id)
    if before_id is not None:
        query = query.where(ModerationEvent.id < before_id)
    return list(session.scalars(query))


def has_open_reports(session: Session, comment_id: int) -> bool:
    """Whether readers' reports of this comment wait for a moderator."""
    unresolved = select(func.count()).where(
        Report.comment_id == comment_id, Report.resolved_at.is_(None)
    )
    return bool(session.scalar(unresolved))


def resolve_reports(session: Session, comment_id: int, now: datetime) -> None:
    """Mark every open report of this comment as dealt with."""
    session.execute(
        update(Report)
        .where(Report.comment_id == comment_id, Report.resolved_at.is_(None))
        .values(resolved_at=now)
    )
