"""Per-client rate limits with `limits`: in memory, or in Redis so several processes share them."""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from comments_api.config import ConfigurationError, Settings
from comments_api.errors import ApiError

__all__ = ["RateLimiter"]

ACTIONS = {
    "create": ("rate_limit_create", "comments"),
    "edit": ("rate_limit_edit", "edits"),
    "report": ("rate_limit_report", "reports"),
}


def _describe(item: RateLimitItem) -> str:
    unit = item.GRANULARITY.name
    return f"{item.amount} per {item.multiples} {unit}" if item.multiples > 1 else (
        f"{item.amount} per {unit}"
    )


class RateLimiter:
    """Refuses an action with a 429 naming the limit once a client has used it up."""

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
        uri = settings.redis_url or "memory://"
        storage = storage_from_string(uri)
        assert isinstance(storage, Storage)
        self.storage = storage
        self.strategy = MovingWindowRateLimiter(self.storage)

    def hit(self, action: str, client: str | None) -> None:
        """Count one `action` by `client`, or raise a 429 when a limit is used up."""
        if not self.enabled or client is None:
            return
        items = self.limits[action]
        for item in items:
            if not self.strategy.test(item, action, client):
                reset_time, _ = self.strategy.get_window_stats(item, action, client)
                retry_after = max(1, math.ceil(reset_time - time.time()))
                noun = ACTIONS[action][1]
                raise ApiError(
                    429,
                    f"Too many {noun} from your network: at most {_describe(item)}. "
                    f"Please try again in {retry_after} seconds.",
                    [("rate_limit", f"{action}: {_describe(item)}")],
                    headers={"Retry-After": str(retry_after)},
                )
        for item in items:
            self.strategy.hit(item, action, client)

    def healthy(self) -> bool:
        return bool(self.storage.check())
