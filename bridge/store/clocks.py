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
        row = self.session.get(tables.SlaClock, clock.id) or self._new_clock_row(
            escalation_id, clock
        )
        row.state = clock.state.value
        row.due_at = clock.due_at
        row.at_risk_at = clock.at_risk_at
        row.met_at = clock.met_at
        row.met_late = clock.met_late if clock.met_at is not None else None
        row.stopped_at = clock.stopped_at
        row.document = to_json(clock)
        self.session.add(row)

    def _new_clock_row(self, escalation_id: int, clock: SlaClock) -> tables.SlaClock:
        """The escalation as it stands when the clock starts (severity, region, level,
        customer) is what insights group the clock by, for good."""
        row = tables.SlaClock(
            id=clock.id,
            escalation_id=escalation_id,
            kind=clock.target.kind.value,
            started_at=clock.started_at,
        )
        escalation = self.session.get(tables.Escalation, escalation_id)
        ticket = escalation and self.session.get(tables.Ticket, escalation.ticket_id)
        if escalation is not None and ticket is not None:
            row.level = escalation.level
            row.severity = ticket.severity
            row.region = ticket.region
            row.helpdesk = ticket.helpdesk
            row.customer = ticket.organization
        return row

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
