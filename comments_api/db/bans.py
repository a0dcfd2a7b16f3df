"""The queries behind bans (comments_api.moderation.banning decides what a ban covers)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, or_, select, tuple_
from sqlalchemy.orm import Session

from comments_api.db.tables import Ban, User
from comments_api.db.upsert import insert_for

__all__ = [
    "account_id_by_email",
    "accounts_by_id",
    "ban_id_of",
    "bans_in_force",
    "bans_made_from",
    "matching_bans_in_force",
    "save_ban",
]


def _in_force(now: datetime) -> ColumnElement[bool]:
    return or_(Ban.expires_at.is_(None), Ban.expires_at > now)


def matching_bans_in_force(
    session: Session, keys: Sequence[tuple[str, str]], now: datetime
) -> list[Ban]:
    """The bans in force at `now` of any of these (kind, value) pairs.

    Every comment posted asks this, and almost always nothing matches: a cached Core statement
    answers that; only the bans found are loaded as objects."""
    found = session.connection().execute(_MATCHING, {"pairs": list(keys), "now": now})
    ids = [ban_id for (ban_id,) in found]
    if not ids:
        return []
    return list(session.scalars(select(Ban).where(Ban.id.in_(ids))))


_BANS = Ban.__table__
_MATCHING = select(_BANS.c.id).where(
    tuple_(_BANS.c.kind, _BANS.c.value).in_(bindparam("pairs", expanding=True)),
    or_(_BANS.c.expires_at.is_(None), _BANS.c.expires_at > bindparam("now")),
)


def bans_in_force(session: Session, now: datetime) -> list[Ban]:
    """Every ban in force at `now`, newest first."""
    newest = (Ban.created_at.desc(), Ban.id.desc())
    return list(session.scalars(select(Ban).where(_in_force(now)).order_by(*newest)))


def save_ban(session: Session, row: dict[str, Any]) -> None:
    """Store a ban; one of the same kind and value is replaced (its reason, its end)."""
    statement = insert_for(session, Ban).values(**row)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["kind", "value"],
            set_={name: statement.excluded[name] for name in row if name != "kind"},
        )
    )


def bans_made_from(session: Session, kinds: Sequence[str], comment_id: int | None) -> list[Ban]:
    """The bans of these kinds made from this comment (or from none, when it is None)."""
    query = select(Ban).where(
        Ban.kind.in_(list(kinds)), Ban.comment_id.is_not_distinct_from(comment_id)
    )
    return list(session.scalars(query))


def ban_id_of(session: Session, kind: str, value: str) -> int | None:
    """The id of the ban of this kind and value, in force or not."""
    return session.scalar(select(Ban.id).where(Ban.kind == kind, Ban.value == value))


def accounts_by_id(session: Session, ids: Sequence[int]) -> list[User]:
    """The accounts with these ids."""
    return list(session.scalars(select(User).where(User.id.in_(list(ids)))))


def account_id_by_email(session: Session, address: str) -> int | None:
    """The id of the account that signs in with this (lower-case) address."""
    return session.scalar(select(User.id).where(func.lower(User.email) == address))
