"""What moderators look at: the queue, the spam folder, search results and one comment, each
with its context."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import unescape

import nh3
from sqlalchemy.orm import Session

from comments_api.content.feeds import absolute_url
from comments_api.content.rendering import extract_links, one_line
from comments_api.db.moderation_log import list_events
from comments_api.db.moderation_queue import (
    comments_by_id,
    comments_matching,
    held_or_reported_comments,
    open_reports_of,
    replies_to,
    spam_comments,
    threads_by_key,
)
from comments_api.db.tables import Comment, ModerationEvent
from comments_api.screening.links import domain_of, find_links

__all__ = [
    "PAGE_SIZE",
    "CommentInContext",
    "Listing",
    "ReviewItem",
    "comment_in_context",
    "held_or_reported",
    "link_domains",
    "matching",
    "review_items",
    "spam_folder",
]

PAGE_SIZE = 100
VERDICT_PREFIX = "spam filter verdict: "
EXCERPT_LENGTH = 280


@dataclass(frozen=True)
class ReportView:
    reason: str
    created_at: datetime


@dataclass(frozen=True)
class ReviewItem:
    """One comment as a moderator sees it: everything needed to decide, on one screen."""

    comment: Comment
    thread_title: str
    thread_url: str
    parent_author: str | None
    parent_excerpt: str | None
    reasons: tuple[str, ...]
    domains: tuple[str, ...]
    reports: tuple[ReportView, ...]
    verdict: str | None = None  # what the spam filter alone would do, before the policy


@dataclass(frozen=True)
class Listing:
    items: list[ReviewItem]
    total: int


def link_domains(comment: Comment) -> tuple[str, ...]:
    """Every host the comment names: its links, addresses typed as text, the author's website."""
    urls = [*extract_links(comment.body_html), *(link.url for link in find_links(comment.body_md))]
    if comment.author_url:
        urls.append(comment.author_url)
    return tuple(dict.fromkeys(host for host in map(domain_of, urls) if host))


def _excerpt(html: str) -> str:
    """The rendered comment as one line of plain text, shortened."""
    return one_line(unescape(nh3.clean(html, tags=set())), EXCERPT_LENGTH)


def review_items(session: Session, comments: Sequence[Comment], site_url: str) -> list[ReviewItem]:
    """Add the post, the parent comment, the reports and the link domains to each comment."""
    threads = threads_by_key(session, {comment.thread_key for comment in comments})
    parents = comments_by_id(
        session, {comment.parent_id for comment in comments if comment.parent_id is not None}
    )
    reports: dict[int, list[ReportView]] = {}
    for report in open_reports_of(session, [comment.id for comment in comments]):
        reports.setdefault(report.comment_id, []).append(
            ReportView(report.reason, report.created_at)
        )
    items = []
    for comment in comments:
        lines = [line for line in comment.held_reasons.splitlines() if line.strip()]
        verdict = None
        if lines and lines[0].startswith(VERDICT_PREFIX):
            verdict = lines.pop(0).removeprefix(VERDICT_PREFIX)
        thread = threads.get(comment.thread_key)
        parent = parents.get(comment.parent_id) if comment.parent_id is not None else None
        items.append(
            ReviewItem(
                comment=comment,
                thread_title=thread.title if thread else comment.thread_key,
                thread_url=absolute_url(site_url, thread.url) if thread else site_url,
                parent_author=parent.author_name if parent else None,
                parent_excerpt=_excerpt(parent.body_html) if parent else None,
                reasons=tuple(lines),
                domains=link_domains(comment),
                reports=tuple(reports.get(comment.id, ())),
                verdict=verdict,
            )
        )
    return items


def _listing(session: Session, found: tuple[list[Comment], int], site_url: str) -> Listing:
    comments, total = found
    return Listing(review_items(session, comments, site_url), total)


def held_or_reported(session: Session, site_url: str) -> Listing:
    """Held comments and published comments that readers reported, oldest first."""
    return _listing(session, held_or_reported_comments(session, PAGE_SIZE), site_url)


def spam_folder(session: Session, site_url: str) -> Listing:
    return _listing(session, spam_comments(session, PAGE_SIZE), site_url)


def matching(session: Session, text: str, site_url: str) -> Listing:
    """Comments in any state whose author name, e-mail address or text contains `text`."""
    return _listing(session, comments_matching(session, text.strip(), PAGE_SIZE), site_url)


@dataclass(frozen=True)
class CommentInContext:
    """One comment with its discussion around it and its history, for its own page."""

    item: ReviewItem
    parent: Comment | None
    replies: list[Comment]
    events: list[ModerationEvent]


def comment_in_context(session: Session, comment_id: int, site_url: str) -> CommentInContext | None:
    """The comment, the one it replies to, its replies (any state) and its history, oldest
    first."""
    comment = session.get(Comment, comment_id)
    if comment is None:
        return None
    [item] = review_items(session, [comment], site_url)
    parent = session.get(Comment, comment.parent_id) if comment.parent_id is not None else None
    replies = replies_to(session, comment.id)
    events = list_events(session, PAGE_SIZE, comment_id=comment.id)[::-1]
    return CommentInContext(item, parent, replies, events)
