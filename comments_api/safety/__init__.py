"""Keeping the community safe: bans, the learning spam filter's stored counts, author history.

The rules and the filter themselves are pure (`comments_api.spam`); this package is where they
meet the database. `comments_api.moderation_policy` puts the pieces together.
"""

from comments_api.safety.bans import Ban, BanKind, ban_author, banned_reason
from comments_api.safety.history import author_is_new, duplicate_exists
from comments_api.safety.spam_model import SpamModelStore, learn_from_decision

__all__ = [
    "Ban",
    "BanKind",
    "SpamModelStore",
    "author_is_new",
    "ban_author",
    "banned_reason",
    "duplicate_exists",
    "learn_from_decision",
]
