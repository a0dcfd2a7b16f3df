"""Storage: every query the service runs, over SQLAlchemy; knows nothing of HTTP or templates."""

from __future__ import annotations

import fcntl
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, BinaryIO

from sqlalchemy import (
    Engine,
    Integer,
    Table,
    bindparam,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session, sessionmaker

from comments_api.db.group_commit import GroupCommitter
from comments_api.db.rows import ManifestEntry, SyncResult, ThreadState
from comments_api.db.site_rebuilds import request_rebuild
from comments_api.db.tables import Comment, Editor, Report, Status, Thread, utcnow
from comments_api.db.thread_versions import HotReader

__all__ = [
    "DatabaseBusy",
    "Storage",
    "PUBLIC_COLUMNS",
    "SHOWN",
    "lock_thread",
    "refresh_thread",
    "rename_author",
    "shown",
]

# The columns a public comment is made of (never the e-mail, client hash or token hash).
PUBLIC_COLUMNS = (
    Comment.id,
    Comment.thread_key,
    Comment.parent_id,
    Comment.author_name,
    Comment.author_url,
    Comment.created_at,
    Comment.edited_at,
    Comment.edited_by,
    Comment.body_html,
    Comment.verified,
    Comment.member,
    Comment.status,
    Comment.removed_at,
)
# What the public sees of a thread: approved comments, and the notes left in place of
# published comments a moderator removed.
SHOWN = or_(Comment.status == Status.APPROVED.value, Comment.removed_at.is_not(None))


def shown(comment: Comment) -> bool:
    """Whether the public (and so the static pages) see this comment, as `SHOWN` selects."""
    return comment.status == Status.APPROVED.value or comment.removed_at is not None


class DatabaseBusy(TimeoutError):
    """A write gave up waiting: another writer holds the database, or it does not answer."""


_THREAD_STATE = select(
    Thread.key,
    Thread.title,
    Thread.url,
    Thread.version,
    Thread.approved_count,
    Thread.created_at,
    Thread.published_at,
    Thread.closed_at,
    Thread.retired_at,
)


class Storage:
    """Reads and transactional writes over one engine."""

    def __init__(
        self,
        engine: Engine,
        session_info: dict[str, object] | None = None,
        *,
        read_seconds: float = 3.0,
        busy_seconds: float = 30.0,
    ) -> None:
        """`session_info` is handed to every session (`session.info`), e.g. the settings.

        `read_seconds` bounds a hot read; `busy_seconds`, a SQLite writer's wait for the others.
        """
        self.engine = engine
        self.read_seconds = read_seconds
        self.busy_seconds = busy_seconds
        info = dict(session_info or {})
        self._sessions = sessionmaker(engine, expire_on_commit=False, info=info)
        self._write_engine = engine.execution_options(comments_write=True)
        self._write_sessions = sessionmaker(self._write_engine, expire_on_commit=False, info=info)
        # SQLite has one writer at a time: writers of this process queue here, on a lock that
        # wakes them at once, rather than in SQLite's busy handler, which sleeps and polls.
        self._write_lock = threading.RLock() if engine.dialect.name == "sqlite" else None
        database_file = engine.url.database if engine.dialect.name == "sqlite" else None
        self._lock_path = (
            f"{database_file}-writer.lock"
            if database_file and database_file != ":memory:" and "mode=memory" not in database_file
            else None
        )
        self._lock_file: BinaryIO | None = None
        self._lock_depth = 0
        self._hot: HotReader | None = None
        self._committer: GroupCommitter | None = None
        self._committer_lock = threading.Lock()

    @property
    def hot(self) -> HotReader:
        """The hot-path reader of this process (thread versions, counts)."""
        if self._hot is None:
            self._hot = HotReader(self.engine, self.read_seconds)
        return self._hot

    def ping(self) -> None:
        """Ask the database the cheapest question; raises when it does not answer."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def close(self) -> None:
        """Close the hot-path connection and the committer (the engine is the creator's).

        Both are made again when next needed: an app's lifespan may end and start again.
        """
        if self._hot is not None:
            self._hot.close()
            self._hot = None
        with self._committer_lock:
            if self._committer is not None:
                self._committer.close()
                self._committer = None
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One write transaction, committed (durably) on success, rolled back on error."""
        if self._hot is not None and self._hot.stalled:
            # The database gave no answer at all moments ago: a write would wait on it unbounded.
            raise DatabaseBusy(self._hot.problem or "The database does not answer.")
        if self._write_lock is None:
            with self._write_sessions.begin() as session:
                yield session
            return
        deadline = time.monotonic() + self.busy_seconds
        if not self._write_lock.acquire(timeout=self.busy_seconds):
            raise self._busy()
        try:
            with self._writer_file_lock(deadline), self._write_sessions.begin() as session:
                yield session
        finally:
            self._write_lock.release()

    def _busy(self) -> DatabaseBusy:
        return DatabaseBusy(
            f"Another writer has held the database for more than {self.busy_seconds:g} s."
        )

    @contextmanager
    def _writer_file_lock(self, deadline: float) -> Iterator[None]:
        """Across processes, SQLite writers queue on a file lock, for the busy timeout at most."""
        if self._lock_path is None or self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        if self._lock_file is None:
            self._lock_file = open(self._lock_path, "a+b")  # noqa: SIM115 - kept open
        descriptor = self._lock_file.fileno()
        pause = 0.0001
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                # flock has no timeout: poll, briefly at first, for as long as SQLite would wait.
                if time.monotonic() >= deadline:
                    raise self._busy() from None
                time.sleep(pause)
                pause = min(pause * 2, 0.002)
        self._lock_depth = 1
        try:
            yield
        finally:
            self._lock_depth = 0
            fcntl.flock(descriptor, fcntl.LOCK_UN)

    # --- threads ---------------------------------------------------------------------------

    def thread_state(self, key: str) -> ThreadState | None:
        with self.engine.connect() as connection:
            row = connection.execute(_THREAD_STATE.where(Thread.key == key)).first()
        return ThreadState(*row) if row is not None else None

    def sync_threads(self, entries: Sequence[ManifestEntry]) -> SyncResult:
        """Make the stored threads match the manifest; threads missing from it are retired."""
        now = utcnow()
        created = updated = retired = 0
        by_key = {entry.key: entry for entry in entries}
        with self.writing() as session:
            existing = {thread.key: thread for thread in session.scalars(select(Thread))}
            for key, entry in by_key.items():
                thread = existing.get(key)
                if thread is None:
                    session.add(
                        Thread(
                            key=key,
                            title=entry.title,
                            url=entry.url,
                            summary=entry.summary,
                            created_at=now,
                            published_at=entry.published,
                            closed_at=now if entry.closed else None,
                            retired_at=None,
                            version=1,
                            approved_count=0,
                        )
                    )
                    created += 1
                    continue
                changed = False
                if thread.title != entry.title or thread.url != entry.url:
                    thread.title, thread.url = entry.title, entry.url
                    changed = True
                if thread.summary != entry.summary:
                    thread.summary = entry.summary
                    changed = True
                if entry.published is not None and thread.published_at != entry.published:
                    thread.published_at = entry.published
                    changed = True
                if entry.closed != (thread.closed_at is not None):
                    thread.closed_at = now if entry.closed else None
                    changed = True
                    request_rebuild(session, now)  # the post's page no longer takes comments
                if thread.retired_at is not None:
                    thread.retired_at = None
                    changed = True
                if changed:
                    thread.version += 1
                    updated += 1
            for key, thread in existing.items():
                if key not in by_key and thread.retired_at is None:
                    thread.retired_at = now
                    thread.version += 1
                    retired += 1
        return SyncResult(created, updated, retired)

    # --- comments --------------------------------------------------------------------------

    def shown_comments(self, thread_key: str) -> list[tuple[object, ...]]:
        """Public columns of a thread's approved and removed comments, oldest first."""
        query = (
            select(*PUBLIC_COLUMNS)
            .where(Comment.thread_key == thread_key, SHOWN)
            .order_by(Comment.id)
        )
        with self.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(query)]

    def shown_page(self, after_id: int, limit: int) -> list[tuple[object, ...]]:
        """Approved and removed comments of every thread with an id above `after_id`, by id."""
        query = (
            select(*PUBLIC_COLUMNS)
            .where(SHOWN, Comment.id > after_id)
            .order_by(Comment.id)
            .limit(limit)
        )
        with self.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(query)]

    def changed_page(
        self, since: datetime, after_id: int, limit: int
    ) -> list[tuple[tuple[object, ...], bool]]:
        """(public columns, shown) of every comment changed after `since`, by id."""
        query = (
            select(*PUBLIC_COLUMNS, SHOWN.label("shown"))
            .where(Comment.updated_at > since, Comment.id > after_id)
            .order_by(Comment.id)
            .limit(limit)
        )
        with self.engine.connect() as connection:
            return [(tuple(row[:-1]), bool(row[-1])) for row in connection.execute(query)]

    def latest_shown(
        self, limit: int, thread_key: str | None = None
    ) -> list[tuple[Comment, str, str]]:
        """Newest approved and removed comments with their thread's title and URL (feeds)."""
        query = (
            select(Comment, Thread.title, Thread.url)
            .join(Thread, Thread.key == Comment.thread_key)
            .where(SHOWN)
            .order_by(Comment.id.desc())
            .limit(limit)
        )
        if thread_key is not None:
            query = query.where(Comment.thread_key == thread_key)
        with self.reading() as session:
            return [(row[0], row[1], row[2]) for row in session.execute(query)]

    def get_comment(self, comment_id: int) -> Comment | None:
        with self.reading() as session:
            return session.get(Comment, comment_id)

    def comments_with_status(self, status: Status, limit: int = 1000) -> list[Comment]:
        with self.reading() as session:
            query = (
                select(Comment)
                .where(Comment.status == status.value)
                .order_by(Comment.id)
                .limit(limit)
            )
            return list(session.scalars(query))

    def insert_comment(self, comment: Comment) -> Comment:
        """Store a new comment and bump its thread; returns once the commit is durable.

        Comments posted at the same moment share one transaction (group commit): one disk
        sync acknowledges all of them.
        """
        with self._committer_lock:
            if self._committer is None:
                self._committer = GroupCommitter(self._insert_batch)
        return self._committer.submit(comment)

    def _insert_batch(self, comments: Sequence[Comment]) -> None:
        approved: dict[str, int] = {}
        for comment in comments:
            delta = 1 if comment.status == Status.APPROVED.value else 0
            approved[comment.thread_key] = approved.get(comment.thread_key, 0) + delta
        rows = [
            {
                column.key: value
                for column in _COMMENTS.columns
                if column.key != "id"
                and ((value := getattr(comment, column.key)) is not None or column.nullable)
            }
            for comment in comments
        ]
        with self.writing() as session:
            for thread_key in sorted(approved):
                _lock_thread(session, thread_key)  # in key order: no deadlock between batches
            # Core rather than the unit of work: this is the write path under load. One
            # statement per batch and shape (rows that leave a default out differ), the ids
            # returned in the rows' order.
            for members in _by_shape(rows):
                if len(members) == 1:
                    ids = [session.execute(_INSERT_COMMENT, rows[members[0]]).scalar_one()]
                else:
                    batch = [rows[index] for index in members]
                    ids = list(session.execute(_INSERT_COMMENTS, batch).scalars())
                for index, comment_id in zip(members, ids, strict=True):
                    comments[index].id = comment_id
            for thread_key, delta in sorted(approved.items()):
                session.execute(_BUMP_THREAD, {"thread_key": thread_key, "delta": delta})
            if any(approved.values()):
                request_rebuild(session)  # once for the batch: one request answers them all

    def change_comment(
        self,
        comment_id: int,
        *,
        status: Status | None = None,
        body_md: str | None = None,
        body_html: str | None = None,
        spam_score: float | None = None,
        held_reasons: str | None = None,
        edited_by: Editor | None = None,
        only_from: Iterable[str] | None = None,
    ) -> Comment | None:
        """Change a comment's text and/or state; the thread's cache version moves with it.

        With `only_from`, nothing changes (None) unless the comment is still in one of those
        states once its thread is locked: a moderator may have acted in the meantime.
        """
        now = utcnow()
        with self.writing() as session:
            comment = session.get(Comment, comment_id)
            if comment is None:
                return None
            _lock_thread(session, comment.thread_key)
            session.refresh(comment)  # as it is now, not as it was before the lock
            if only_from is not None and comment.status not in set(only_from):
                return None
            was_approved = comment.status == Status.APPROVED.value
            was_shown = shown(comment)
            if status is not None:
                comment.status = status.value
            if body_md is not None and body_html is not None:
                comment.body_md, comment.body_html = body_md, body_html
            if spam_score is not None:
                comment.spam_score = spam_score
            if held_reasons is not None:
                comment.held_reasons = held_reasons
            if edited_by is not None:
                comment.edited_at, comment.edited_by = now, edited_by.value
            comment.updated_at = now
            session.flush()
            delta = int(comment.status == Status.APPROVED.value) - int(was_approved)
            session.execute(_BUMP_THREAD, {"thread_key": comment.thread_key, "delta": delta})
            if was_shown or shown(comment):
                request_rebuild(session, now)
        return comment

    def add_report(self, comment_id: int, reason: str, client_hash: str | None) -> Report:
        with self.writing() as session:
            report = Report(
                comment_id=comment_id, reason=reason, client_hash=client_hash, created_at=utcnow()
            )
            session.add(report)
        return report

    def is_approved_in_thread(self, comment_id: int, thread_key: str) -> bool:
        query = select(Comment.id).where(
            Comment.id == comment_id,
            Comment.thread_key == thread_key,
            Comment.status == Status.APPROVED.value,
        )
        with self.engine.connect() as connection:
            return connection.execute(query).first() is not None


