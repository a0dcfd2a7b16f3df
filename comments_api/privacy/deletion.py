"""Self-service deletion of a commenter's data, and retention of personal data.

A commenter asks for deletion with their address; a signed link mailed to it proves the address
is theirs. The link carries only a random secret: the address waits in a `deletion_requests` row
(keyed by the secret's hash) until the link is used or expires. Deleting wipes the text and
every personal field of their comments; a comment that has published replies stays as a
"comment deleted" placeholder so the discussion keeps its shape. Retention
(COMMENTS_RETENTION_DAYS) strips e-mail addresses and client hashes from published comments
older than that and keeps their text; e-mails sent before then are deleted. Expired sign-in and
deletion links, which keep an address, go as soon as they expire.
"""

from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from comments_api.config import Settings
from comments_api.db.privacy import (
    add_deletion_request,
    comments_by_address,
    delete_expired_links,
    deletion_request_address,
    forget_address,
    has_approved_reply,
    has_personal_data,
    mail_sent_since,
    strip_expired_personal_data,
    take_deletion_request,
)
from comments_api.db.site_rebuilds import request_rebuild
from comments_api.db.storage import Storage, lock_thread, refresh_thread, shown
from comments_api.db.tables import Status, utcnow
from comments_api.mail import MAX_ATTEMPTS, queue_message
from comments_api.mail.signed_links import LinkProblem, api_url, read_token, sign_token
from comments_api.moderation.actions import record_withdrawal
from comments_api.security import hash_token

__all__ = [
    "DELETED_AUTHOR",
    "DELETED_HTML",
    "DeletionResult",
    "address_of_deletion_link",
    "ask_for_deletion",
    "delete_by_link",
    "deletion_address",
    "delete_personal_data",
    "forget_expired_links",
    "purge_expired_personal_data",
    "request_deletion",
    "use_deletion_link",
]

logger = logging.getLogger("comments_api")

DELETED_AUTHOR = "[deleted]"
DELETED_HTML = "<p><em>Comment deleted.</em></p>"
DELETION_LINK_HOURS = 24
DELETION_SUBJECT = "Delete your comments"
ERASED_REASON = "Its author had all their comments and data deleted."
PURGE_EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class DeletionResult:
    comments_removed: int
    placeholders: int


def request_deletion(session: Session, settings: Settings, email: str) -> bool:
    """Mail a deletion link if we hold data for the address; True when one was queued.

    The caller answers the same either way, so nobody learns whether an address is known.
    """
    address = email.strip().lower()
    if not has_personal_data(session, address):
        return False
    if mail_sent_since(session, address, DELETION_SUBJECT, utcnow() - timedelta(minutes=10)):
        return False  # one link per address every ten minutes is enough
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    expires_at = now + timedelta(hours=DELETION_LINK_HOURS)
    add_deletion_request(session, hash_token(secret), address, now, expires_at)
    token = sign_token(settings, "delete-data", {"s": secret})
    link = api_url(settings, f"/api/v1/privacy/delete?token={token}")
    queue_message(
        session,
        to=address,
        subject=DELETION_SUBJECT,
        text=(
            "Someone (we hope you) asked us to delete every comment written with this e-mail "
            "address, and the address itself.\n\n"
            f"To confirm, open this link and press the button within {DELETION_LINK_HOURS} "
            f"hours:\n{link}\n\n"
            "If you did not ask for this, ignore this message: nothing will be deleted.\n"
        ),
    )
    return True


def _request_hash(settings: Settings, token: str) -> str:
    payload = read_token(settings, "delete-data", token, DELETION_LINK_HOURS * 3600)
    secret = payload.get("s")
    if not isinstance(secret, str) or not secret:
        raise LinkProblem("invalid")
    return hash_token(secret)


def deletion_address(session: Session, settings: Settings, token: str) -> str:
    """The address a deletion link was sent to, without using the link; or `LinkProblem`."""
    token_hash = _request_hash(settings, token)
    email = deletion_request_address(session, token_hash, utcnow())
    if email is None:
        raise LinkProblem("used")  # a well-signed link whose row is gone was used
    return email


