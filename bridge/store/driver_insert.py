"""The one statement that skips SQLAlchemy's execution layer: storing a delivery on SQLite.

Why it is kept: every webhook is committed before it is answered, and on SQLite that insert is
most of an acknowledgement. Through SQLAlchemy Core (``engine.begin()``, execute, commit) it
cost about 185 µs on the benchmark machine; on the driver's own cursor, with the same statement
compiled once by SQLAlchemy, about 90 µs. That is the difference between about 850 and about
950 to 1,000 signed GitHub deliveries a second acknowledged by one ``serve`` process in bursts
(``bench/ingest.py``; the target is 1,000). Nothing else takes this path: PostgreSQL, claiming
and finishing rows, and every read go through SQLAlchemy.

The statement, its parameter order and each column's bind processing come from SQLAlchemy, so
the row is written exactly as the ORM would write it, and a driver error is raised as
SQLAlchemy's ``DBAPIError``, like every other store error.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError


class DriverInsert:
    def __init__(self, engine: Engine, statement: Any) -> None:
        """``statement``: an INSERT … RETURNING one column, without values (``run`` binds
        them)."""
        self._engine = engine
        self._statement = statement
        self._compiled: dict[tuple[str, ...], tuple[str, list[tuple[str, Any]]]] = {}

    def _compile(self, keys: tuple[str, ...]) -> tuple[str, list[tuple[str, Any]]]:
        dialect = self._engine.dialect
        compiled = self._statement.compile(dialect=dialect, column_keys=list(keys))
        columns = self._statement.table.c
        order = [
            (name, columns[name].type.bind_processor(dialect)) for name in compiled.positiontup
        ]
        return str(compiled), order

    def run(self, values: Mapping[str, Any]) -> Any | None:
        """Insert in a transaction of its own; the RETURNING value, or None if no row came
        back (the conflict clause kept an earlier row)."""
        keys = tuple(values)
        if keys not in self._compiled:
            self._compiled[keys] = self._compile(keys)
        sql, order = self._compiled[keys]
        params = tuple(
            values[name] if process is None else process(values[name]) for name, process in order
        )
        connection = self._engine.raw_connection()  # pooled; the engine's pragmas are set
        try:
            cursor = connection.cursor()
            try:
                cursor.execute("BEGIN IMMEDIATE")
                row = cursor.execute(sql, params).fetchone()
                cursor.close()
                connection.commit()
            except sqlite3.Error as exc:
                connection.rollback()
                raise DBAPIError.instance(
                    sql, params, exc, sqlite3.Error, hide_parameters=True
                ) from exc
        finally:
            connection.close()
        return None if row is None else row[0]
