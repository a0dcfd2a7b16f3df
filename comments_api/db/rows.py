"""Plain rows the storage hands out: a thread's state, a manifest entry, a sync's outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["ManifestEntry", "SyncResult", "ThreadState"]


@dataclass(frozen=True)
class ThreadState:
    """What the read path needs to know about a thread to decide if a cached answer is current."""

    key: str
    title: str
    url: str
    version: int
    approved_count: int
    created_at: datetime
    published_at: datetime | None
    closed_at: datetime | None
    retired_at: datetime | None


@dataclass(frozen=True)
class ManifestEntry:
    key: str
    title: str
    url: str
    closed: bool
    published: datetime | None = None
    summary: str = ""


@dataclass(frozen=True)
class SyncResult:
    created: int
    updated: int
    retired: int
