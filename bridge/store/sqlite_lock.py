"""SQLite writers of one process queue on a lock of the process's own, not in SQLite's busy
handler.

The one piece of the old ingest machinery a benchmark showed is still needed. While the write
lock is held, SQLite's busy handler makes every other writer sleep and retry (1, 2, 5 … 100 ms a
step) however soon the lock is free. Under a burst of webhooks, with job threads writing too,
those sleeps were the latency: a paced 500 deliveries/s had a p99 of about 345 ms without this
lock (``bench/ingest.py``). So a transaction takes its file's lock from ``BEGIN IMMEDIATE`` to its
commit or rollback, and the next writer starts the moment the last one ends. Other processes on
the same file (a ``support-bridge worker``) still meet SQLite's busy handler; a thread that waits
longer than the busy timeout for the lock goes on to SQLite's own lock rather than fail.
"""

from __future__ import annotations

import sqlite3
import threading

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def writer_lock(path: str) -> threading.Lock:
    """The process's lock for the database file at ``path``, shared by every engine on it."""
    with _locks_guard:
        return _locks.setdefault(path, threading.Lock())


class QueuedWriterConnection(sqlite3.Connection):
    """The connection class given to ``sqlite3.connect`` (its ``factory``); the engine sets
    ``writer`` and ``wait_seconds`` when it connects."""

    writer: threading.Lock | None = None
    wait_seconds = 5.0
    _holding = False

    def take_writer(self) -> None:
        """Called before ``BEGIN IMMEDIATE``; the commit or rollback lets go."""
        if self.writer is not None and not self._holding:
            self._holding = self.writer.acquire(timeout=self.wait_seconds)

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.release_writer()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.release_writer()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.release_writer()

    def release_writer(self) -> None:
        if self._holding and self.writer is not None:
            self._holding = False
            self.writer.release()
