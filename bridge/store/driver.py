"""Statements run on the driver's own connection, for the hot paths where SQLAlchemy's
execution layer costs more than the work itself: storing a webhook before answering it, and
the one read each GitHub and Jira delivery's job makes first (``known_ars``).

The SQL is still SQLAlchemy's (compiled once from the table for the engine's dialect, with each
column type's bind processing), the connection still comes from the engine (from its pool, or
for the SQLite inbox writer kept aside from it), and a driver error still surfaces as
SQLAlchemy's ``DBAPIError``, as from any other store call.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

from bridge.forks import forget_in_child
from bridge.store.db import SQLITE_BUSY_TIMEOUT_MS
from bridge.store.sqlite_writer import begin_immediate, holding_writer

SQLITE_BUSY = 5
BUSY_TIMEOUT_SECONDS = SQLITE_BUSY_TIMEOUT_MS / 1000


@dataclass(frozen=True)
class DriverStatement:
    sql: str
    names: tuple[str, ...]
    positional: bool
    processors: tuple[tuple[str, Callable[[Any], Any]], ...]

    @classmethod
    def compile(cls, statement: Any, dialect: Dialect) -> DriverStatement:
        compiled = statement.compile(dialect=dialect)
        names = tuple(compiled.positiontup or ()) if compiled.positional else tuple(compiled.binds)
        processors = tuple(
            (name, process)
            for name in dict.fromkeys(names)  # a name may be bound at several places
            if (process := compiled.binds[name].type.bind_processor(dialect)) is not None
        )
        return cls(compiled.string, names, compiled.positional, processors)

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        bound = {name: values[name] for name in self.names}
        for name, process in self.processors:
            bound[name] = process(bound[name])
        return tuple(bound[name] for name in self.names) if self.positional else bound

    def first(self, cursor: Any, values: Mapping[str, Any]) -> Any:
        """The first column of the first row the statement returns, or None."""
        cursor.execute(self.sql, self.parameters(values))
        row = cursor.fetchone()
        return None if row is None else row[0]


def as_sqlalchemy_error(engine: Engine, exc: Exception) -> DBAPIError:
    dbapi_error = engine.dialect.loaded_dbapi.Error
    return DBAPIError.instance(
        None, None, exc, dbapi_error, hide_parameters=True, dialect=engine.dialect
    )


class AutocommitWriter:
    """SQLite only: a connection of its own for statements that each commit on their own (see
    ``inbox_insert`` for why), run under this process's writer lock for the file.

    The connection has no busy timeout. While another process (a ``worker``) holds the write
    lock, a statement is tried again after half a millisecond, doubling to 5 ms, for up to the
    busy timeout. SQLite's own busy handler sleeps 1, 2, 5, 10 … 100 ms between tries however
    soon the lock is free, and so lost nearly every race to a worker committing transaction
    after transaction: webhooks waited seconds for their commit (``bench/ingest.py``).
    """

    FIRST_RETRY = 0.0005
    LONGEST_RETRY = 0.005

    def __init__(self, engine: Engine, timeout: float | None = None) -> None:
        self._engine = engine
        self._timeout = BUSY_TIMEOUT_SECONDS if timeout is None else timeout
        self._connection: Any = None
        self._error = engine.dialect.loaded_dbapi.Error
        forget_in_child(self)

    @contextmanager
    def cursor(self) -> Iterator[_RetryingCursor]:
        connection = self._connection or self._connect()
        try:
            with holding_writer(connection):
                cursor = connection.cursor()
                try:
                    yield _RetryingCursor(
                        cursor, self._timeout, self.FIRST_RETRY, self.LONGEST_RETRY
                    )
                finally:
                    cursor.close()
        except self._error as exc:
            if not _is_busy(exc):  # perhaps the connection itself: open a new one next time
                self._close()
            raise as_sqlalchemy_error(self._engine, exc) from exc

    def close(self) -> None:
        self._close()

    def _connect(self) -> Any:
        pooled = self._engine.raw_connection()
        pooled.detach()  # kept for good, outside the pool's count
        connection = pooled.dbapi_connection
        connection.execute("PRAGMA busy_timeout = 0")
        self._connection = connection
        return connection

    def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(self._error):
                connection.close()

    def after_fork(self) -> None:
        """The connection is the parent's: a forked child opens its own."""
        self._connection = None


class _RetryingCursor:
    def __init__(self, cursor: Any, timeout: float, first: float, longest: float) -> None:
        self._cursor = cursor
        self._timeout = timeout
        self._first = first
        self._longest = longest

    def execute(self, sql: str, parameters: Any = ()) -> Any:
        deadline, pause = time.monotonic() + self._timeout, self._first
        while True:
            try:
                return self._cursor.execute(sql, parameters)
            except Exception as exc:
                if not _is_busy(exc) or time.monotonic() + pause > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, self._longest)

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)

    @property
    def lastrowid(self) -> Any:
        return self._cursor.lastrowid


def _is_busy(exc: BaseException) -> bool:
    """SQLITE_BUSY and its extended codes (another connection holds the lock)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF == SQLITE_BUSY


@contextmanager
def driver_read(engine: Engine) -> Iterator[Any]:
    """A driver cursor on a pooled connection, for reads outside any transaction of ours: on
    SQLite it never takes the write lock. The pool rolls back whatever the driver began."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            yield cursor
        except engine.dialect.loaded_dbapi.Error as exc:
            raise as_sqlalchemy_error(engine, exc) from exc
        finally:
            cursor.close()
    finally:
        connection.close()


@contextmanager
def driver_transaction(engine: Engine) -> Iterator[Any]:
    """A driver cursor in one transaction, committed on success, on a pooled connection.
    SQLite takes its write lock at once (``BEGIN IMMEDIATE``), as every session does here."""
    dbapi_error = engine.dialect.loaded_dbapi.Error
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            if engine.dialect.name == "sqlite":
                begin_immediate(connection.dbapi_connection)
            yield cursor
            connection.commit()
        except dbapi_error as exc:
            connection.rollback()
            raise as_sqlalchemy_error(engine, exc) from exc
        except BaseException:
            connection.rollback()
            raise
        finally:
            cursor.close()
    finally:
        connection.close()
