"""What the bridge waits on at a vendor, for catch-up to ask about: the ARs that open
escalations wait on, and the tickets with an open escalation."""

from __future__ import annotations

from sqlalchemy import select, union
from sqlalchemy.orm import Session, sessionmaker

from bridge.store import tables

CLOSED = "closed"


def watched(
    sessions: sessionmaker[Session], source: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(AR keys of a tracker such as ``jira``, ticket ids of a helpdesk such as ``zendesk``)
    that open escalations wait on; a source is one or the other, so one tuple is empty."""
    escalations = tables.Escalation
    filed, links = tables.ActionRequest, tables.ActionRequestLink
    with sessions() as session:
        ars = union(
            select(filed.external_key)
            .join(escalations, escalations.id == filed.escalation_id)
            .where(filed.kind == "ar", filed.system == source, escalations.state != CLOSED),
            select(links.external_key)
            .join(escalations, escalations.id == links.escalation_id)
            .where(links.system == source, escalations.state != CLOSED),
        )
        keys = sorted(session.scalars(select(ars.subquery().c[0])))
        tickets = session.scalars(
            select(tables.Ticket.external_id)
            .join(escalations, escalations.ticket_id == tables.Ticket.id)
            .where(tables.Ticket.helpdesk == source, escalations.state != CLOSED)
            .distinct()
        )
        return tuple(keys), tuple(sorted(tickets))
