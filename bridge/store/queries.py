"""Read-only questions the Slack surface asks: which ticket is this, and how is its escalation.

Answers are plain frozen views, so callers never hold a session or a table row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.domain.records import FixEta, TriageAnswers
from bridge.domain.sla import SlaClock as SlaClockRecord
from bridge.store.board import next_due
from bridge.store.clocks import clocks_of
from bridge.store.escalations import fix_eta_of, triage_of
from bridge.store.tables import ActionRequest, AuditEvent, Escalation, Ticket


@dataclass(frozen=True)
class TicketView:
    id: int
    helpdesk: str
    external_id: str
    subject: str
    severity: int
    priority: str
    status: str

    @property
    def ref(self) -> str:
        return f"{self.helpdesk}:{self.external_id}"


@dataclass(frozen=True)
class LinkView:
    system: str
    kind: str
    external_key: str
    url: str | None
    state: str


@dataclass(frozen=True)
class EscalationView:
    id: int
    state: str
    level: int
    classification: str | None
    engineer: str | None
    opened_at: dt.datetime
    updated_at: dt.datetime
    links: tuple[LinkView, ...]
    clocks: tuple[SlaClockRecord, ...]
    triage: TriageAnswers | None = None
    fix_eta: FixEta | None = None


def find_tickets(
    session: Session, external_id: str, helpdesk: str | None = None
) -> list[TicketView]:
    """Tickets with this external id (in one helpdesk when named); several means ambiguous."""
    query = select(Ticket).where(Ticket.external_id == external_id)
    if helpdesk is not None:
        query = query.where(Ticket.helpdesk == helpdesk)
    return [
        TicketView(
            id=row.id,
            helpdesk=row.helpdesk,
            external_id=row.external_id,
            subject=str((row.document or {}).get("subject", "")),
            severity=row.severity,
            priority=row.priority,
            status=row.status,
        )
        for row in session.scalars(query.order_by(Ticket.helpdesk).limit(10))
    ]


def ticket_severity_of(session: Session, escalation_id: int) -> int | None:
    """The severity of the escalated ticket; None when there is no such escalation."""
    return session.scalar(
        select(Ticket.severity)
        .join(Escalation, Escalation.ticket_id == Ticket.id)
        .where(Escalation.id == escalation_id)
    )


def latest_escalation(session: Session, ticket_id: int) -> EscalationView | None:
    """The ticket's most recent escalation with its SLA clocks and linked development records."""
    row = session.scalar(
        select(Escalation)
        .where(Escalation.ticket_id == ticket_id)
        .order_by(Escalation.created_at.desc(), Escalation.id.desc())
        .limit(1)
    )
    if row is None:
        return None
    links = session.scalars(
        select(ActionRequest)
        .where(ActionRequest.escalation_id == row.id)
        .order_by(ActionRequest.id)
    )
    return EscalationView(
        id=row.id,
        state=row.state,
        level=row.level,
        classification=row.classification,
        engineer=row.engineer,
        opened_at=row.created_at,
        updated_at=row.updated_at,
        links=tuple(
            LinkView(link.system, link.kind, link.external_key, link.url, link.state)
            for link in links
        ),
        clocks=clocks_of(session, [row.id]).get(row.id, ()),
        triage=triage_of(row),
        fix_eta=fix_eta_of(row),
    )


@dataclass(frozen=True)
class OpenEscalation:
    """One line of ``/escalate list``: where an open escalation stands and its next SLA due."""

    id: int
    ticket: str
    state: str
    level: int
    engineer: str | None
    requested_by: str
    next_due: dt.datetime | None
    clocks: tuple[SlaClockRecord, ...] = ()
    subject: str = ""
    organisation: str = ""  # its name or the helpdesk's id for it, as the ticket was stored
    requester: str = ""


def open_escalations(session: Session, *, limit: int = 25) -> list[OpenEscalation]:
    """Open escalations, the most urgent first: the soonest running SLA clock, then the newest."""
    rows = session.execute(
        select(Escalation, Ticket)
        .join(Ticket, Ticket.id == Escalation.ticket_id)
        .where(Escalation.state.not_in(("closed", "de_escalated")))
        .order_by(Escalation.id.desc())
        .limit(500)
    ).all()
    due = next_due(session, [escalation.id for escalation, _ in rows])
    clocks = clocks_of(session, [escalation.id for escalation, _ in rows])
    found = [
        OpenEscalation(
            id=escalation.id,
            ticket=f"{ticket.helpdesk}:{ticket.external_id}",
            state=escalation.state,
            level=escalation.level,
            engineer=escalation.engineer,
            requested_by=str((escalation.document or {}).get("requested_by", "")),
            next_due=due[escalation.id].at if escalation.id in due else None,
            clocks=clocks.get(escalation.id, ()),
            subject=str(ticket.document.get("subject") or ""),
            organisation=str(ticket.document.get("organisation") or ""),
            requester=str(ticket.document.get("requester") or ""),
        )
        for escalation, ticket in rows
    ]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    found.sort(key=lambda line: (line.next_due or far, -line.id))
    return found[:limit]


def timeline_note(session: Session, escalation_id: int, step: str, cause: str) -> str | None:
    """The note of the escalation's timeline entry of ``step`` caused by ``cause``, if any."""
    return session.scalars(
        select(AuditEvent.note)
        .where(
            AuditEvent.record_type == "escalation",
            AuditEvent.record_id == str(escalation_id),
            AuditEvent.step == step,
            AuditEvent.cause == cause,
        )
        .order_by(AuditEvent.id)
        .limit(1)
    ).first()
