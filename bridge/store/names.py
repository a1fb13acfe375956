"""Names the bridge looked up for vendor ids (``known_names``): read by the board, written
once per id by ``bridge.services.names``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from bridge.store.tables import AuditEvent, Escalation, KnownName, Ticket
from bridge.store.upsert import insert_if_absent

SLACK_PERSON = "slack:user"
CLOSED = "closed"


def organisation_system(helpdesk: str) -> str:
    return f"{helpdesk}:organization"


def known_names(session: Session, system: str, ids: Collection[str]) -> dict[str, str]:
    """``{id: name}`` for the ids a name was learnt for."""
    if not ids:
        return {}
    query = select(KnownName.external_id, KnownName.name).where(
        KnownName.system == system, KnownName.external_id.in_(list(ids))
    )
    return {external_id: name for external_id, name in session.execute(query)}


def remember_name(
    session: Session, system: str, external_id: str, name: str, now: dt.datetime
) -> None:
    values = {"system": system, "external_id": external_id, "name": name[:255], "learnt_at": now}
    insert_if_absent(session, KnownName, values, ["system", "external_id"])


def open_names_wanted(session: Session, limit: int) -> tuple[set[str], dict[str, set[str]]]:
    """The vendor ids open escalations show that no name was learnt for: Slack ids among the
    engineers and the actors of their audit events, and helpdesk organisation ids (by
    helpdesk), at most ``limit`` of each."""
    open_ids = select(Escalation.id).where(Escalation.state != CLOSED)
    people = set(session.scalars(select(Escalation.engineer).where(Escalation.id.in_(open_ids))))
    actors = select(AuditEvent.actor).where(
        AuditEvent.record_type == "escalation",
        AuditEvent.record_id.in_(
            select(cast(Escalation.id, String)).where(Escalation.state != CLOSED)
        ),
    )
    people |= set(session.scalars(actors.distinct()))
    people.discard(None)
    known = set(
        session.scalars(select(KnownName.external_id).where(KnownName.system == SLACK_PERSON))
    )
    organisations: dict[str, set[str]] = {}
    query = (
        select(Ticket.helpdesk, Ticket.organization)
        .join(Escalation, Escalation.ticket_id == Ticket.id)
        .where(Escalation.state != CLOSED, Ticket.organization.is_not(None))
        .distinct()
    )
    for helpdesk, organisation in session.execute(query):
        if organisation and organisation.isdigit():
            organisations.setdefault(helpdesk, set()).add(organisation)
    for helpdesk, ids in organisations.items():
        ids -= set(known_names(session, organisation_system(helpdesk), ids))
        organisations[helpdesk] = set(sorted(ids)[:limit])
    wanted_people = sorted(str(who) for who in people - known)[:limit]
    return set(wanted_people), {h: ids for h, ids in organisations.items() if ids}
