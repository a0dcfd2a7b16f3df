"""Cursors of the snapshot's changes: a signed moment, so a build asks only for what changed.

A cursor names a moment a little before the snapshot it came with was read (`OVERLAP`), so a
change whose transaction was still open then is sent again rather than missed; sending a
comment twice changes nothing. A cursor signed with another secret key (another service, or
one whose key was changed) or from the future is unknown: the build fetches everything again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from itsdangerous import BadSignature, Signer

from comments_api.config import Settings

__all__ = ["OVERLAP", "changes_cursor", "read_changes_cursor"]

OVERLAP = timedelta(seconds=60)
_SALT = "comments-snapshot-changes"


def _signer(settings: Settings) -> Signer:
    return Signer(settings.secret_key, salt=_SALT)


def changes_cursor(settings: Settings, read_at: datetime) -> str:
    """The cursor to send as `since` for the changes after a snapshot read at `read_at`."""
    moment = read_at - OVERLAP
    microseconds = int(moment.timestamp() * 1_000_000)
    return _signer(settings).sign(str(microseconds)).decode()


def read_changes_cursor(settings: Settings, cursor: str, now: datetime) -> datetime | None:
    """The moment a cursor names, or None for a cursor this service did not give out."""
    try:
        value = _signer(settings).unsign(cursor).decode()
    except BadSignature:
        return None
    if not value.isdigit():
        return None
    moment = datetime.fromtimestamp(int(value) / 1_000_000, tz=UTC)
    return moment if moment <= now else None
