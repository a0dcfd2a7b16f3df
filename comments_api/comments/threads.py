"""Threads: the manifest, open/closed rules, and the cached list of a thread's comments."""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import ValidationError

from comments_api.config import Settings
from comments_api.content.serialization import thread_document
from comments_api.db.rows import ManifestEntry, SyncResult, ThreadState
from comments_api.db.storage import Storage
from comments_api.db.tables import utcnow
from comments_api.schemas import ThreadManifest

__all__ = ["CachedThread", "ManifestFile", "ThreadListCache", "is_closed", "manifest_entries"]

logger = logging.getLogger("comments_api")


def is_closed(state: ThreadState, settings: Settings, now: datetime | None = None) -> bool:
    """Closed by the manifest, gone from it, or older than COMMENTS_CLOSE_AFTER_DAYS."""
    if state.closed_at is not None or state.retired_at is not None:
        return True
    if settings.close_after_days:
        started = state.published_at or state.created_at
        return (now or utcnow()) >= started + timedelta(days=settings.close_after_days)
    return False


def manifest_entries(manifest: ThreadManifest) -> list[ManifestEntry]:
    return [
        ManifestEntry(
            key=thread.key,
            title=thread.title,
            url=thread.url,
            closed=thread.closed,
            published=thread.published,
            summary=thread.summary,
        )
        for thread in manifest.threads
    ]


class ManifestFile:
    """A threads.json the service re-reads when it changes (development: the site's build)."""

    def __init__(self, path: str, storage: Storage) -> None:
        self.path = Path(path) if path else None
        self.storage = storage
        self._seen: float | None = None
        self._lock = threading.Lock()

    def refresh(self) -> SyncResult | None:
        """Sync from the file if it changed since the last look; cheap when it did not."""
        if self.path is None:
            return None
        try:
            modified = self.path.stat().st_mtime
        except OSError:
            return None
        with self._lock:
            if modified == self._seen:
                return None
            self._seen = modified
            try:
                manifest = ThreadManifest.model_validate(json.loads(self.path.read_text("utf-8")))
            except (OSError, ValueError, ValidationError) as exc:
                logger.warning("Ignoring thread manifest %s: %s", self.path, exc)
                return None
            result = self.storage.sync_threads(manifest_entries(manifest))
            logger.info("Synced threads from %s: %s", self.path, result)
            return result


@dataclass(frozen=True)
class CachedThread:
    version: int
    closed: bool
    body: bytes
    etag: str


class ThreadListCache:
    """Serialised list answers per thread, valid while the thread's version is unchanged.

    The version lives in the database and moves with every write, so processes sharing one
    database never serve each other's stale answers.
    """

    def __init__(self, storage: Storage, settings: Settings) -> None:
        self.storage = storage
        self.settings = settings
        self.capacity = settings.list_cache_threads
        self._entries: OrderedDict[str, CachedThread] = OrderedDict()
        self._lock = threading.Lock()

    def fresh(self, state: ThreadState) -> CachedThread | None:
        """The cached answer if it is still current for this state; never touches the database."""
        entry = self._entries.get(state.key)
        current = entry is not None and entry.version == state.version
        if current and entry is not None and entry.closed == is_closed(state, self.settings):
            return entry
        return None

    def get(self, state: ThreadState) -> CachedThread:
        closed = is_closed(state, self.settings)
        entry = self._entries.get(state.key)
        if entry is not None and entry.version == state.version and entry.closed == closed:
            return entry
        rows: Sequence[tuple[object, ...]] = self.storage.shown_comments(state.key)
        body, etag = thread_document(state.key, closed, rows)
        entry = CachedThread(state.version, closed, body, etag)
        with self._lock:
            self._entries[state.key] = entry
            self._entries.move_to_end(state.key)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)
        return entry
