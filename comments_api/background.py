"""What the app does in the background: send queued e-mail and the periodic chores before it."""

from __future__ import annotations

from sqlalchemy import Engine

from comments_api.config import Settings
from comments_api.mail import BackgroundSender, Chore, deliver_pending
from comments_api.mail.notifications import announce_held_comments, notify_published_replies
from comments_api.privacy.deletion import forget_expired_links, purge_expired_personal_data

__all__ = ["CHORES", "background_sender", "run_chores_now"]

CHORES: tuple[Chore, ...] = (
    announce_held_comments,
    notify_published_replies,
    purge_expired_personal_data,
    forget_expired_links,
)


def background_sender(engine: Engine, settings: Settings) -> BackgroundSender:
    """The sender the app's lifespan starts: chores, then delivery, every few seconds."""
    return BackgroundSender(engine, settings, CHORES)


def run_chores_now(engine: Engine, settings: Settings) -> tuple[int, int]:
    """One round now (the `purge` command): returns (comments purged, e-mails delivered)."""
    announce_held_comments(engine, settings)
    notify_published_replies(engine, settings)
    purged = purge_expired_personal_data(engine, settings, force=True)
    forget_expired_links(engine, settings)
    return purged, deliver_pending(engine, settings)
