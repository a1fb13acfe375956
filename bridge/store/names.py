"""Names the bridge looked up for vendor ids (``known_names``): read by the board, written
once per id by ``bridge.services.showing.names``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from typing import Any

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from bridge.store.dead_letters import channels_of
from bridge.store.tables import AuditEvent, Escalation, KnownName, Ticket
from bridge.store.upsert import insert_if_absent

SLACK_PERSON = "slack:user"
SLACK_CHANNEL = "slack:channel"
CLOSED = "closed"


def organisation_system(helpdesk: str) -> str:
    return f"{helpdesk}:organization"


def requester_system(helpdesk: str) -> str:
    return f"{helpdesk}:requester"


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


def open_names_wanted(
    session: Session, limit: int
) -> tuple[set[str], dict[str, set[str]], dict[str, set[str]]]:
    """The vendor ids open escalations show that no name was learnt for: Slack ids among the
    engineers and the actors of their audit events, and helpdesk organisation and requester
    ids (by helpdesk), at most ``limit`` of each."""
    open_ids = select(Escalation.id).where(Escalation.state != CLOSED)
    people = set(session.scalars(select(Escalation.engineer).where(Escalation.id.in_(open_ids))))
    actors = select(AuditEvent.actor).where(
        AuditEvent.record_type == "escalation",
        AuditEvent.record_id.in_(
            select(cast(Escalation.id, String)).where(Escalation.state != CLOSED)
        ),
    )
    people |= set(session.scalars(actors.distinct()))
    # Slack user ids start U or W; other actors ("api", a helpdesk) have no Slack name.
    candidates = {str(who) for who in people if who and str(who)[:1] in ("U", "W")}
    unnamed = candidates - set(known_names(session, SLACK_PERSON, candidates))
    organisations = _unnamed(session, Ticket.organization, organisation_system, limit)
    requesters = _unnamed(session, Ticket.requester_email, requester_system, limit)
    return set(sorted(unnamed)[:limit]), organisations, requesters


def open_channels_wanted(session: Session, limit: int) -> set[str]:
    """The Slack channel ids (routing may name a channel by id) open escalations were routed
    to that no name was learnt for, at most ``limit``."""
    open_ids = session.scalars(select(Escalation.id).where(Escalation.state != CLOSED)).all()
    routed = {str(channel) for channel in channels_of(session, open_ids).values() if channel}
    # Channel ids start C (or G, an older private channel); "#name" is already a name.
    candidates = {channel for channel in routed if channel[:1] in ("C", "G")}
    unnamed = candidates - set(known_names(session, SLACK_CHANNEL, candidates))
    return set(sorted(unnamed)[:limit])


def _unnamed(
    session: Session, column: Any, system: Callable[[str], str], limit: int
) -> dict[str, set[str]]:
    """Bare ids in ``column`` of open escalations' tickets, by helpdesk, not yet named."""
    found: dict[str, set[str]] = {}
    query = (
        select(Ticket.helpdesk, column)
        .join(Escalation, Escalation.ticket_id == Ticket.id)
        .where(Escalation.state != CLOSED, column.is_not(None))
        .distinct()
    )
    for helpdesk, value in session.execute(query):
        if value and str(value).isdigit():
            found.setdefault(helpdesk, set()).add(str(value))
    for helpdesk, ids in found.items():
        ids -= set(known_names(session, system(helpdesk), ids))
        found[helpdesk] = set(sorted(ids)[:limit])
    return {helpdesk: ids for helpdesk, ids in found.items() if ids}


def escalation_tickets(
    session: Session, escalation_ids: Collection[int]
) -> dict[int, tuple[str, dict[str, Any]]]:
    """``{escalation id: (helpdesk, the ticket's document)}`` for the escalations named: what
    a text listing many escalations (the daily digest) names their tickets by."""
    if not escalation_ids:
        return {}
    query = (
        select(Escalation.id, Ticket.helpdesk, Ticket.document)
        .join(Ticket, Ticket.id == Escalation.ticket_id)
        .where(Escalation.id.in_(list(escalation_ids)))
    )
    rows = session.execute(query)
    return {row_id: (helpdesk, document or {}) for row_id, helpdesk, document in rows}
