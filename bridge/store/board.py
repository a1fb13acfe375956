"""Read-only questions the board asks: which escalations are open, what happened to one, and
which side effects gave up (dead letters).

Answers are plain frozen views, so the web layer never holds a session or a table row. The
board is not a hot path: a handful of queries per page, each bounded by the open escalations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bridge.domain.records import FixEta, TriageAnswers
from bridge.domain.sla import SlaClock as SlaClockRecord
from bridge.store.clocks import clocks_of
from bridge.store.dead_letters import DeadLetters, GaveUp, channels_of, dead_letters
from bridge.store.escalations import fix_eta_of, triage_of
from bridge.store.tables import (
    ActionRequest,
    AuditEvent,
    Escalation,
    SlaClock,
    Spar,
    Ticket,
)

__all__ = ["DeadLetters", "GaveUp", "dead_letters"]  # the board's banner, read here too

CLOSED = "closed"


@dataclass(frozen=True)
class Record:
    """A SPAR or AR filed in a tracker for the escalation."""

    kind: str
    system: str
    key: str
    url: str | None


@dataclass(frozen=True)
class NextDue:
    kind: str
    at: dt.datetime


@dataclass(frozen=True)
class BoardRow:
    id: int
    helpdesk: str
    ticket: str
    customer: str | None
    level: int
    state: str
    engineer: str | None
    channel: str | None
    next_due: NextDue | None
    records: tuple[Record, ...]
    last_update: dt.datetime | None
    subject: str = ""
    requester: str | None = None
    severity: int | None = None
    classification: str | None = None
    running: frozenset[str] = frozenset()  # the kinds of its running SLA clocks
    waiting_until: dt.datetime | None = None


def due_first(rows: Iterable[BoardRow]) -> list[BoardRow]:
    """What is due soonest first (overdue ones lead), then those with no clock running."""
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(
        rows,
        key=lambda row: (row.next_due is None, row.next_due.at if row.next_due else far, row.id),
    )


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


def open_escalations(
    session: Session, *, state: str | None = None, level: int | None = None
) -> list[BoardRow]:
    """Every escalation not closed (in ``state`` / at ``level`` when given), what is due
    first leading; only those the domain has written."""
    query = (
        select(Escalation, Ticket)
        .join(Ticket, Ticket.id == Escalation.ticket_id)
        .where(Escalation.state != CLOSED)
        .order_by(Escalation.id.desc())
    )
    if state is not None:
        query = query.where(Escalation.state == state)
    if level is not None:
        query = query.where(Escalation.level == level)
    return due_first(_rows(session, [(e, t) for e, t in session.execute(query) if e.document]))


def open_channels(session: Session) -> set[str]:
    """The channels open escalations were routed to (the values the team filter may take)."""
    ids = session.scalars(select(Escalation.id).where(Escalation.state != CLOSED))
    return {channel for channel in channels_of(session, list(ids)).values() if channel}


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
    (row,) = _rows(session, [(found[0], found[1])])
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


def _rows(session: Session, found: Iterable[tuple[Escalation, Ticket]]) -> list[BoardRow]:
    pairs = list(found)
    ids = [escalation.id for escalation, _ in pairs]
    channels = channels_of(session, ids)
    due = next_due(session, ids)
    running = _running(session, ids)
    records = _records(session, ids)
    updated = _last_updates(session, ids)
    return [
        BoardRow(
            id=escalation.id,
            helpdesk=ticket.helpdesk,
            ticket=ticket.external_id,
            customer=ticket.organization,
            level=escalation.level,
            state=escalation.state,
            engineer=escalation.engineer,
            channel=channels.get(escalation.id),
            next_due=due.get(escalation.id),
            records=tuple(records.get(escalation.id, ())),
            last_update=updated.get(escalation.id),
            subject=str(ticket.document.get("subject") or ""),
            requester=ticket.requester_email,
            severity=ticket.severity,
            classification=escalation.classification or escalation.document.get("classification"),
            running=running.get(escalation.id, frozenset()),
            waiting_until=_when(escalation.document.get("waiting_until")),
        )
        for escalation, ticket in pairs
    ]


def _when(value: object) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _running(session: Session, ids: Collection[int]) -> dict[int, frozenset[str]]:
    found: dict[int, set[str]] = {}
    if ids:
        query = select(SlaClock.escalation_id, SlaClock.kind).where(
            SlaClock.escalation_id.in_(ids), SlaClock.state == "running"
        )
        for escalation_id, kind in session.execute(query):
            found.setdefault(escalation_id, set()).add(kind)
    return {key: frozenset(kinds) for key, kinds in found.items()}


def next_due(session: Session, ids: Collection[int]) -> dict[int, NextDue]:
    """The earliest due time among each escalation's running SLA clocks."""
    due: dict[int, NextDue] = {}
    if not ids:
        return due
    query = (
        select(SlaClock.escalation_id, SlaClock.kind, SlaClock.due_at)
        .where(
            SlaClock.escalation_id.in_(ids),
            SlaClock.state == "running",
            SlaClock.due_at.is_not(None),
        )
        .order_by(SlaClock.due_at.desc())
    )
    for escalation_id, kind, at in session.execute(query):
        if at is not None:
            due[escalation_id] = NextDue(kind, at)  # the last one written is the earliest
    return due


def _records(session: Session, ids: Collection[int]) -> dict[int, list[Record]]:
    found: dict[int, list[Record]] = {}
    if not ids:
        return found
    query = (
        select(ActionRequest).where(ActionRequest.escalation_id.in_(ids)).order_by(ActionRequest.id)
    )
    for link in session.scalars(query):
        found.setdefault(link.escalation_id, []).append(
            Record(link.kind, link.system, link.external_key, link.url)
        )
    return found


def _last_updates(session: Session, ids: Collection[int]) -> dict[int, dt.datetime]:
    """The time of each escalation's latest audit event."""
    if not ids:
        return {}
    query = (
        select(AuditEvent.record_id, func.max(AuditEvent.at))
        .where(
            AuditEvent.record_type == "escalation",
            AuditEvent.record_id.in_([str(i) for i in ids]),
        )
        .group_by(AuditEvent.record_id)
    )
    return {int(key): at for key, at in session.execute(query) if at is not None}
