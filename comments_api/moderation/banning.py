"""Bans: a banned account, e-mail address or (for a while) network may not comment.

"Ban author" bans the person: their account when they were signed in, and their e-mail
address. A network ban refuses everyone behind the author's (hashed) client address, so it is
only ever an explicit choice, and it always ends by itself (`NETWORK_BAN_LENGTHS`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from comments_api.db.bans import bans_in_force, bans_made_from, matching_bans_in_force, save_ban
from comments_api.db.tables import Ban, Comment, User, utcnow

__all__ = [
    "NETWORK_BAN_LENGTHS",
    "BanDecision",
    "BanKind",
    "active_bans",
    "ban_author",
    "ban_summary",
    "banned_by",
    "covered",
    "decision_of",
    "length_label",
    "lift_ban",
]


class BanKind(enum.StrEnum):
    EMAIL = "email"
    CLIENT = "client"
    USER = "user"


# What a moderator may choose for a network ban: (label, length). A person's ban has no end.
NETWORK_BAN_LENGTHS: dict[str, tuple[str, timedelta]] = {
    "24h": ("24 hours", timedelta(hours=24)),
    "7d": ("7 days", timedelta(days=7)),
}
KIND_WORDS = {
    BanKind.USER: "the account",
    BanKind.EMAIL: "the e-mail address",
    BanKind.CLIENT: "the network address",
}
# When several bans match, the message names the most personal one.
PRECEDENCE = (BanKind.USER, BanKind.EMAIL, BanKind.CLIENT)


def length_label(length: timedelta) -> str:
    """How long a network ban lasts, in words: "24 hours", "7 days"."""
    for label, choice in NETWORK_BAN_LENGTHS.values():
        if choice == length:
            return label
    hours = round(length.total_seconds() / 3600)
    return f"{hours} hour{'' if hours == 1 else 's'}"


def covered(kinds: list[BanKind], network_for: timedelta | None = None) -> str:
    """What a ban covers, in words: "the account and the e-mail address"."""
    words = [
        f"{KIND_WORDS[kind]} for {length_label(network_for)}"
        if kind is BanKind.CLIENT and network_for is not None
        else KIND_WORDS[kind]
        for kind in kinds
    ]
    return " and ".join([", ".join(words[:-1]), words[-1]] if len(words) > 2 else words)


def ban_summary(kinds: list[BanKind], network_for: timedelta | None, reason: str | None) -> str:
    """The audit log's line for a ban: what it covers, then the moderator's reason."""
    if kinds:
        summary = f"Banned {covered(kinds, network_for)}."
    else:
        summary = "Nothing to ban: the comment keeps no account, e-mail or network address."
    return f"{summary} Reason: {reason}" if reason else summary


def _person_keys(email: str | None, user_id: int | None) -> list[tuple[BanKind, str]]:
    keys: list[tuple[BanKind, str]] = []
    if user_id is not None:
        keys.append((BanKind.USER, str(user_id)))
    if email:
        keys.append((BanKind.EMAIL, email.strip().lower()))
    return keys


@dataclass(frozen=True)
class BanDecision:
    """One moderator's ban: a person's account and e-mail address together, or a network."""

    bans: tuple[Ban, ...]

    @property
    def id(self) -> int:
        return min(ban.id for ban in self.bans)

    @property
    def first(self) -> Ban:
        return min(self.bans, key=lambda ban: ban.id)

    def value(self, kind: BanKind) -> str | None:
        return next((ban.value for ban in self.bans if ban.kind == kind.value), None)


def _decision_key(ban: Ban) -> tuple[object, ...]:
    """A person's bans made together stay together; each network ban stands alone."""
    if ban.kind == BanKind.CLIENT.value:
        return ("network", ban.id)
    return ("person", ban.comment_id, ban.created_at, ban.actor)


def _decisions(bans: list[Ban]) -> list[BanDecision]:
    grouped: dict[tuple[object, ...], list[Ban]] = {}
    for ban in bans:
        grouped.setdefault(_decision_key(ban), []).append(ban)
    return [BanDecision(tuple(group)) for group in grouped.values()]


def banned_by(
    session: Session, *, email: str | None, client_hash: str | None, user_id: int | None
) -> Ban | None:
    """The ban in force that refuses this author, if any: account first, then address, network."""
    keys = _person_keys(email, user_id)
    if client_hash:
        keys.append((BanKind.CLIENT, client_hash))
    if not keys:
        return None
    pairs = [(kind.value, value) for kind, value in keys]
    found = {ban.kind: ban for ban in matching_bans_in_force(session, pairs, utcnow())}
    return next((found[kind.value] for kind in PRECEDENCE if kind.value in found), None)


def ban_author(
    session: Session,
    comment: Comment,
    actor: str,
    reason: str | None,
    network_for: timedelta | None = None,
) -> list[BanKind]:
    """Ban the comment's author (account, e-mail address), and the network only if asked.

    Banning again replaces an earlier ban of the same kind (its reason, and a network ban's
    end). Returns the kinds now banned, in the order the audit log names them.
    """
    now = utcnow()
    keys: list[tuple[BanKind, str, datetime | None]] = [
        (kind, value, None) for kind, value in _person_keys(comment.author_email, comment.user_id)
    ]
    if network_for is not None and comment.client_hash:
        keys.append((BanKind.CLIENT, comment.client_hash, now + network_for))
    for kind, value, expires_at in keys:
        row = {
            "kind": kind.value,
            "value": value,
            "actor": actor,
            "reason": reason,
            "created_at": now,
            "expires_at": expires_at,
            "comment_id": comment.id,
        }
        save_ban(session, row)
    if comment.user_id is not None:
        user = session.get(User, comment.user_id)
        if user is not None and user.banned_at is None:
            user.banned_at = now
    return [kind for kind, _, _ in keys]


def active_bans(session: Session) -> list[BanDecision]:
    """Every ban in force, newest first (network bans drop out when they end)."""
    return _decisions(bans_in_force(session, utcnow()))


def decision_of(session: Session, ban_id: int) -> BanDecision | None:
    """The ban with this id and whatever was banned together with it; None if there is none."""
    ban = session.get(Ban, ban_id)
    if ban is None:
        return None
    if ban.kind == BanKind.CLIENT.value:
        return BanDecision((ban,))
    key = _decision_key(ban)
    made_with = bans_made_from(session, [BanKind.EMAIL.value, BanKind.USER.value], ban.comment_id)
    together = [sibling for sibling in made_with if _decision_key(sibling) == key]
    return BanDecision(tuple(sorted(together, key=lambda sibling: sibling.id)))


def lift_ban(session: Session, decision: BanDecision) -> None:
    """Remove these bans; lifting an account's ban lets its owner sign in again."""
    for ban in decision.bans:
        if ban.kind == BanKind.USER.value:
            user = session.get(User, int(ban.value))
            if user is not None:
                user.banned_at = None
        session.delete(ban)
    session.flush()
