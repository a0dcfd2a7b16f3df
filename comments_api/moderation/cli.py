"""`comments-api bans` and `comments-api unban`: bans for operators, without the pages."""

from __future__ import annotations

import sys

from comments_api.db.storage import Storage
from comments_api.moderation.bans import BanEntry, ban_entries, lift, lift_for_address

__all__ = ["list_bans", "unban"]

# Who the audit log names for what the command line does.
ACTOR = "command line"


def _line(entry: BanEntry) -> str:
    until = f"{entry.expires_at:%Y-%m-%d %H:%M}" if entry.expires_at else "until lifted"
    return "\t".join(
        (
            str(entry.id),
            f"{entry.created_at:%Y-%m-%d %H:%M}",
            until,
            entry.covers,
            entry.whom,
            entry.actor,
            entry.reason or "",
        )
    )


def list_bans(storage: Storage) -> int:
    """Print each ban in force: id, since, until, what it covers, whom, by whom, why."""
    with storage.reading() as session:
        entries = ban_entries(session)
    if not entries:
        print("No bans are in force.")
    for entry in entries:
        print(_line(entry))
    return 0


def unban(storage: Storage, ids: list[int], email: str | None, reason: str | None) -> int:
    """Lift the bans with these ids, or those of an address and its account; log each."""
    if not ids and not email:
        print(
            "comments-api: give the ids of bans to lift (see `comments-api bans`) or --email",
            file=sys.stderr,
        )
        return 2
    failed = 0
    with storage.writing() as session:
        lifted = lift_for_address(session, email, ACTOR, reason) if email else []
        if email and not lifted:
            print(f"comments-api: no ban of {email} is in force", file=sys.stderr)
            failed = 1
        for ban_id in ids:
            entry = lift(session, ban_id, ACTOR, reason)
            if entry is None:
                print(
                    f"comments-api: there is no ban {ban_id} (see `comments-api bans`)",
                    file=sys.stderr,
                )
                failed = 1
            else:
                lifted.append(entry)
    for entry in lifted:
        print(f"Lifted ban {entry.id} on {entry.covers}: {entry.whom}")
    return failed
