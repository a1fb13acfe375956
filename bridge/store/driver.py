"""Statements run on the driver's own connection, for the one hot path where SQLAlchemy's
execution layer costs more than the work itself: storing a webhook before answering it.

The SQL is still SQLAlchemy's (compiled once from the table for the engine's dialect, with each
column type's bind processing), the connection still comes from the engine's pool, and a
driver error still surfaces as SQLAlchemy's ``DBAPIError``, as from any other store call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

from bridge.store.sqlite_writer import begin_immediate, holding_writer


@dataclass(frozen=True)
class DriverStatement:
    sql: str
    names: tuple[str, ...]
    positional: bool
    processors: tuple[tuple[str, Callable[[Any], Any]], ...]

    @classmethod
    def compile(
        cls, statement: Any, dialect: Dialect, column_keys: Sequence[str] | None = None
    ) -> DriverStatement:
        compiled = statement.compile(
            dialect=dialect, column_keys=list(column_keys) if column_keys else None
        )
        names = tuple(compiled.positiontup or ()) if compiled.positional else tuple(compiled.binds)
        processors = tuple(
            (name, process)
            for name in names
            if (process := compiled.binds[name].type.bind_processor(dialect)) is not None
        )
        return cls(compiled.string, names, compiled.positional, processors)

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        bound = {name: values[name] for name in self.names}
        for name, process in self.processors:
            bound[name] = process(bound[name])
        return tuple(bound.values()) if self.positional else bound

    def first(self, cursor: Any, values: Mapping[str, Any]) -> Any:
        """The first column of the first row the statement returns, or None."""
        cursor.execute(self.sql, self.parameters(values))
        row = cursor.fetchone()
        return None if row is None else row[0]


def _as_sqlalchemy_error(engine: Engine, exc: Exception) -> DBAPIError:
    dbapi_error = engine.dialect.loaded_dbapi.Error
    return DBAPIError.instance(
        None, None, exc, dbapi_error, hide_parameters=True, dialect=engine.dialect
    )


@contextmanager
def driver_autocommit(engine: Engine) -> Iterator[Any]:
    """SQLite only: a driver cursor whose statements each commit on their own, with this
    process's writer lock for the file held throughout (see ``inbox_insert`` for why)."""
    dbapi_error = engine.dialect.loaded_dbapi.Error
    connection = engine.raw_connection()
    try:
        with holding_writer(connection.dbapi_connection):
            cursor = connection.cursor()
            try:
                yield cursor
            except dbapi_error as exc:
                raise _as_sqlalchemy_error(engine, exc) from exc
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
            raise _as_sqlalchemy_error(engine, exc) from exc
        except BaseException:
            connection.rollback()
            raise
        finally:
            cursor.close()
    finally:
        connection.close()
