"""Bans as moderators and operators see them: what each covers, and lifting it (audit-logged).

The same listing serves the Bans page and `comments-api bans`; lifting, from either, writes an
"unban" row to the audit log against the comment the ban was made from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from comments_api.db.bans import account_id_by_email, accounts_by_id, ban_id_of
from comments_api.moderation.actions import record_lifted_ban
from comments_api.moderation.banning import (
    BanDecision,
    BanKind,
    active_bans,
    covered,
    decision_of,
    lift_ban,
)

__all__ = ["BanEntry", "ban_entries", "lift", "lift_for_address"]


@dataclass(frozen=True)
class BanEntry:
    """One ban in force, in words: whom it refuses, since when, by whom, why, until when."""

    id: int
    kinds: tuple[BanKind, ...]
    account: str | None
    email: str | None
    comment_id: int | None
    actor: str
    reason: str | None
    created_at: datetime
    expires_at: datetime | None

    @property
    def is_network(self) -> bool:
        return BanKind.CLIENT in self.kinds

    @property
    def whom(self) -> str:
        """Who is refused: the account and address, or everyone at the author's network."""
        if self.is_network:
            source = f" of comment {self.comment_id}" if self.comment_id else ""
            return f"everyone at the network address of the author{source}"
        return "; ".join(part for part in (self.account, self.email) if part)

    @property
    def covers(self) -> str:
        """What the ban covers in words, e.g. "the account and the e-mail address"."""
        return covered(list(self.kinds))


def _account_names(session: Session, decisions: list[BanDecision]) -> dict[str, str]:
    """Account id -> "Display Name <address>" for the account bans among these."""

    ids = [int(value) for d in decisions if (value := d.value(BanKind.USER)) is not None]
    if not ids:
        return {}
    users = accounts_by_id(session, ids)
    return {str(user.id): f"{user.display_name} <{user.email}>" for user in users}


def _entry(decision: BanDecision, accounts: dict[str, str]) -> BanEntry:
    first = decision.first
    kinds = tuple(
        kind for kind in (BanKind.USER, BanKind.EMAIL, BanKind.CLIENT) if decision.value(kind)
    )
    account_id = decision.value(BanKind.USER)
    return BanEntry(
        id=decision.id,
        kinds=kinds,
        account=accounts.get(account_id, f"account {account_id}") if account_id else None,
        email=decision.value(BanKind.EMAIL),
        comment_id=first.comment_id,
        actor=first.actor,
        reason=first.reason,
        created_at=first.created_at,
        expires_at=first.expires_at,
    )


def ban_entries(session: Session) -> list[BanEntry]:
    """Every ban in force, newest first."""
    decisions = active_bans(session)
    accounts = _account_names(session, decisions)
    return [_entry(decision, accounts) for decision in decisions]


def lift(session: Session, ban_id: int, actor: str, reason: str | None = None) -> BanEntry | None:
    """Lift a ban (with whatever was banned together with it) and log it; None if unknown."""
    decision = decision_of(session, ban_id)
    if decision is None:
        return None
    entry = _entry(decision, _account_names(session, [decision]))
    lift_ban(session, decision)
    summary = f"Lifted the ban on {entry.covers}."
    record_lifted_ban(
        session, entry.comment_id, actor, f"{summary} Reason: {reason}" if reason else summary
    )
    return entry


def lift_for_address(
    session: Session, email: str, actor: str, reason: str | None = None
) -> list[BanEntry]:
    """Lift every ban of this e-mail address and of the account that signs in with it."""

    address = email.strip().lower()
    account = account_id_by_email(session, address)
    keys = [(BanKind.EMAIL.value, address)]
    if account is not None:
        keys.append((BanKind.USER.value, str(account)))
    lifted: list[BanEntry] = []
    for kind, value in keys:
        ban_id = ban_id_of(session, kind, value)
        if ban_id is not None and (entry := lift(session, ban_id, actor, reason)) is not None:
            lifted.append(entry)
    return lifted
