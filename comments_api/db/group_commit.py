"""Group commit: comments posted at the same moment are stored in one durable transaction.

With SQLite's synchronous=FULL every commit waits for the disk; one writer thread per process
takes every comment waiting in the queue, inserts them together and commits once. Each caller
is answered only after that commit, so "acknowledged" still means "on disk".
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from comments_api.db.tables import Comment

__all__ = ["GroupCommitter"]

MAX_BATCH = 64


@dataclass
class _Waiting:
    comment: Comment
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class GroupCommitter:
    """A writer thread that stores batches of comments through `insert_batch`."""

    def __init__(self, insert_batch: Callable[[Sequence[Comment]], None]) -> None:
        self.insert_batch = insert_batch
        self._queue: queue.Queue[_Waiting | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="comments-writer", daemon=True)
        self._thread.start()

    def submit(self, comment: Comment) -> Comment:
        """Store `comment` (its id is set) or raise what storing it raised."""
        waiting = _Waiting(comment)
        self._queue.put(waiting)
        waiting.done.wait()
        if waiting.error is not None:
            raise waiting.error
        return comment

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < MAX_BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
            self._store(batch)
            if stop:
                return

    def _store(self, batch: list[_Waiting]) -> None:
        try:
            self.insert_batch([waiting.comment for waiting in batch])
        except BaseException as error:
            if len(batch) == 1:
                batch[0].error = error
                batch[0].done.set()
                return
            # One bad comment must not sink the others: store them one by one.
            for waiting in batch:
                self._store([waiting])
            return
        for waiting in batch:
            waiting.done.set()
