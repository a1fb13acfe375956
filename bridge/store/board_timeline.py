"""What the board shows of one escalation: its row, its SLA clocks, its triage answers and its
timeline (the audit trail of it and of its SPARs)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.domain.records import FixEta, TriageAnswers
from bridge.domain.sla import SlaClock as SlaClockRecord
from bridge.store.board import BoardRow, board_rows
from bridge.store.clocks import clocks_of
from bridge.store.escalations import fix_eta_of, triage_of
from bridge.store.tables import AuditEvent, Escalation, Spar, Ticket


@dataclass(frozen=True)
class TimelineEvent:
    at: dt.datetime
    record: str
    step: str
    from_state: str
    to_state: str
    actor: str
    note: str


@dataclass(frozen=True)
class Timeline:
    escalation: BoardRow
    events: tuple[TimelineEvent, ...]
    triage: TriageAnswers | None = None
    clocks: tuple[SlaClockRecord, ...] = ()
    fix_eta: FixEta | None = None


def timeline(session: Session, escalation_id: int) -> Timeline | None:
    """The escalation (open or closed) and every audit event of it and of its SPARs, oldest
    first; None when no such escalation exists."""
    found = session.execute(
        select(Escalation, Ticket)
        .join(Ticket, Ticket.id == Escalation.ticket_id)
        .where(Escalation.id == escalation_id)
    ).first()
    if found is None or not found[0].document:
        return None
    (row,) = board_rows(session, [(found[0], found[1])])
    spar_ids = [
        str(spar_id)
        for spar_id in session.scalars(select(Spar.id).where(Spar.escalation_id == escalation_id))
    ]
    mine = (AuditEvent.record_type == "escalation") & (AuditEvent.record_id == str(escalation_id))
    if spar_ids:
        mine = mine | ((AuditEvent.record_type == "spar") & AuditEvent.record_id.in_(spar_ids))
    events = session.scalars(select(AuditEvent).where(mine).order_by(AuditEvent.at, AuditEvent.id))
    return Timeline(
        row,
        tuple(
            TimelineEvent(
                at=event.at,
                record=f"{event.record_type} {event.record_id}",
                step=event.step,
                from_state=event.from_state,
                to_state=event.to_state,
                actor=event.actor,
                note=event.note,
            )
            for event in events
        ),
        triage_of(found[0]),
        clocks_of(session, [escalation_id]).get(escalation_id, ()),
        fix_eta_of(found[0]),
    )
