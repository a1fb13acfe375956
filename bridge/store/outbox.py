"""The outbox: every side effect as a row with an idempotency key, performed under a lease.

The workflow writes rows in the same transaction as its decision; the executor claims due rows,
calls the connector, and records the result. Transient failures come back later with backoff;
permanent ones become dead letters that ``support-bridge replay`` can re-drive.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bridge.store.ids import record_id
from bridge.store.inbox import MAX_ERROR_LENGTH
from bridge.store.tables import OutboxRow
from bridge.store.upsert import insert_ignoring_conflict

# Ids of rows planned in a session's transaction, handed to the job queue once it commits.
PLANNED = "outbox.planned"


@dataclass(frozen=True)
class SideEffect:
    idempotency_key: str
    target: str
    operation: str
    payload: dict[str, Any]


def escalation_of(payload: dict[str, Any]) -> int | None:
    """The escalation a side effect belongs to, when its payload names one."""
    return record_id(payload.get("escalation_id"))


def channel_of(payload: dict[str, Any]) -> str | None:
    """The chat channel a side effect goes to, when its payload names one."""
    channel = payload.get("channel")
    return channel[:255] if isinstance(channel, str) and channel else None


class Outbox:
    # 2 s doubling to 10 attempts spans about 17 minutes (24 at the minute sweep's pace), never
    # less whatever Retry-After the vendor sends (`engine.backoff`): an outage of that length
    # loses nothing; longer ones leave dead letters for `support-bridge replay --dead`.
    def __init__(self, sessions: sessionmaker[Session], max_attempts: int = 10) -> None:
        self._sessions = sessions
        self.max_attempts = max_attempts

    def add(self, session: Session, effect: SideEffect, now: dt.datetime) -> int | None:
        """Add inside the caller's transaction; None when that key was already planned."""
        values = {
            "idempotency_key": effect.idempotency_key,
            "target": effect.target,
            "operation": effect.operation,
            "payload": effect.payload,
            "escalation_id": escalation_of(effect.payload),
            "channel": channel_of(effect.payload),
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "updated_at": now,
        }
        new_id = insert_ignoring_conflict(session, OutboxRow, values, ["idempotency_key"])
        if new_id is not None:
            session.info.setdefault(PLANNED, []).append((new_id, effect.target))
        return new_id

    def plan(self, session: Session, effects: Iterable[SideEffect], now: dt.datetime) -> None:
        """Add several side effects inside the caller's transaction."""
        for effect in effects:
            self.add(session, effect, now)

    def claim(
        self, row_id: int, owner: str, now: dt.datetime, lease: dt.timedelta
    ) -> OutboxRow | None:
        claimable = or_(
            (OutboxRow.status == "pending") & (OutboxRow.next_attempt_at <= now),
            (OutboxRow.status == "in_flight") & (OutboxRow.lease_until < now),
        )
        with self._sessions.begin() as session:
            taken = session.execute(
                update(OutboxRow)
                .where(OutboxRow.id == row_id, claimable)
                .values(
                    status="in_flight",
                    lease_owner=owner,
                    lease_until=now + lease,
                    attempts=OutboxRow.attempts + 1,
                    updated_at=now,
                )
            )
            if taken.rowcount != 1:
                return None
            return session.get(OutboxRow, row_id)

    def succeed(self, row_id: int, owner: str, result: dict[str, Any], now: dt.datetime) -> bool:
        return self._settle(row_id, owner, now, status="done", result=result, last_error=None)

    def retry_later(self, row_id: int, owner: str, error: str, at: dt.datetime) -> str:
        """A transient failure: try again at ``at``, or dead once attempts are used up."""
        with self._sessions.begin() as session:
            row = session.get(OutboxRow, row_id)
            if row is None or row.lease_owner != owner:
                return "lost"
            row.status = "dead" if row.attempts >= self.max_attempts else "pending"
            row.next_attempt_at = at
            row.last_error = error[:MAX_ERROR_LENGTH]
            row.lease_until = None
            row.updated_at = at
            return row.status

    def bury(self, row_id: int, owner: str, error: str, now: dt.datetime) -> bool:
        """A permanent failure: a dead letter at once, with the vendor's message."""
        return self._settle(row_id, owner, now, status="dead", last_error=error[:MAX_ERROR_LENGTH])

    def _settle(self, row_id: int, owner: str, now: dt.datetime, **values: Any) -> bool:
        with self._sessions.begin() as session:
            result = session.execute(
                update(OutboxRow)
                .where(OutboxRow.id == row_id, OutboxRow.lease_owner == owner)
                .values(lease_until=None, updated_at=now, **values)
            )
            return result.rowcount == 1

    def revive(self, row_ids: list[int] | None, now: dt.datetime) -> list[int]:
        """Send dead letters round again (all of them when ``row_ids`` is None)."""
        condition = OutboxRow.status == "dead"
        if row_ids is not None:
            condition = condition & OutboxRow.id.in_(row_ids)
        with self._sessions.begin() as session:
            revived = list(session.scalars(select(OutboxRow.id).where(condition)))
            if revived:
                session.execute(
                    update(OutboxRow)
                    .where(OutboxRow.id.in_(revived))
                    .values(status="pending", attempts=0, next_attempt_at=now, updated_at=now)
                )
            return revived

    def needing_drive(self, now: dt.datetime) -> list[tuple[int, str]]:
        """The rows due or with a lapsed lease, each with its target (its job's priority)."""
        with self._sessions() as session:
            rows = session.execute(
                select(OutboxRow.id, OutboxRow.target)
                .where(
                    or_(
                        (OutboxRow.status == "pending") & (OutboxRow.next_attempt_at <= now),
                        (OutboxRow.status == "in_flight") & (OutboxRow.lease_until < now),
                    )
                )
                .order_by(OutboxRow.next_attempt_at)
                .limit(500)
            )
            return [(row_id, target) for row_id, target in rows]

    def dead_letters(self, limit: int = 100) -> list[OutboxRow]:
        with self._sessions() as session:
            return list(
                session.scalars(
                    select(OutboxRow)
                    .where(OutboxRow.status == "dead")
                    .order_by(OutboxRow.updated_at.desc())
                    .limit(limit)
                )
            )

    def counts_by_status(self) -> dict[str, int]:
        with self._sessions() as session:
            rows = session.execute(
                select(OutboxRow.status, func.count()).group_by(OutboxRow.status)
            ).all()
            return {status: count for status, count in rows}
