"""A batch of deliveries stored with one statement: the inbox's hot path.

Every webhook is stored before it is answered, and storing is the one step of a webhook that
runs one batch at a time (``GroupCommit``). Each call into the database driver lets go of the
GIL, and under load the thread that let go waits to get it back behind the request threads'
Python work: with ``BEGIN``, an ``INSERT`` per row and ``COMMIT``, those waits were most of a
batch's time, and the webhooks of every other batch queued behind them (``bench/ingest.py``).
So a batch of n deliveries is one multi-row ``INSERT … ON CONFLICT DO NOTHING``:

- **SQLite**: the statement runs on its own, without ``BEGIN``/``COMMIT``: SQLite makes a lone
  statement its own transaction, committed before the call returns. This process's threads
  queue on the file's writer lock as for any transaction (``sqlite_writer``); other processes
  are waited for by ``AutocommitWriter``. There is no RETURNING (every returned row is one more
  call): SQLite gives each new row one more than the largest rowid in the table, and nobody
  else can insert while the write lock is held, so the rows of one statement are numbered one
  after another, ending at ``lastrowid``. When ``rowcount`` says some rows were already there,
  one SELECT of that id range tells the new rows, and the others are looked up.
- **PostgreSQL**: in one transaction, with ``RETURNING`` (one round trip, whatever n), and a
  lookup for each delivery it did not return (one stored before).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Table, bindparam, select

from bridge.store.driver import AutocommitWriter, DriverStatement, driver_transaction
from bridge.store.upsert import insert_ignoring

STORED_COLUMNS = (
    "source",
    "delivery_id",
    "event_type",
    "body",
    "record_key",
    "provider_ts",
    "status",
    "attempts",
    "received_at",
)
KEY_COLUMNS = ("source", "delivery_id")


@dataclass(frozen=True)
class Delivery:
    source: str
    delivery_id: str
    event_type: str
    body: bytes
    record_key: str | None = None
    provider_ts: dt.datetime | None = None


@dataclass(frozen=True)
class Stored:
    row_id: int
    duplicate: bool


class DeliveryInsert:
    def __init__(self, engine: Engine, table: Table) -> None:
        self._engine = engine
        self._table = table
        self._sqlite = engine.dialect.name == "sqlite"
        self._writer = AutocommitWriter(engine) if self._sqlite else None
        self._statements: dict[int, tuple[DriverStatement, list[str]]] = {}
        self._find = DriverStatement.compile(
            select(table.c.id).where(
                table.c.source == bindparam("source"),
                table.c.delivery_id == bindparam("delivery_id"),
            ),
            engine.dialect,
        )
        # SQLite, when some rows were there before: the rows the statement made, by their ids.
        self._made = DriverStatement.compile(
            select(table.c.id, table.c.source, table.c.delivery_id).where(
                table.c.id.between(bindparam("first"), bindparam("last"))
            ),
            engine.dialect,
        )

    def store(self, arrivals: Sequence[tuple[Delivery, dt.datetime]]) -> list[Stored]:
        """Commit the deliveries (each received at its time) in one transaction; a delivery
        stored before, or earlier in the same batch, comes back as a duplicate of that row."""
        statement, names = self._statement(len(arrivals))
        values = dict(zip(names, _row_values(arrivals), strict=True))
        if self._writer is not None:
            with self._writer.cursor() as cursor:
                cursor.execute(statement.sql, statement.parameters(values))
                inserted, last_id = cursor.rowcount, cursor.lastrowid
                if inserted == len(arrivals):  # none stored before: the common case
                    first = last_id - inserted + 1
                    return [Stored(row_id, False) for row_id in range(first, last_id + 1)]
                made: dict[tuple[str, str], int] = {}
                if inserted:
                    between = {"first": last_id - inserted + 1, "last": last_id}
                    rows = cursor.execute(self._made.sql, self._made.parameters(between))
                    made = {(source, delivery_id): row_id for row_id, source, delivery_id in rows}
                return self._sort_out(cursor, arrivals, made)
        with driver_transaction(self._engine) as cursor:
            rows = cursor.execute(statement.sql, statement.parameters(values))
            made = {(source, delivery_id): row_id for row_id, source, delivery_id in rows}
            return self._sort_out(cursor, arrivals, made)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()

    def _sort_out(
        self,
        cursor: Any,
        arrivals: Sequence[tuple[Delivery, dt.datetime]],
        made: dict[tuple[str, str], int],
    ) -> list[Stored]:
        """Each delivery's row: new for the first delivery of a row this statement ``made``,
        otherwise a duplicate of the row found for it."""
        stored, seen = [], set()
        for delivery, _ in arrivals:
            key = (delivery.source, delivery.delivery_id)
            row_id = made.get(key)
            if row_id is None:
                row_id = self._find.first(cursor, {"source": key[0], "delivery_id": key[1]})
            stored.append(Stored(row_id, duplicate=key in seen or key not in made))
            seen.add(key)
        return stored

    def _statement(self, rows: int) -> tuple[DriverStatement, list[str]]:
        """The INSERT for ``rows`` rows, compiled once per batch size, and its parameter names
        in the order ``_row_values`` gives the values."""
        cached = self._statements.get(rows)
        if cached is None:
            table = self._table
            names = [f"{column}_{n}" for n in range(rows) for column in STORED_COLUMNS]
            values = [
                {
                    column: bindparam(f"{column}_{n}", type_=table.c[column].type)
                    for column in STORED_COLUMNS
                }
                for n in range(rows)
            ]
            insert = insert_ignoring(self._engine.dialect.name, table, list(KEY_COLUMNS)).values(
                values
            )
            if not self._sqlite:
                insert = insert.returning(table.c.id, table.c.source, table.c.delivery_id)
            cached = self._statements[rows] = (
                DriverStatement.compile(insert, self._engine.dialect),
                names,
            )
        return cached


def _row_values(arrivals: Sequence[tuple[Delivery, dt.datetime]]) -> list[Any]:
    """The values of every row, one after another, in ``STORED_COLUMNS`` order."""
    flat: list[Any] = []
    for delivery, received_at in arrivals:
        flat += (
            delivery.source,
            delivery.delivery_id,
            delivery.event_type,
            delivery.body,
            delivery.record_key,
            delivery.provider_ts,
            "pending",
            0,
            received_at,
        )
    return flat
