"""Per-client rate limits with `limits`: in memory, or in Redis so several processes share them.

When Redis does not answer, each process counts in its own memory (with a logged warning) and
goes back to Redis once it answers again: an outage loosens the limits, it never refuses comments.
"""

from __future__ import annotations

import logging
import math
import time

from limits import RateLimitItem, parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from comments_api.config import ConfigurationError, Settings
from comments_api.errors import RateLimited

__all__ = ["RateLimiter"]

logger = logging.getLogger("comments_api")

# While Redis is away, try it again at most this often.
REDIS_RETRY_SECONDS = 30.0

ACTIONS = {
    "create": ("rate_limit_create", "comments"),
    "edit": ("rate_limit_edit", "edits"),
    "report": ("rate_limit_report", "reports"),
}


def _describe(item: RateLimitItem) -> str:
    unit = item.GRANULARITY.name
    return (
        f"{item.amount} per {item.multiples} {unit}"
        if item.multiples > 1
        else (f"{item.amount} per {unit}")
    )


class RateLimiter:
    """Refuses an action, naming the limit, once a client has used it up."""

    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.rate_limits_enabled
        self.limits: dict[str, list[RateLimitItem]] = {}
        for action, (setting, _) in ACTIONS.items():
            raw = getattr(settings, setting)
            try:
                self.limits[action] = parse_many(raw) if raw else []
            except ValueError:
                raise ConfigurationError(
                    f"COMMENTS_{setting.upper()} must look like '5/minute;30/hour', not {raw!r}."
                ) from None
        # A Redis that hangs must not hang the request: bounded waits, then the local limits.
        storage = (
            storage_from_string(settings.redis_url, socket_timeout=1, socket_connect_timeout=1)
            if settings.redis_url
            else storage_from_string("memory://")
        )
        assert isinstance(storage, Storage)
        self.storage = storage
        self.strategy = MovingWindowRateLimiter(self.storage)
        self.shared = bool(settings.redis_url)
        self.local = MovingWindowRateLimiter(storage_from_string("memory://"))
        self._redis_retry_at = 0.0

    def hit(self, action: str, client: str | None, source: str = "your network") -> None:
        """Count one `action` by `client`, or refuse it when a limit is used up.

        `source` names whose count it is in the refusal: a network address, or an account.
        """
        if not self.enabled or client is None:
            return
        if not self.shared:
            self._hit(self.strategy, action, client, source)
            return
        if time.monotonic() >= self._redis_retry_at:
            try:
                self._hit(self.strategy, action, client, source)
            except RateLimited:
                raise
            except Exception as error:
                if not self._redis_retry_at:
                    logger.warning(
                        "Redis does not answer (%s): rate limits are counted per process "
                        "until it does.",
                        error,
                    )
                self._redis_retry_at = time.monotonic() + REDIS_RETRY_SECONDS
            else:
                if self._redis_retry_at:
                    logger.warning("Redis answers again: rate limits are shared again.")
                self._redis_retry_at = 0.0
                return
        self._hit(self.local, action, client, source)

    def _hit(
        self, strategy: MovingWindowRateLimiter, action: str, client: str, source: str
    ) -> None:
        items = self.limits[action]
        for item in items:
            if not strategy.test(item, action, client):
                reset_time, _ = strategy.get_window_stats(item, action, client)
                retry_after = max(1, math.ceil(reset_time - time.time()))
                noun = ACTIONS[action][1]
                raise RateLimited(
                    f"Too many {noun} from {source}: at most {_describe(item)}. "
                    f"Please try again in {retry_after} seconds.",
                    [("rate_limit", f"{action}: {_describe(item)}")],
                    retry_after=retry_after,
                )
        for item in items:
            strategy.hit(item, action, client)