def lock_thread(session: Session, thread_key: str) -> None:
    """Queue behind other writers to this thread (PostgreSQL); call before `refresh_thread`."""
    _lock_thread(session, thread_key)


def refresh_thread(session: Session, thread_key: str) -> None:
    """Recount a thread's approved comments and move its cache version, in this transaction."""
    _refresh_thread(session, thread_key)


def rename_author(session: Session, user_id: int, old_name: str, new_name: str) -> None:
    """Show a member's new name on their comments that carry the old one, in this transaction.

    Comments whose author a moderator or an erasure changed keep what they show.
    """
    mine = (Comment.user_id == user_id, Comment.author_name == old_name)
    thread_keys = session.scalars(select(Comment.thread_key).where(*mine).distinct()).all()
    for thread_key in sorted(thread_keys):  # one order for every writer: no deadlocks
        _lock_thread(session, thread_key)
    session.execute(update(Comment).where(*mine).values(author_name=new_name, updated_at=utcnow()))
    for thread_key in thread_keys:
        session.execute(_BUMP_THREAD, {"thread_key": thread_key, "delta": 0})
    if thread_keys:
        request_rebuild(session)


_COMMENTS = Comment.__table__
assert isinstance(_COMMENTS, Table)
_INSERT_COMMENT = insert(_COMMENTS).returning(_COMMENTS.c.id)
_INSERT_COMMENTS = insert(_COMMENTS).returning(_COMMENTS.c.id, sort_by_parameter_order=True)
_LOCK_THREAD = select(Thread.key).where(Thread.key == bindparam("thread_key")).with_for_update()
# Approved counts move by the change each write makes: O(1), and exact because writers to a
# thread are serialised (the row lock on PostgreSQL, the single writer on SQLite).
_BUMP_THREAD = (
    update(Thread)
    .where(Thread.key == bindparam("thread_key"))
    .values(
        version=Thread.version + 1,
        approved_count=Thread.approved_count + bindparam("delta", type_=Integer),
    )
)


def _by_shape(rows: Sequence[dict[str, Any]]) -> list[list[int]]:
    """The rows' indexes grouped by the columns they give, in first-seen order."""
    shapes: dict[frozenset[str], list[int]] = {}
    for index, row in enumerate(rows):
        shapes.setdefault(frozenset(row), []).append(index)
    return list(shapes.values())


def _lock_thread(session: Session, thread_key: str) -> None:
    # Writers to one thread queue here on PostgreSQL; SQLite has only one writer at a time.
    if session.get_bind().dialect.name != "sqlite":
        session.execute(_LOCK_THREAD, {"thread_key": thread_key})


def _refresh_thread(session: Session, thread_key: str) -> None:
    approved = (
        select(func.count())
        .select_from(Comment)
        .where(Comment.thread_key == thread_key, Comment.status == Status.APPROVED.value)
        .scalar_subquery()
    )
    session.execute(
        update(Thread)
        .where(Thread.key == thread_key)
        .values(version=Thread.version + 1, approved_count=approved)
    )
