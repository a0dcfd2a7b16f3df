"""The background sender: a task in the app's lifespan that delivers the outbox and runs chores.

Chores are plain functions of (engine, settings) run in a worker thread before each delivery
round (for example: announce held comments, purge old personal data). A failing chore or mail
server is logged and retried on the next round; it never stops the service.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence

from sqlalchemy import Engine

from comments_api.config import Settings
from comments_api.mail.build_hook import call_build_hook
from comments_api.mail.outbox import deliver_pending

__all__ = ["BackgroundSender", "Chore"]

logger = logging.getLogger("comments_api.mail")

Chore = Callable[[Engine, Settings], object]


class BackgroundSender:
    """Runs `chores`, `deliver_pending` and the build hook every COMMENTS_MAIL_INTERVAL_SECONDS."""

    def __init__(self, engine: Engine, settings: Settings, chores: Sequence[Chore] = ()) -> None:
        self.engine = engine
        self.settings = settings
        self.chores = tuple(chores)
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    def run_once(self) -> int:
        """One round, synchronously: every chore, delivery, then the build hook if it is due.

        Returns messages delivered."""
        for chore in self.chores:
            try:
                chore(self.engine, self.settings)
            except Exception:
                logger.exception("Background chore %s failed", getattr(chore, "__name__", chore))
        delivered = 0
        try:
            delivered = deliver_pending(self.engine, self.settings)
        except Exception:
            logger.exception("Delivering queued e-mail failed")
        try:
            call_build_hook(self.engine, self.settings)
        except Exception:
            logger.exception("Calling the site's build hook failed")
        return delivered

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            await asyncio.to_thread(self.run_once)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._stopping.wait(), timeout=self.settings.mail_interval_seconds
                )

    def start(self) -> None:
        if not (self.settings.smtp_host or self.settings.mail_folder):
            logger.warning(
                "Neither COMMENTS_SMTP_HOST nor COMMENTS_MAIL_FOLDER is set: e-mail (sign-in "
                "links, notifications) stays queued in the outbox until one of them is."
            )
        self._stopping = asyncio.Event()
        self._task = asyncio.create_task(self._loop(), name="comments-background-sender")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=30)
            except TimeoutError:
                self._task.cancel()
            self._task = None
