"""The moderation seam: one place decides whether a new or edited comment is published.

`ModerationPolicy.assess()` refuses banned authors, scores the draft with the spam rules and the
learning filter (`comments_api.screening`) given what storage knows about the author, and applies
the operator's policy (COMMENTS_MODERATION) on top:

With `publish` (development, or a closed group that trusts everyone) nothing is scored or held;
otherwise:

- a spam verdict files the comment as spam (never on the page);
- likely patient-identifying details or a high score hold it, with those reasons;
- otherwise members and verified staff are published at once, and guests are published when
  the filter finds them clean (`screen`), held (`hold-guests`), held only until their first
  comment is approved (`hold-first-time-guests`, the default) or always held (`hold-all`).

The stored reasons begin with the filter's own verdict and score, then each reason with its
points, then what the policy added: a moderator sees why, and what the filter alone would do.

An author's edit is screened the same way, but the policy does not apply again: a published
comment stays published and a held one stays held, unless the screening holds or files it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from comments_api import screening
from comments_api.config import Settings
from comments_api.db.author_history import (
    author_is_new,
    duplicate_exists,
    post_text,
    recent_texts,
    threads_from_client_lately,
)
from comments_api.db.storage import Storage
from comments_api.db.tables import Status, User
from comments_api.errors import Forbidden
from comments_api.moderation.banning import BanKind, banned_by
from comments_api.moderation.spam_model import SpamModelStore
from comments_api.screening.campaigns import CAMPAIGN_WINDOW, near_duplicates

__all__ = ["Assessment", "CommentDraft", "ModerationPolicy", "spam_settings_for"]

BANNED_MESSAGE = (
    "You can no longer comment here: a moderator has blocked {what}. If you think this is a "
    "mistake, write to the site's editors."
)
NETWORK_BANNED_MESSAGE = (
    "Comments from your network are blocked until {until:%-d %B %Y, %H:%M} UTC: a moderator "
    "blocked this network address. If you think this is a mistake, write to the site's editors."
)


@dataclass(frozen=True)
class CommentDraft:
    """What is known about a comment before it is stored."""

    thread_key: str
    author_name: str
    author_email: str | None
    author_url: str | None
    body_md: str
    client_hash: str | None = None
    user_id: int | None = None
    member: bool = False
    verified: bool = False
    # The comment being edited (its own text is not a duplicate; its own history not "new").
    comment_id: int | None = None


class Assessment(NamedTuple):
    """The verdict: a status to store, a spam score (0..100) and human-readable reasons."""

    status: Status
    score: float
    reasons: tuple[str, ...]


def spam_settings_for(settings: Settings) -> screening.SpamSettings:
    """The spam filter's settings from ours: thresholds, trusted domains, the site's own host."""
    own_hosts = [
        urlsplit(url).hostname or ""
        for url in (settings.site_url, getattr(settings, "public_url", ""))
        if url
    ]
    return screening.SpamSettings(
        hold_threshold=float(settings.spam_hold_score),
        spam_threshold=float(settings.spam_score),
    ).trusting(*settings.trusted_domains, *own_hosts)


class ModerationPolicy:
    """The policy of one service: settings, and storage for the author's history and bans."""

    def __init__(self, settings: Settings, storage: Storage) -> None:
        self.settings = settings
        self.storage = storage
        self.spam_settings = spam_settings_for(settings)
        self.model = SpamModelStore(storage.engine)

    def assess(self, draft: CommentDraft) -> Assessment:
        """Refuse a banned author, else score the draft and apply the policy."""
        screened, context = self._screen(draft)
        if screened.status is not Status.APPROVED or context is None:
            return screened
        return self._apply_policy(draft, context, screened.score, screened.reasons)

    def assess_edit(self, draft: CommentDraft, current: Status) -> Assessment:
        """Screen an author's edit: the comment keeps its state unless the screening objects."""
        screened, _ = self._screen(draft)
        if screened.status is not Status.APPROVED:
            return screened
        return Assessment(current, screened.score, screened.reasons)

    def _screen(self, draft: CommentDraft) -> tuple[Assessment, screening.SpamContext | None]:
        """Bans, then the spam and personal-data screening; approved when it found nothing.

        The context is None when nothing was screened (the `publish` policy).
        """
        with self.storage.reading() as session:
            self.refuse_banned(session, draft)
            if self.settings.moderation == "publish":
                return Assessment(Status.APPROVED, 0.0, ()), None
            context = screening.SpamContext(
                is_member=draft.member or draft.verified,
                author_is_new=author_is_new(
                    session,
                    email=draft.author_email,
                    user_id=draft.user_id,
                    exclude_comment_id=draft.comment_id,
                ),
                duplicate_exists=duplicate_exists(session, draft.body_md, draft.comment_id),
                post_text=post_text(session, draft.thread_key),
                campaign_threads=len(
                    near_duplicates(
                        draft.body_md,
                        recent_texts(session, CAMPAIGN_WINDOW, draft.comment_id),
                        draft.thread_key,
                    )
                ),
                threads_from_client_lately=threads_from_client_lately(
                    session, draft.client_hash, draft.thread_key
                ),
            )
        scored = screening.assess(
            screening.CommentDraft(
                body=draft.body_md, author_name=draft.author_name, website=draft.author_url
            ),
            context,
            self.model.current(),
            self.spam_settings,
        )
        verdicts = {"spam": Status.SPAM, "hold": Status.PENDING}
        status = verdicts.get(scored.verdict, Status.APPROVED)
        reasons = (screening.verdict_line(scored, self.spam_settings), *scored.explained())
        return Assessment(status, scored.score, reasons), context

    def _apply_policy(
        self,
        draft: CommentDraft,
        context: screening.SpamContext,
        score: float,
        reasons: tuple[str, ...],
    ) -> Assessment:
        policy = self.settings.moderation
        if draft.member or draft.verified:
            return Assessment(Status.APPROVED, score, reasons)
        if policy == "hold-all":
            return Assessment(
                Status.PENDING, score, (*reasons, "every comment is held for a moderator")
            )
        if policy == "screen":
            return Assessment(Status.APPROVED, score, reasons)
        if policy == "hold-first-time-guests" and not context.author_is_new:
            return Assessment(Status.APPROVED, score, reasons)
        why = (
            "a first comment from this address is held for a moderator"
            if policy == "hold-first-time-guests"
            else "guest comments are held for a moderator"
        )
        return Assessment(Status.PENDING, score, (*reasons, why))

    @staticmethod
    def refuse_banned(session: Session, draft: CommentDraft) -> None:
        """Refuse a blocked author, naming what is blocked: a member's account by name."""

        user = session.get(User, draft.user_id) if draft.user_id is not None else None
        ban = banned_by(
            session, email=draft.author_email, client_hash=draft.client_hash, user_id=draft.user_id
        )
        account_banned = user is not None and user.banned_at is not None
        if account_banned or (ban is not None and ban.kind == BanKind.USER.value):
            name = f"your account “{user.display_name}”" if user is not None else "your account"
            detail = BANNED_MESSAGE.format(what=name)
            raise Forbidden(detail, [("author", f"{name[0].upper()}{name[1:]} is blocked.")])
        if ban is not None and ban.kind == BanKind.EMAIL.value:
            detail = BANNED_MESSAGE.format(what="this e-mail address")
            raise Forbidden(detail, [("email", "This e-mail address is blocked.")])
        if ban is not None:
            until = ban.expires_at
            detail = (
                NETWORK_BANNED_MESSAGE.format(until=until)
                if until is not None
                else BANNED_MESSAGE.format(what="this network address")
            )
            raise Forbidden(detail, [("author", "Comments from this network are blocked.")])
