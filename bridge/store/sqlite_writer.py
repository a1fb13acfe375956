"""One writer at a time per SQLite file, handed over in the process rather than by SQLite.

Every transaction here starts with ``BEGIN IMMEDIATE`` (SQLite's write lock). When that lock is
taken, SQLite's busy handler makes the next thread sleep and retry, in steps of up to 100 ms,
however soon the lock is free again: under a burst of webhooks, with job threads writing too,
that sleeping becomes most of a request's latency. So threads of one process queue on a lock of
their own, held from ``BEGIN IMMEDIATE`` to the commit or rollback, and the next one starts the
moment the last one ends. Other processes on the same file (``support-bridge worker``) still
meet SQLite's busy handler, as before; the lock is only ever an optimisation, so a thread that
waits longer than the busy timeout for it goes on to SQLite's own lock rather than fail.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def writer_lock(path: str) -> threading.Lock:
    """The process's lock for the database file at ``path``: shared by every engine on it."""
    with _locks_guard:
        return _locks.setdefault(path, threading.Lock())


class SerializedConnection(sqlite3.Connection):
    """A pysqlite connection that holds its file's writer lock for the length of a transaction.
    Passed to ``sqlite3.connect`` as its ``factory``; ``begin_immediate`` starts a transaction."""

    writer: threading.Lock | None = None
    wait_seconds: float = 5.0
    _holds_writer = False

    def begin_immediate(self, cursor: Any) -> None:
        self._take_writer()
        try:
            cursor.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._release_writer()
            raise

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the writer lock for statements that commit on their own (no BEGIN)."""
        self._take_writer()
        try:
            yield
        finally:
            self._release_writer()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._release_writer()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release_writer()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._release_writer()

    def _take_writer(self) -> None:
        if self.writer is not None and not self._holds_writer:
            self._holds_writer = self.writer.acquire(timeout=self.wait_seconds)

    def _release_writer(self) -> None:
        if self._holds_writer and self.writer is not None:
            self._holds_writer = False
            self.writer.release()


@contextmanager
def holding_writer(dbapi_connection: Any) -> Iterator[None]:
    """The writer lock of the connection's file (when it has one) for the block's statements."""
    if isinstance(dbapi_connection, SerializedConnection):
        with dbapi_connection.writing():
            yield
    else:
        yield


def begin_deferred(dbapi_connection: Any) -> None:
    """Start a read transaction: SQLite takes no lock until the first read, and in WAL mode a
    reader never waits for the writer nor holds it up."""
    dbapi_connection.execute("BEGIN DEFERRED")


def begin_immediate(dbapi_connection: Any) -> None:
    """Start a write transaction on a pysqlite connection, queueing on the writer lock when the
    connection has one."""
    cursor = dbapi_connection.cursor()
    try:
        if isinstance(dbapi_connection, SerializedConnection):
            dbapi_connection.begin_immediate(cursor)
        else:
            cursor.execute("BEGIN IMMEDIATE")
    finally:
        cursor.close()
