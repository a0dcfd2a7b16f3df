"""The site's build hook: a POST that asks the static site to rebuild, sent from the outbox.

The request has the shape of GitHub's `repository_dispatch` (POST
https://api.github.com/repos/OWNER/REPO/dispatches with `{"event_type": ...}` and a bearer
token), which any other receiver can read as well. A receiver that does not answer 2xx (down,
or refusing the token) is asked again with the outbox's backoff.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from datetime import datetime

from sqlalchemy import Engine

from comments_api.config import Settings
from comments_api.db.site_rebuilds import claim_due_rebuilds, record_rebuild_answer
from comments_api.db.tables import OutboxMessage, utcnow
from comments_api.mail.outbox import retry_delay

__all__ = ["EVENT_TYPE", "call_build_hook", "dispatch_body"]

logger = logging.getLogger("comments_api.mail")

# The `repository_dispatch` event type the publish workflow listens for.
EVENT_TYPE = "comments-changed"
TIMEOUT_SECONDS = 10


def dispatch_body(settings: Settings, requests: list[OutboxMessage]) -> bytes:
    """The JSON the hook receives: the event type, the site and when the first change was."""
    first = min(request.created_at for request in requests)
    payload = {
        "event_type": EVENT_TYPE,
        "client_payload": {"site": settings.site_url, "changed_since": first.isoformat()},
    }
    return json.dumps(payload, sort_keys=True).encode()


def _headers(settings: Settings) -> dict[str, str]:
    headers = {
        "Accept": "application/vnd.github+json",
        "Content-Type": "application/json",
        "User-Agent": "comments-api build hook",
        "X-GitHub-Api-Version": "2022-11-28",
    }
    if settings.build_hook_token:
        headers["Authorization"] = f"Bearer {settings.build_hook_token}"
    return headers


def call_build_hook(engine: Engine, settings: Settings, now: datetime | None = None) -> bool:
    """Call the hook once for every rebuild request that is due; True if it answered 2xx."""
    if not settings.build_hook_url:
        return False
    now = now or utcnow()
    claimed = claim_due_rebuilds(engine, settings.build_hook_seconds, now)
    if not claimed:
        return False
    http_request = urllib.request.Request(
        settings.build_hook_url,
        data=dispatch_body(settings, claimed),
        headers=_headers(settings),
        method="POST",
    )
    problem: str | None = None
    try:
        with urllib.request.urlopen(http_request, timeout=TIMEOUT_SECONDS) as response:
            response.read()
    except urllib.error.HTTPError as error:
        problem = f"the build hook answered HTTP {error.code} {error.reason}"
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        problem = f"cannot reach the build hook: {reason}"
    attempts = max(request.attempts for request in claimed) + 1
    delay = retry_delay(attempts, settings.mail_retry_seconds)
    if problem is not None:
        logger.warning("Asking the site to rebuild failed (%s); trying again later", problem)
    record_rebuild_answer(engine, claimed, now, problem, delay)
    return problem is None
