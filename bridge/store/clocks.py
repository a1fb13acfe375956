"""SLA clocks as the store keeps them: the domain's clock as a JSON document, with its state and
due time as columns the minute tick and the board query."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.domain.sla import SlaClock
from bridge.store import tables
from bridge.store.codec import from_json, to_json


def clocks_of(session: Session, ids: list[int]) -> dict[int, tuple[SlaClock, ...]]:
    """Every SLA clock of each escalation, by id (``domain.clocks.latest`` orders them by start)."""
    found: dict[int, list[SlaClock]] = {}
    if ids:
        query = (
            select(tables.SlaClock)
            .where(tables.SlaClock.escalation_id.in_(ids))
            .order_by(tables.SlaClock.id)
        )
        for row in session.scalars(query):
            found.setdefault(row.escalation_id, []).append(from_json(SlaClock, row.document))
    return {escalation_id: tuple(clocks) for escalation_id, clocks in found.items()}


class ClockRepository:
    """The clock half of ``EscalationStore``, inside the caller's transaction."""

    session: Session

    def save_clock(self, escalation_id: int, clock: SlaClock) -> None:
        row = self.session.get(tables.SlaClock, clock.id) or tables.SlaClock(
            id=clock.id, escalation_id=escalation_id, kind=clock.target.kind.value
        )
        row.state = clock.state.value
        row.due_at = clock.due_at
        row.at_risk_at = clock.at_risk_at
        row.document = to_json(clock)
        self.session.add(row)

    def clocks(self, escalation_id: int) -> list[SlaClock]:
        return list(clocks_of(self.session, [escalation_id]).get(escalation_id, ()))

    def paused_clock_owners(self) -> list[int]:
        """Escalations with a paused clock: an agreed wait on the customer may have ended."""
        return list(
            self.session.scalars(
                select(tables.SlaClock.escalation_id)
                .where(tables.SlaClock.state == "paused")
                .distinct()
            )
        )

    def running_clocks_due(self, now: dt.datetime) -> list[tuple[int, SlaClock]]:
        """Running clocks whose due time has passed: the only ones a tick can find breached."""
        rows = self.session.scalars(
            select(tables.SlaClock).where(
                tables.SlaClock.state == "running", tables.SlaClock.due_at <= now
            )
        )
        return [(row.escalation_id, from_json(SlaClock, row.document)) for row in rows]
