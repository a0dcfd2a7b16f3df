"""What the app does in the background: send queued e-mail and the periodic chores before it."""

from __future__ import annotations

from sqlalchemy import Engine

from comments_api.config import Settings
from comments_api.mail import BackgroundSender, Chore

__all__ = ["CHORES", "background_sender"]

CHORES: tuple[Chore, ...] = ()


def background_sender(engine: Engine, settings: Settings) -> BackgroundSender:
    """The sender the app's lifespan starts: chores, then delivery, every few seconds."""
    return BackgroundSender(engine, settings, CHORES)
