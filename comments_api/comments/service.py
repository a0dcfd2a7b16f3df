"""What the service does, independent of HTTP: create, edit, delete, report, list, sync."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from comments_api.comments.ratelimit import RateLimiter
from comments_api.comments.threads import CachedThread, ManifestFile, ThreadListCache, is_closed
from comments_api.config import Settings
from comments_api.content.comment_input import check_email, check_website
from comments_api.content.rendering import render_comment
from comments_api.db.rows import ManifestEntry, SyncResult, ThreadState
from comments_api.db.site_rebuilds import request_rebuild
from comments_api.db.storage import Storage, lock_thread, refresh_thread
from comments_api.db.tables import Comment, Editor, Status, User, utcnow
from comments_api.errors import Conflict, Forbidden, Invalid, NotFound
from comments_api.field_messages import FIELD_MESSAGES, MISSING_MESSAGES
from comments_api.moderation.actions import (
    ActionRefused,
    UnknownComment,
    record_withdrawal,
    redact_comment,
)
from comments_api.moderation.policy import CommentDraft, ModerationPolicy
from comments_api.schemas import NAME, VISIBLE, NewComment, without_control_characters
from comments_api.security import client_hash, hash_token, new_edit_token, token_matches

__all__ = ["CommentService", "Created", "Edited"]

PUBLIC_STATES = {Status.PENDING.value, Status.APPROVED.value}
BODY_RULE = FIELD_MESSAGES["body"]
MAX_BODY = 5000
REDACTED = "The comment's text is changed; readers see that a moderator edited it."
MESSAGES = {
    Status.PENDING: "Thank you! Your comment is awaiting moderation and will appear once a "
    "moderator approves it.",
    Status.APPROVED: "Thank you! Your comment is published.",
}


@dataclass(frozen=True)
class Created:
    comment: Comment
    status: Status
    edit_token: str
    editable_until: datetime
    message: str
    thread_url: str


@dataclass(frozen=True)
class Edited:
    comment: Comment
    status: Status
    message: str


def _as_shown(status: Status) -> Status:
    """What the author is told: a comment filed as spam looks to them like a held one."""
    return Status.PENDING if status is Status.SPAM else status


def _no_such_comment() -> NotFound:
    return NotFound("There is no such comment.", [("id", "Unknown comment.")])


def _not_found(thread_key: str) -> NotFound:
    return NotFound(
        f"There is no discussion called {thread_key!r}; check the thread key of the post.",
        [("thread", "Unknown thread.")],
    )


class CommentService:
    """The operations behind the routes and the CLI; one instance per process."""

    def __init__(self, settings: Settings, storage: Storage, limiter: RateLimiter) -> None:
        self.settings = settings
        self.storage = storage
        self.limiter = limiter
        self.list_cache = ThreadListCache(storage, settings)
        self.manifest_file = ManifestFile(settings.threads_file, storage)
        self.moderation = ModerationPolicy(settings, storage)

    def client(self, address: str | None) -> str | None:
        return client_hash(self.settings.secret_key, address)

    # --- reading ----------------------------------------------------------------------------

    def thread(self, thread_key: str) -> ThreadState:
        state = self.storage.hot.thread_state(thread_key)
        if state is None and self.manifest_file.refresh() is not None:
            state = self.storage.thread_state(thread_key)
        if state is None:
            raise _not_found(thread_key)
        return state

    def thread_comments(self, thread_key: str) -> CachedThread:
        """The cached, serialised list of a thread's approved comments."""
        return self.list_cache.get(self.thread(thread_key))

    def sync_threads(self, entries: list[ManifestEntry]) -> SyncResult:
        return self.storage.sync_threads(entries)

    # --- writing ----------------------------------------------------------------------------

    def create_comment(
        self,
        thread_key: str,
        submitted: NewComment,
        address: str | None,
        user: User | None = None,
    ) -> Created:
        """Validate, rate-limit, render, assess and store a new comment.

        A signed-in `user` comments under their display name and address, as a member.
        """
        if user is not None:
            submitted = submitted.model_copy(
                update={"author": user.display_name, "email": user.email}
            )
        self.manifest_file.refresh()
        state = self.thread(thread_key)
        if is_closed(state, self.settings):
            raise Conflict(
                "Comments on this post are closed.",
                [("thread", "This discussion no longer accepts comments.")],
            )
        self._refuse_if_too_quick(submitted.opened_at)
        errors: list[tuple[str, str]] = []
        author = (submitted.author or "").strip()
        if not re.fullmatch(NAME, author):
            errors.append(("author", FIELD_MESSAGES["author"]))
        if not (submitted.email or "").strip():
            errors.append(("email", MISSING_MESSAGES["email"]))
        if not re.search(VISIBLE, submitted.body):
            errors.append(("body", BODY_RULE))
        if errors:
            raise Invalid.correct(errors)
        email = check_email((submitted.email or "").strip())
        website = check_website(submitted.website.strip()) if submitted.website else None
        if submitted.parent is not None and not self.storage.is_approved_in_thread(
            submitted.parent, thread_key
        ):
            raise NotFound(
                "The comment you reply to is not among the published comments of this post.",
                [("parent", "You can only reply to a published comment of this post.")],
            )
        client = self.client(address)
        # Members are counted by account, so colleagues behind one hospital's address do not
        # use up each other's limit; guests by their network.
        if user is not None:
            self.limiter.hit("create", self.client(f"member:{user.id}"), "your account")
        else:
            self.limiter.hit("create", client)

        body_html = render_comment(submitted.body)
        draft = CommentDraft(
            thread_key=thread_key,
            author_name=author,
            author_email=email,
            author_url=website,
            body_md=submitted.body,
            client_hash=client,
            user_id=user.id if user else None,
            member=user is not None,
            verified=bool(user and user.verified),
        )
        status, score, reasons = self.moderation.assess(draft)
        token = new_edit_token()
        now = utcnow()
        comment = Comment(
            thread_key=thread_key,
            parent_id=submitted.parent,
            author_name=author,
            author_email=email,
            author_url=website,
            user_id=user.id if user else None,
            member=user is not None,
            verified=bool(user and user.verified),
            body_md=submitted.body,
            body_html=body_html,
            status=status.value,
            spam_score=score,
            held_reasons="\n".join(reasons),
            notify=submitted.notify,
            client_hash=client,
            edit_token_hash=hash_token(token),
            created_at=now,
            edited_at=None,
            updated_at=now,
        )
        self.storage.insert_comment(comment)
        return Created(
            comment=comment,
            status=_as_shown(status),
            edit_token=token,
            editable_until=now + self.edit_window,
            message=MESSAGES.get(status, MESSAGES[Status.PENDING]),
            thread_url=state.url,
        )

    @property
    def edit_window(self) -> timedelta:
        return timedelta(minutes=self.settings.edit_window_minutes)

    def _refuse_if_too_quick(self, opened_at: int | None) -> None:
        """A form sent sooner after it was shown than a person could write is refused."""
        if opened_at is None:
            return
        elapsed = time.time() - opened_at / 1000
        minimum = self.settings.min_submit_seconds
        if 0 <= elapsed < minimum:
            raise Invalid(
                "That was quicker than a person can write a comment; please wait a few seconds "
                "and send it again.",
                [
                    (
                        "opened_at",
                        f"Sent {elapsed:.1f} s after the form was shown; the minimum "
                        f"is {minimum} s.",
                    )
                ],
            )

    def _own_comment(self, comment_id: int, token: str | None, address: str | None) -> Comment:
        comment = self.storage.get_comment(comment_id)
        if comment is None or comment.status not in PUBLIC_STATES:
            raise _no_such_comment()
        self.limiter.hit("edit", self.client(address))
        if not token_matches(token, comment.edit_token_hash):
            raise Forbidden(
                "This edit token does not belong to this comment.",
                [("X-Edit-Token", "Send the edit token you received when you posted it.")],
            )
        if utcnow() > comment.created_at + self.edit_window:
            raise Forbidden(
                f"Comments can be changed only within {self.settings.edit_window_minutes} "
                "minutes of posting; ask a moderator for help.",
                [("X-Edit-Token", "The edit window is over.")],
            )
        return comment

    def edit_comment(
        self, comment_id: int, token: str | None, body: str, address: str | None
    ) -> Edited:
        """Replace the text of one's own comment within the edit window.

        The new text is screened again; a published comment stays published and a held one
        stays held unless the screening holds it (or files it as spam).
        """
        comment = self._own_comment(comment_id, token, address)
        if not re.search(VISIBLE, body):
            raise Invalid.correct([("body", BODY_RULE)])
        body_html = render_comment(body)
        draft = CommentDraft(
            thread_key=comment.thread_key,
            author_name=comment.author_name,
            author_email=comment.author_email,
            author_url=comment.author_url,
            body_md=body,
            client_hash=comment.client_hash,
            user_id=comment.user_id,
            member=comment.member,
            verified=comment.verified,
            comment_id=comment.id,
        )
        status, score, reasons = self.moderation.assess_edit(draft, Status(comment.status))
        changed = self.storage.change_comment(
            comment_id,
            status=status,
            body_md=body,
            body_html=body_html,
            spam_score=score,
            held_reasons="\n".join(reasons),
            edited_by=Editor.AUTHOR,
            only_from={comment.status},
        )
        if changed is None:  # a moderator acted in the meantime: their decision stands
            now = self.storage.get_comment(comment_id)
            if now is not None and now.status in PUBLIC_STATES:
                raise Conflict(
                    "A moderator acted on this comment while you were editing it; reload the "
                    "page and edit it again.",
                    [("id", "Changed by a moderator meanwhile.")],
                )
            raise _no_such_comment()
        shown = _as_shown(status)
        return Edited(changed, shown, MESSAGES[shown].replace("comment is", "edit is"))

    def redact_comment(
        self,
        comment_id: int,
        body: str,
        moderator: str,
        reason: str | None = None,
        *,
        public_only: bool = False,
    ) -> Edited:
        """A moderator's change to a comment's text, e.g. to take out a detail that identifies
        someone; it keeps its status and shows "edited by a moderator".

        With `public_only` (the API), only held and published comments may be changed.
        """
        current = self.storage.get_comment(comment_id)
        if current is None:
            raise _no_such_comment()
        if public_only and current.status not in PUBLIC_STATES:
            raise Conflict(
                f"This comment is {current.status}: change its text on its moderation page.",
                [("id", "Neither held nor published.")],
            )
        body = without_control_characters(body)
        if not re.search(VISIBLE, body) or len(body) > MAX_BODY:
            raise Invalid.correct([("body", BODY_RULE)])
        try:
            with self.storage.writing() as session:
                comment = redact_comment(session, comment_id, body, moderator, reason)
        except UnknownComment:
            raise _no_such_comment() from None
        except ActionRefused as refusal:
            raise Conflict(str(refusal), [("id", "Deleted by its author.")]) from None
        return Edited(comment, _as_shown(Status(comment.status)), REDACTED)

    def delete_comment(self, comment_id: int, token: str | None, address: str | None) -> None:
        """Withdraw one's own comment within the edit window: deleted for good, and logged."""
        self._own_comment(comment_id, token, address)
        with self.storage.writing() as session:
            comment = session.get(Comment, comment_id)
            assert comment is not None  # comments are never removed, only marked
            lock_thread(session, comment.thread_key)
            session.refresh(comment)
            before = comment.status
            if before not in PUBLIC_STATES:  # a moderator acted in the meantime
                raise _no_such_comment()
            comment.status = Status.DELETED.value
            record_withdrawal(session, comment, before, "Deleted by its author.")
            session.flush()
            refresh_thread(session, comment.thread_key)
            if before == Status.APPROVED.value:
                request_rebuild(session)

    def report_comment(self, comment_id: int, reason: str, address: str | None) -> None:
        comment = self.storage.get_comment(comment_id)
        if comment is None or comment.status != Status.APPROVED.value:
            raise _no_such_comment()
        if not reason.strip():
            raise Invalid.correct([("reason", FIELD_MESSAGES["reason"])])
        client = self.client(address)
        self.limiter.hit("report", client)
        self.storage.add_report(comment_id, reason.strip(), client)
