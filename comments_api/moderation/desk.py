"""What moderators do from the pages and e-mailed links, each in one write transaction."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import timedelta

from comments_api.config import Settings
from comments_api.db.storage import Storage
from comments_api.db.tables import Comment
from comments_api.mail.notifications import moderator_addresses
from comments_api.mail.signed_links import address_digest, use_once
from comments_api.moderation.actions import (
    Action,
    ActionRefused,
    AlreadyDone,
    UnknownComment,
    apply_action,
)
from comments_api.moderation.bans import lift

__all__ = [
    "NoLongerModerator",
    "Outcome",
    "act_on_comments",
    "act_from_email_link",
    "ban_comment_author",
    "lift_one_ban",
]


class NoLongerModerator(PermissionError):
    """An e-mailed link's moderator no longer moderates."""


@dataclass
class Outcome:
    """How many comments an action changed, left as they were, or had to leave alone."""

    done: int = 0
    unchanged: int = 0
    refused: int = 0


def act_on_comments(
    storage: Storage,
    settings: Settings,
    comment_ids: list[int],
    action: Action,
    actor: str,
    reason: str | None,
) -> Outcome:
    """Apply the action to each comment that exists; say what it did."""
    outcome = Outcome()
    with storage.writing() as session:
        for comment_id in comment_ids:
            try:
                apply_action(session, comment_id, action, actor, reason, settings=settings)
            except UnknownComment:
                continue
            except AlreadyDone:
                outcome.unchanged += 1
                continue
            except ActionRefused:
                outcome.refused += 1
                continue
            outcome.done += 1
    return outcome


def ban_comment_author(
    storage: Storage,
    settings: Settings,
    comment_id: int,
    actor: str,
    reason: str | None,
    network_for: timedelta | None,
) -> bool:
    """Ban the author of a comment (and their network for a while, if asked); False if unknown."""
    with storage.writing() as session:
        if session.get(Comment, comment_id) is None:
            return False
        apply_action(
            session,
            comment_id,
            "ban",
            actor,
            reason,
            settings=settings,
            network_for=network_for,
        )
        return True


def lift_one_ban(storage: Storage, ban_id: int, actor: str, reason: str | None) -> bool:
    """Lift a ban (and what was banned with it); False when there is no such ban."""
    with storage.writing() as session:
        return lift(session, ban_id, actor, reason) is not None


def act_from_email_link(
    storage: Storage,
    settings: Settings,
    token: str,
    comment_id: int,
    action: Action,
    moderator_digest: str,
) -> Comment:
    """Approve or reject from an e-mailed link, once; the audit log names the moderator.

    Raises `NoLongerModerator`, `UnknownComment`, `LinkProblem("used")` and `ActionRefused`.
    """
    with storage.writing() as session:
        moderator = next(
            (
                address
                for address in moderator_addresses(session, settings)
                if hmac.compare_digest(address_digest(settings, address), moderator_digest)
            ),
            None,
        )
        if moderator is None:
            raise NoLongerModerator("The link's moderator no longer moderates.")
        if session.get(Comment, comment_id) is None:
            raise UnknownComment(f"There is no comment {comment_id}.")
        use_once(session, token, "moderate")
        return apply_action(
            session, comment_id, action, f"{moderator} (e-mail link)", settings=settings
        )
