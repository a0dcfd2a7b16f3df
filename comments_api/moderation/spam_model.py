"""The learning filter's counts, kept in the database and shared by every API process.

One row per token (`spam_tokens`), seeded from the checked-in examples when empty; a version
number (`spam_model`) moves with every lesson so each process reloads only when it changed.
Each comment teaches the filter at most once (`spam_lessons`): a moderator who changes their
mind moves the lesson to the other side instead of counting the text twice.
"""

from __future__ import annotations

import threading

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from comments_api.db.tables import (
    Comment,
    SpamLesson,
    SpamModelVersion,
    SpamToken,
    utcnow,
)
from comments_api.db.upsert import insert_for
from comments_api.screening import (
    DOCUMENT_TOTALS_TOKEN,
    BayesState,
    CommentDraft,
    default_model,
    learning_text,
    state_from_rows,
    state_to_rows,
    token_counts,
)

__all__ = ["SpamModelStore", "learn_from_decision"]

MODEL_ROW = 1


def _ensure_seeded(session: Session) -> int:
    """The model's version, after seeding the counts from the examples if there are none."""
    version = session.scalar(select(SpamModelVersion.version).where(SpamModelVersion.id == 1))
    if version is not None:
        return version
    rows = [
        {"token": row.token, "spam_count": row.spam_count, "legitimate_count": row.legitimate_count}
        for row in state_to_rows(default_model())
        if len(row.token) <= 300
    ]
    session.execute(
        insert_for(session, SpamToken).on_conflict_do_nothing(index_elements=["token"]), rows
    )
    session.execute(
        insert_for(session, SpamModelVersion)
        .values(id=MODEL_ROW, version=1)
        .on_conflict_do_nothing(index_elements=["id"])
    )
    return 1


def _add_counts(session: Session, text: str, is_spam: bool, sign: int) -> None:
    counts = dict(token_counts(text))
    counts[DOCUMENT_TOTALS_TOKEN] = 1
    spam_column, other = (
        ("spam_count", "legitimate_count") if is_spam else ("legitimate_count", "spam_count")
    )
    for token, count in counts.items():
        if len(token) > 300:
            continue
        delta = sign * count
        statement = insert_for(session, SpamToken).values(
            token=token, **{spam_column: max(delta, 0), other: 0}
        )
        column = getattr(SpamToken, spam_column)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["token"], set_={spam_column: column + delta}
            )
        )
    if sign < 0:
        session.execute(update(SpamToken).where(SpamToken.spam_count < 0).values(spam_count=0))
        session.execute(
            update(SpamToken).where(SpamToken.legitimate_count < 0).values(legitimate_count=0)
        )


def learn_from_decision(session: Session, comment: Comment, is_spam: bool) -> bool:
    """Teach the filter a moderator's decision on a comment; False when it knew it already."""
    _ensure_seeded(session)
    lesson = session.get(SpamLesson, comment.id)
    if lesson is not None and lesson.is_spam == is_spam:
        return False
    if lesson is not None:
        _add_counts(session, lesson.learned_text, lesson.is_spam, -1)
        session.delete(lesson)
        session.flush()
    draft = CommentDraft(
        body=comment.body_md, author_name=comment.author_name, website=comment.author_url
    )
    text = learning_text(draft)
    _add_counts(session, text, is_spam, +1)
    session.add(
        SpamLesson(comment_id=comment.id, is_spam=is_spam, learned_text=text, created_at=utcnow())
    )
    session.execute(
        update(SpamModelVersion)
        .where(SpamModelVersion.id == MODEL_ROW)
        .values(version=SpamModelVersion.version + 1)
    )
    return True


class SpamModelStore:
    """The current model for this process, reloaded when another process taught it something."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._cached: tuple[int, BayesState] | None = None
        self._lock = threading.Lock()

    def current(self) -> BayesState:
        with Session(self.engine) as session:
            version = session.scalar(
                select(SpamModelVersion.version).where(SpamModelVersion.id == MODEL_ROW)
            )
            if version is None:
                session.close()
                writing = self.engine.execution_options(comments_write=True)
                with Session(writing) as writer, writer.begin():
                    _ensure_seeded(writer)
                return self.current()
            cached = self._cached
            if cached is not None and cached[0] == version:
                return cached[1]
            rows = session.execute(
                select(SpamToken.token, SpamToken.spam_count, SpamToken.legitimate_count)
            )
            state = state_from_rows((row[0], row[1], row[2]) for row in rows)
        with self._lock:
            self._cached = (version, state)
        return state
