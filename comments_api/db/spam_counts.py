"""The learning filter's counts in the database (comments_api.moderation.spam_model teaches it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from comments_api.db.tables import SpamModelVersion, SpamToken
from comments_api.db.upsert import insert_for

__all__ = [
    "MAX_TOKEN_LENGTH",
    "MODEL_ROW",
    "add_token_counts",
    "model_version",
    "move_model_version",
    "seed_model",
    "token_counts_rows",
]

MODEL_ROW = 1
MAX_TOKEN_LENGTH = 300


def model_version(session: Session) -> int | None:
    """The version of the counts, which every lesson moves; None before they are seeded."""
    return session.scalar(select(SpamModelVersion.version).where(SpamModelVersion.id == MODEL_ROW))


def seed_model(session: Session, rows: Sequence[Mapping[str, object]]) -> None:
    """Store the first counts (token, spam_count, legitimate_count) and version 1."""
    session.execute(
        insert_for(session, SpamToken).on_conflict_do_nothing(index_elements=["token"]),
        [dict(row) for row in rows],
    )
    session.execute(
        insert_for(session, SpamModelVersion)
        .values(id=MODEL_ROW, version=1)
        .on_conflict_do_nothing(index_elements=["id"])
    )


def add_token_counts(session: Session, counts: Mapping[str, int], is_spam: bool, sign: int) -> None:
    """Add (sign +1) or take back (-1) the counts of one text on its side; never below zero."""
    spam_column, other = (
        ("spam_count", "legitimate_count") if is_spam else ("legitimate_count", "spam_count")
    )
    for token, count in counts.items():
        if len(token) > MAX_TOKEN_LENGTH:
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


def move_model_version(session: Session) -> None:
    """Tell every process that the counts changed."""
    session.execute(
        update(SpamModelVersion)
        .where(SpamModelVersion.id == MODEL_ROW)
        .values(version=SpamModelVersion.version + 1)
    )


def token_counts_rows(session: Session) -> list[tuple[str, int, int]]:
    """Every token with its spam and legitimate counts."""
    rows = session.execute(
        select(SpamToken.token, SpamToken.spam_count, SpamToken.legitimate_count)
    )
    return [(row[0], row[1], row[2]) for row in rows]
