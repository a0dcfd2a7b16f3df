"""Keeping the community safe: bans, the learning spam filter's stored counts, author history.

The rules and the filter themselves are pure (`comments_api.spam`); this package is where they
meet the database. `comments_api.moderation_policy` puts the pieces together.
"""

from comments_api.safety.bans import (
    NETWORK_BAN_LENGTHS,
    Ban,
    BanDecision,
    BanKind,
    active_bans,
    ban_author,
    ban_summary,
    banned_by,
    covered,
    decision_of,
    length_label,
    lift_ban,
)
from comments_api.safety.history import (
    author_is_new,
    campaign_threads,
    duplicate_exists,
    post_text,
    threads_from_client_lately,
)
from comments_api.safety.spam_model import SpamModelStore, learn_from_decision

__all__ = [
    "NETWORK_BAN_LENGTHS",
    "Ban",
    "BanDecision",
    "BanKind",
    "SpamModelStore",
    "active_bans",
    "author_is_new",
    "ban_author",
    "campaign_threads",
    "ban_summary",
    "banned_by",
    "covered",
    "decision_of",
    "length_label",
    "lift_ban",
    "duplicate_exists",
    "post_text",
    "threads_from_client_lately",
    "learn_from_decision",
]