def use_deletion_link(session: Session, settings: Settings, token: str) -> str:
    """Use a deletion link once (in the caller's transaction): the address, or `LinkProblem`."""
    token_hash = _request_hash(settings, token)
    email = take_deletion_request(session, token_hash, utcnow())
    if email is None:
        raise LinkProblem("used")
    return email


def delete_personal_data(session: Session, email: str) -> DeletionResult:
    """Wipe every comment of the address and what else we keep about it, in one transaction."""

    address = email.strip().lower()
    comments = comments_by_address(session, address)
    placeholders = 0
    now = utcnow()
    threads: set[str] = set()
    for comment in comments:
        threads.add(comment.thread_key)
    # Erasing only held or refused comments changes no static page.
    any_shown = any(shown(comment) for comment in comments)
    for thread_key in sorted(threads):
        lock_thread(session, thread_key)
    for comment in comments:
        keep_place = comment.status == Status.APPROVED.value and has_approved_reply(
            session, comment.id
        )
        placeholders += keep_place
        before = comment.status
        comment.status = Status.APPROVED.value if keep_place else Status.DELETED.value
        if comment.withdrawn_at is None:
            record_withdrawal(session, comment, before, ERASED_REASON)
        comment.author_name = DELETED_AUTHOR
        comment.author_email = None
        comment.author_url = None
        comment.body_md = ""
        comment.body_html = DELETED_HTML if keep_place else ""
        comment.client_hash = None
        comment.edit_token_hash = None
        comment.notify = False
        comment.user_id = None
        comment.member = comment.verified = False
        comment.updated_at = now
    forget_address(session, address, [comment.id for comment in comments])
    session.flush()
    for thread_key in sorted(threads):
        refresh_thread(session, thread_key)
    if any_shown:
        request_rebuild(session, now)
    return DeletionResult(len(comments), placeholders)


def ask_for_deletion(storage: Storage, settings: Settings, email: str) -> bool:
    """`request_deletion` in a write transaction of its own."""
    with storage.writing() as session:
        return request_deletion(session, settings, email)


def address_of_deletion_link(storage: Storage, settings: Settings, token: str) -> str:
    """`deletion_address`, read on its own."""
    with storage.reading() as session:
        return deletion_address(session, settings, token)


def delete_by_link(storage: Storage, settings: Settings, token: str) -> DeletionResult:
    """Use a deletion link and wipe the address's comments, in one write transaction."""
    with storage.writing() as session:
        return delete_personal_data(session, use_deletion_link(session, settings, token))


_last_purge: dict[int, datetime] = {}
_purge_lock = threading.Lock()


def purge_expired_personal_data(
    engine: Engine, settings: Settings, now: datetime | None = None, force: bool = False
) -> int:
    """Strip e-mail addresses and client hashes from published comments older than the
    retention period, and delete mail sent before it; returns comments changed. Without
    `force`, runs at most hourly."""
    if not settings.retention_days:
        return 0
    now = now or utcnow()
    with _purge_lock:
        last = _last_purge.get(id(engine))
        if not force and last is not None and now - last < PURGE_EVERY:
            return 0
        _last_purge[id(engine)] = now
    cutoff = now - timedelta(days=settings.retention_days)
    changed, mail_removed = strip_expired_personal_data(engine, cutoff, MAX_ATTEMPTS)
    if changed:
        logger.info("Retention: removed personal data from %s comments", changed)
    if mail_removed:
        logger.info("Retention: removed %s old e-mails from the outbox", mail_removed)
    return changed


def forget_expired_links(engine: Engine, settings: Settings, now: datetime | None = None) -> int:
    """Delete expired sign-in and deletion links: they keep an address (and a client hash) that
    nothing needs once the link cannot work; returns rows deleted."""

    return delete_expired_links(engine, now or utcnow())
