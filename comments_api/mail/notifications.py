"""E-mails about comments: held comments to moderators, approved replies to subscribers.

Every message goes through the outbox in the same transaction as the fact it announces, and a
`notices` row makes sure each comment is announced once, even with several API processes.
Held comments are announced by a background chore (one message each, or a digest every
COMMENTS_MODERATOR_DIGEST minutes); replies are announced when they are approved.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from comments_api.config import Settings
from comments_api.content.feeds import absolute_url
from comments_api.content.rendering import one_line
from comments_api.db.engine import writing_session
from comments_api.db.notices import (
    claim_notice,
    last_notice_at,
    moderator_account_addresses,
    stop_reply_mail,
    unannounced_held_comments,
    unannounced_published_replies,
)
from comments_api.db.storage import Storage
from comments_api.db.tables import Comment, Status, Thread, utcnow
from comments_api.mail import queue_message
from comments_api.mail.signed_links import address_digest, api_url, sign_token

__all__ = [
    "announce_held_comments",
    "moderation_link",
    "moderator_addresses",
    "notify_published_replies",
    "notify_reply_subscribers",
    "stop_reply_mail_for",
    "unsubscribe",
    "unsubscribe_author_of",
    "unsubscribe_link",
]

MODERATORS = "moderators"
REPLIES = "replies"
BATCH = 200
EXCERPT = 600


def _claim_notice(session: Session, kind: str, comment_id: int) -> bool:
    """Record the announcement; False when another process (or an earlier run) made it."""
    return claim_notice(session, kind, comment_id, utcnow())


def moderator_addresses(session: Session, settings: Settings) -> list[str]:
    """Moderators and admins who are not banned, plus COMMENTS_MODERATOR_EMAILS."""
    addresses: dict[str, str] = {}
    for address in (*moderator_account_addresses(session), *settings.moderator_emails):
        addresses.setdefault(address.strip().lower(), address.strip())
    return list(addresses.values())


def moderation_link(
    settings: Settings, comment_id: int, action: str, moderator: str, issued_at: float | None = None
) -> str:
    """A signed link to confirm approving or rejecting one comment (expires, works once).

    The moderator is named by `address_digest` (configured moderators have no user row)."""
    payload = {"c": comment_id, "a": action, "m": address_digest(settings, moderator)}
    token = sign_token(settings, "moderate", payload, issued_at)
    return api_url(settings, f"/moderation/email-action/{token}")


def unsubscribe_link(settings: Settings, subscribed_comment_id: int) -> str:
    """A link that stops reply e-mails to the author of that comment (no expiry, idempotent)."""
    token = sign_token(settings, "unsubscribe", {"c": subscribed_comment_id})
    return api_url(settings, f"/api/v1/unsubscribe?token={token}")


def _held_block(settings: Settings, comment: Comment, thread: Thread | None, to: str) -> str:
    title = thread.title if thread else comment.thread_key
    post = absolute_url(settings.site_url, thread.url) if thread else ""
    reasons = comment.held_reasons.splitlines() or ["held by the moderation policy"]
    lines = [
        f"On: {title} ({post})" if post else f"On: {title}",
        f"From: {comment.author_name} <{comment.author_email or 'no e-mail'}>",
    ]
    if comment.author_url:
        lines.append(f"Website: {comment.author_url}")
    lines += [
        f"Spam score: {comment.spam_score:g} / 100",
        "Why it was held:",
        *(f"  - {reason}" for reason in reasons),
        "",
        one_line(comment.body_md, EXCERPT),
        "",
        f"Approve: {moderation_link(settings, comment.id, 'approve', to)}",
        f"Reject:  {moderation_link(settings, comment.id, 'reject', to)}",
    ]
    return "\n".join(lines)


def _footer(settings: Settings) -> str:
    hours = settings.moderation_link_hours
    return (
        f"\nEach link asks you to confirm, works once and expires after {hours} hours.\n"
        f"The moderation queue: {api_url(settings, '/moderation')}\n"
    )


def announce_held_comments(engine: Engine, settings: Settings, now: datetime | None = None) -> int:
    """Tell moderators about comments held since the last run; returns comments announced."""
    now = now or utcnow()
    with writing_session(engine) as session:
        waiting = unannounced_held_comments(session, MODERATORS, BATCH)
        if not waiting:
            return 0
        if settings.moderator_digest:
            last = last_notice_at(session, MODERATORS)
            if last is not None and now - last < timedelta(minutes=settings.moderator_digest):
                return 0
        claimed = [(c, t) for c, t in waiting if _claim_notice(session, MODERATORS, c.id)]
        moderators = moderator_addresses(session, settings)
        if not claimed or not moderators:
            return len(claimed)
        if settings.moderator_digest:
            for to in moderators:
                blocks = [_held_block(settings, c, t, to) for c, t in claimed]
                queue_message(
                    session,
                    to=to,
                    subject=f"{len(claimed)} comment(s) waiting for moderation",
                    text=("\n\n" + "-" * 60 + "\n\n").join(blocks) + "\n" + _footer(settings),
                )
        else:
            for comment, thread in claimed:
                title = thread.title if thread else comment.thread_key
                for to in moderators:
                    queue_message(
                        session,
                        to=to,
                        subject=f"Held for moderation: {comment.author_name} on {title}"[:300],
                        text="A comment is waiting for moderation.\n\n"
                        + _held_block(settings, comment, thread, to)
                        + "\n"
                        + _footer(settings),
                    )
        return len(claimed)


def notify_reply_subscribers(session: Session, settings: Settings, reply: Comment) -> bool:
    """Queue "someone replied" to the parent's author if they asked; True when queued."""
    if reply.parent_id is None or reply.status != Status.APPROVED.value:
        return False
    if not _claim_notice(session, REPLIES, reply.id):
        return False
    parent = session.get(Comment, reply.parent_id)
    if (
        parent is None
        or not parent.notify
        or not parent.author_email
        or parent.status != Status.APPROVED.value
        or (reply.author_email or "").lower() == parent.author_email.lower()
    ):
        return False
    thread = session.get(Thread, reply.thread_key)
    title = thread.title if thread else reply.thread_key
    post = absolute_url(settings.site_url, thread.url) if thread else settings.site_url
    link = unsubscribe_link(settings, parent.id)
    queue_message(
        session,
        to=parent.author_email,
        subject=f"{reply.author_name} replied to your comment on {title}"[:300],
        text=(
            f"{reply.author_name} replied to your comment on “{title}”:\n\n"
            f"{one_line(reply.body_md, EXCERPT)}\n\n"
            f"Read the discussion: {post}#comment-{reply.id}\n\n"
            "You get this because you ticked “Notify me of replies”.\n"
            f"Stop these e-mails: {link}\n"
        ),
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    return True


def notify_published_replies(engine: Engine, settings: Settings) -> int:
    """Announce replies published without a moderator (members, trusted guests)."""
    sent = 0
    with writing_session(engine) as session:
        replies = unannounced_published_replies(session, REPLIES, BATCH)
        for reply in replies:
            sent += notify_reply_subscribers(session, settings, reply)
    return sent


def unsubscribe(session: Session, email: str) -> int:
    """Stop reply e-mails to this address for all its comments; returns comments changed."""
    return stop_reply_mail(session, email)


def unsubscribe_author_of(session: Session, comment_id: int) -> int:
    """Stop reply e-mails to whoever wrote that comment, for all their comments."""
    comment = session.get(Comment, comment_id)
    if comment is None:
        return 0  # deleted since: nothing is sent about it any more
    if comment.author_email:
        return unsubscribe(session, comment.author_email)
    changed = int(comment.notify)
    comment.notify = False
    return changed


def stop_reply_mail_for(storage: Storage, target: int | str) -> int:
    """Unsubscribe the author of a comment (by id), or an address, in a transaction of its own."""
    with storage.writing() as session:
        if isinstance(target, int):
            return unsubscribe_author_of(session, target)
        return unsubscribe(session, target)
