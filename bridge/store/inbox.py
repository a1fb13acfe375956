"""The inbox: every inbound delivery, stored once, processed under a lease.

A delivery is committed before its sender is answered; a second delivery with the same
``(source, delivery_id)`` is a duplicate and changes nothing. A worker claims a row for a lease;
if the worker dies, the lease runs out and the sweep hands the row to another worker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from sqlalchemy import Engine, and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bridge.store.db import reading_engine
from bridge.store.inbox_insert import Delivery, DeliveryInsert, Stored
from bridge.store.tables import InboxRow

Outcome = Literal["done", "ignored", "held"]
MAX_ERROR_LENGTH = 2_000


class Inbox:
    def __init__(self, sessions: sessionmaker[Session], max_attempts: int = 5) -> None:
        self._sessions = sessions
        self._engine: Engine = sessions.kw["bind"]
        self.max_attempts = max_attempts
        table = InboxRow.__table__
        self._insert = DeliveryInsert(self._engine, table)
        # Each worker claims and finishes every row: built once, so each call only binds values.
        self._claim = (
            update(table)
            .where(
                table.c.id.in_(bindparam("claim_ids", expanding=True)),
                or_(
                    table.c.status == "pending",
                    and_(
                        table.c.status == "processing",
                        table.c.lease_until < bindparam("claim_now"),
                    ),
                ),
            )
            .values(
                status="processing",
                lease_owner=bindparam("claim_owner"),
                lease_until=bindparam("claim_until"),
                attempts=table.c.attempts + 1,
            )
            .returning(table.c.id)
        )
        self._claimed = select(table).where(
            table.c.id.in_(bindparam("claimed_ids", expanding=True)),
            table.c.lease_owner == bindparam("claimed_owner"),
        )
        self._reading = reading_engine(self._engine)
        self._finish = (
            update(table)
            .where(
                table.c.id.in_(bindparam("finish_ids", expanding=True)),
                table.c.lease_owner == bindparam("finish_owner"),
            )
            .values(
                status=bindparam("outcome"),
                finished_at=bindparam("finished"),
                lease_until=None,
                last_error=bindparam("note"),
            )
        )

    def close(self) -> None:
        """Let go of the connection kept for storing deliveries (SQLite)."""
        self._insert.close()

    def store(self, delivery: Delivery, now: dt.datetime) -> Stored:
        """Commit the delivery, or find the row an earlier copy left."""
        return self.store_many([(delivery, now)])[0]

    def store_many(self, arrivals: Sequence[tuple[Delivery, dt.datetime]]) -> list[Stored]:
        """Commit several deliveries in one transaction (see ``GroupCommit``), in order: a
        second copy of a delivery in the same batch finds the first one's row. On the hot path
        of every webhook, so it is one statement on the driver's connection
        (``inbox_insert``)."""
        return self._insert.store(arrivals)

    def claim(
        self, row_id: int, owner: str, now: dt.datetime, lease: dt.timedelta
    ) -> InboxRow | None:
        """Take the row for ``lease`` if it is pending or its last lease expired."""
        taken = self.claim_many([row_id], owner, now, lease)
        return taken[0] if taken else None

    def claim_many(
        self, row_ids: Sequence[int], owner: str, now: dt.datetime, lease: dt.timedelta
    ) -> list[InboxRow]:
        """Take, in one statement, those of the rows that are claimable; each comes back
        detached as the claim left it, in the order asked for."""
        values = {"claim_ids": list(row_ids), "claim_owner": owner, "claim_now": now}
        with self._engine.begin() as connection:  # on SQLite, every webhook waits for this
            taken = connection.execute(self._claim, values | {"claim_until": now + lease})
            claimed = taken.scalars().all()
        if not claimed:
            return []
        # Read once committed, outside the writer lock: reading a batch of bodies and turning
        # them into rows costs several times what the claim itself does.
        with self._reading.connect() as connection:
            found = connection.execute(
                self._claimed, {"claimed_ids": claimed, "claimed_owner": owner}
            )
            rows = {row["id"]: InboxRow(**row) for row in found.mappings()}
        return [rows[row_id] for row_id in dict.fromkeys(row_ids) if row_id in rows]

    def finish(
        self, row_id: int, owner: str, outcome: Outcome, now: dt.datetime, note: str | None = None
    ) -> bool:
        return self.finish_many(owner, [(row_id, outcome, note)], now) == 1

    def finish_many(
        self,
        owner: str,
        outcomes: Sequence[tuple[int, Outcome, str | None]],
        now: dt.datetime,
    ) -> int:
        """Record each row's outcome in one transaction; returns how many rows were still held
        by ``owner`` (a row whose lease ran out and went to another worker is left to it)."""
        if not outcomes:
            return 0
        # Most rows of a batch end alike ("ignored", no note): one statement per kind of
        # ending keeps the transaction, which on SQLite every webhook waits for, short.
        endings: dict[tuple[Outcome, str | None], list[int]] = {}
        for row_id, outcome, note in outcomes:
            endings.setdefault((outcome, note), []).append(row_id)
        values = [
            {
                "finish_ids": row_ids,
                "finish_owner": owner,
                "outcome": outcome,
                "note": note,
                "finished": now,
            }
            for (outcome, note), row_ids in endings.items()
        ]
        with self._engine.begin() as connection:
            return sum(connection.execute(self._finish, each).rowcount for each in values)

    def fail(self, row_id: int, owner: str, error: str, now: dt.datetime) -> str:
        """Record a failed attempt: back to pending, or dead after ``max_attempts``."""
        with self._sessions.begin() as session:
            row = session.get(InboxRow, row_id)
            if row is None or row.lease_owner != owner:
                return "lost"
            row.status = "dead" if row.attempts >= self.max_attempts else "pending"
            row.last_error = error[:MAX_ERROR_LENGTH]
            row.lease_until = None
            row.finished_at = now if row.status == "dead" else None
            return row.status

    def needing_drive(self, now: dt.datetime, pending_grace: dt.timedelta) -> list[int]:
        """Rows whose job may have been lost: leases that ran out, or pending too long."""
        with self._sessions() as session:
            return list(
                session.scalars(
                    select(InboxRow.id)
                    .where(
                        or_(
                            (InboxRow.status == "processing") & (InboxRow.lease_until < now),
                            (InboxRow.status == "pending")
                            & (InboxRow.received_at < now - pending_grace),
                        )
                    )
                    .order_by(InboxRow.id)
                    .limit(500)
                )
            )

    def requeue(self, row_ids: list[int], now: dt.datetime) -> list[int]:
        """Send finished rows (held, ignored, dead, done) through processing again."""
        with self._sessions.begin() as session:
            found = list(
                session.scalars(
                    select(InboxRow.id).where(
                        InboxRow.id.in_(row_ids), InboxRow.status != "processing"
                    )
                )
            )
            if found:
                session.execute(
                    update(InboxRow)
                    .where(InboxRow.id.in_(found))
                    .values(status="pending", attempts=0, lease_owner=None, finished_at=None)
                )
            return found

    def listing(self, status: str | None, limit: int) -> list[InboxRow]:
        with self._sessions() as session:
            query = select(InboxRow).order_by(InboxRow.id.desc()).limit(limit)
            if status:
                query = query.where(InboxRow.status == status)
            return list(session.scalars(query))

    def counts_by_status(self) -> dict[str, int]:
        with self._sessions() as session:
            rows = session.execute(
                select(InboxRow.status, func.count()).group_by(InboxRow.status)
            ).all()
            return {status: count for status, count in rows}
