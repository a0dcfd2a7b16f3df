"""Fixtures of the sign-in suite (shared with the moderation suite through support.py)."""

from tests.auth.support import (  # noqa: F401
    mailbox,
    make_service,
    service,
    smtp_server,
)
