"""The learning filter's counts, kept in the database and shared by every API process.

One row per token (`spam_tokens`), seeded from the checked-in examples when empty; a version
number (`spam_model`) moves with every lesson so each process reloads only when it changed.
Each comment teaches the filter at most once (`spam_lessons`): a moderator who changes their
mind moves the lesson to the other side instead of counting the text twice.
"""

from __future__ import annotations

import threading

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from comments_api.db.engine import reading_session, writing_session
from comments_api.db.spam_counts import (
    MAX_TOKEN_LENGTH,
    add_token_counts,
    model_version,
    move_model_version,
    seed_model,
    token_counts_rows,
)
from comments_api.db.tables import Comment, SpamLesson, utcnow
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


def _ensure_seeded(session: Session) -> int:
    """The model's version, after seeding the counts from the examples if there are none."""
    version = model_version(session)
    if version is not None:
        return version
    rows = [
        {"token": row.token, "spam_count": row.spam_count, "legitimate_count": row.legitimate_count}
        for row in state_to_rows(default_model())
        if len(row.token) <= MAX_TOKEN_LENGTH
    ]
    seed_model(session, rows)
    return 1


def _add_counts(session: Session, text: str, is_spam: bool, sign: int) -> None:
    counts = dict(token_counts(text))
    counts[DOCUMENT_TOTALS_TOKEN] = 1
    add_token_counts(session, counts, is_spam, sign)


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
    move_model_version(session)
    return True


class SpamModelStore:
    """The current model for this process, reloaded when another process taught it something."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._cached: tuple[int, BayesState] | None = None
        self._lock = threading.Lock()

    def current(self) -> BayesState:
        with reading_session(self.engine) as session:
            version = model_version(session)
            if version is None:
                session.close()
                with writing_session(self.engine) as writer:
                    _ensure_seeded(writer)
                return self.current()
            cached = self._cached
            if cached is not None and cached[0] == version:
                return cached[1]
            state = state_from_rows(token_counts_rows(session))
        with self._lock:
            self._cached = (version, state)
        return state
