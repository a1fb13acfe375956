"""The inbox: every inbound delivery, stored once, processed under a lease.

A delivery is committed before its sender is answered; a second delivery with the same
``(source, delivery_id)`` is a duplicate and changes nothing: the table's unique constraint
decides, so processes racing on the same delivery leave one row. A worker claims a row for a
lease; if the worker dies, the lease runs out and the sweep hands the row to another worker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Connection, and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bridge.store.tables import InboxRow
from bridge.store.upsert import insert_ignoring

Outcome = Literal["done", "ignored", "held"]
MAX_ERROR_LENGTH = 2_000
ASK_AT_ONCE = 500  # delivery ids in one IN (...): under SQLite's 999 bound parameters


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


def _row(delivery: Delivery, now: dt.datetime) -> dict[str, Any]:
    return {
        "source": delivery.source,
        "delivery_id": delivery.delivery_id,
        "event_type": delivery.event_type,
        "body": delivery.body,
        "record_key": delivery.record_key,
        "provider_ts": delivery.provider_ts,
        "status": "pending",
        "attempts": 0,
        "received_at": now,
    }


class Inbox:
    def __init__(self, sessions: sessionmaker[Session], max_attempts: int = 5) -> None:
        self._sessions = sessions
        self._engine = sessions.kw["bind"]
        self.max_attempts = max_attempts
        # Every webhook runs these two: built once, so each call only binds its values (a
        # statement built per call cost more than the insert).
        table = InboxRow.__table__
        self._insert = insert_ignoring(
            self._engine.dialect.name, table, ["source", "delivery_id"]
        ).returning(table.c.id)
        self._insert_many = insert_ignoring(
            self._engine.dialect.name, table, ["source", "delivery_id"]
        )
        self._first = select(table.c.id).where(
            table.c.source == bindparam("source"),
            table.c.delivery_id == bindparam("delivery_id"),
        )

    def store(self, delivery: Delivery, now: dt.datetime) -> Stored:
        """Commit the delivery, or find the row an earlier copy left."""
        values = _row(delivery, now)
        with self._engine.begin() as connection:
            row_id = connection.execute(self._insert, values).scalar_one_or_none()
            if row_id is not None:
                return Stored(row_id, duplicate=False)
            first = connection.execute(self._first, values).scalar_one()
        return Stored(first, duplicate=True)

    def store_all(self, deliveries: Sequence[Delivery], now: dt.datetime) -> list[Stored]:
        """Commit the deliveries in one statement and one commit (what a catch-up run found,
        a thousand events at once), in their order; one already stored, or given twice, is a
        duplicate. A copy another process stores at the same moment counts as new here too:
        its job is then queued twice, and the second finds the row already claimed."""
        keys = [(d.source, d.delivery_id) for d in deliveries]
        with self._engine.begin() as connection:
            before = self._ids(connection, keys)
            fresh = {key: _row(d, now) for key, d in zip(keys, deliveries, strict=True)}
            fresh = {key: values for key, values in fresh.items() if key not in before}
            if fresh:
                connection.execute(self._insert_many, list(fresh.values()))
            ids = before | self._ids(connection, list(fresh))
        answers, told = [], set()
        for key in keys:
            answers.append(Stored(ids[key], duplicate=key in before or key in told))
            told.add(key)
        return answers

    def _ids(self, connection: Connection, keys: Sequence[tuple[str, str]]) -> dict[Any, int]:
        """The row id of each (source, delivery id) stored, asked a few hundred at a time."""
        table = InboxRow.__table__
        found: dict[Any, int] = {}
        by_source: dict[str, list[str]] = {}
        for source, delivery_id in keys:
            by_source.setdefault(source, []).append(delivery_id)
        for source, delivery_ids in by_source.items():
            for at in range(0, len(delivery_ids), ASK_AT_ONCE):
                rows = connection.execute(
                    select(table.c.id, table.c.delivery_id).where(
                        table.c.source == source,
                        table.c.delivery_id.in_(delivery_ids[at : at + ASK_AT_ONCE]),
                    )
                )
                found.update({(source, delivery_id): row_id for row_id, delivery_id in rows})
        return found

    def claim(
        self, row_id: int, owner: str, now: dt.datetime, lease: dt.timedelta
    ) -> InboxRow | None:
        """Take the row for ``lease`` if it is pending or its last lease expired; the row
        comes back detached as the claim left it."""
        claimable = or_(
            InboxRow.status == "pending",
            and_(InboxRow.status == "processing", InboxRow.lease_until < now),
        )
        with self._sessions.begin() as session:
            taken = session.execute(
                update(InboxRow)
                .where(InboxRow.id == row_id, claimable)
                .values(
                    status="processing",
                    lease_owner=owner,
                    lease_until=now + lease,
                    attempts=InboxRow.attempts + 1,
                )
                .returning(InboxRow.id)
                .execution_options(synchronize_session=False)
            ).scalar_one_or_none()
            return None if taken is None else session.get(InboxRow, row_id)

    def finish(
        self, row_id: int, owner: str, outcome: Outcome, now: dt.datetime, note: str | None = None
    ) -> bool:
        """Record the row's outcome; False when its lease ran out and it went to another
        worker, whose outcome it then is."""
        with self._sessions.begin() as session:
            changed = session.execute(
                update(InboxRow)
                .where(InboxRow.id == row_id, InboxRow.lease_owner == owner)
                .values(status=outcome, finished_at=now, lease_until=None, last_error=note)
                .execution_options(synchronize_session=False)
            )
            return changed.rowcount == 1

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
