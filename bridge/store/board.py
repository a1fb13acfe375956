"""Read-only questions the board asks: which escalations are open and which side effects gave
up (dead letters); what happened to one is ``board_timeline``.

Answers are plain frozen views, so the web layer never holds a session or a table row. The
list is read a page at a time: one query orders the open escalations' ids, what is due first
leading, and only the page's rows are read in full (``bench/board_scale.py`` times it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import func, nulls_last, select
from sqlalchemy.orm import Session, defer

from bridge.domain.enums import EscalationState
from bridge.store.dead_letters import (
    DeadLetters,
    GaveUp,
    channels_of,
    dead_letters,
    head_channel,
)
from bridge.store.tables import (
    ActionRequest,
    AuditEvent,
    Escalation,
    SlaClock,
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


OPEN = tuple(state.value for state in EscalationState if state.value != CLOSED)
PAGE_SIZE = 50


@dataclass(frozen=True)
class BoardPage:
    """One page of the open escalations matching the filters, what is due first leading."""

    rows: list[BoardRow]
    total: int  # open escalations matching the filters, on every page
    number: int  # from 1
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first(self) -> int:
        """The position of the page's first row among them all, from 1."""
        return (self.number - 1) * self.size + 1 if self.rows else 0


def open_escalations(
    session: Session,
    *,
    state: str | None = None,
    level: int | None = None,
    team: str | None = None,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> BoardPage:
    """Page ``page`` (past the last: the last) of the escalations not closed (in ``state``, at
    ``level``, routed to ``team`` when given), what is due first leading: the earliest due
    time among each one's running clocks, overdue ones first, then those with no clock
    running. Only the page's rows are read in full."""
    # Per open escalation, from the index on (escalation_id, state, due_at) alone.
    due = (
        select(func.min(SlaClock.due_at))
        .where(SlaClock.escalation_id == Escalation.id, SlaClock.state == "running")
        .correlate(Escalation)
        .scalar_subquery()
    )
    query = select(Escalation.id).where(Escalation.state.in_(OPEN))
    if state is not None:
        query = query.where(Escalation.state == state)
    if level is not None:
        query = query.where(Escalation.level == level)
    if team is not None:
        query = query.where(head_channel() == team)
    ordered = list(session.scalars(query.order_by(nulls_last(due.asc()), Escalation.id)))
    pages = max(1, -(-len(ordered) // size))
    number = min(max(page, 1), pages)
    wanted = ordered[(number - 1) * size : number * size]
    rows = session.execute(
        select(Escalation, Ticket)
        .join(Ticket, Ticket.id == Escalation.ticket_id)
        .where(Escalation.id.in_(wanted))
        .options(defer(Escalation.policy))  # the page never shows the policy snapshot
    )
    place = {escalation_id: n for n, escalation_id in enumerate(wanted)}
    pairs = sorted(((e, t) for e, t in rows if e.document), key=lambda pair: place[pair[0].id])
    return BoardPage(board_rows(session, pairs), len(ordered), number, size)


def open_channels(session: Session) -> set[str]:
    """The channels open escalations were routed to (the values the team filter may take)."""
    query = select(head_channel()).where(Escalation.state.in_(OPEN))
    return {channel for channel in session.scalars(query) if channel}


def board_rows(session: Session, found: Iterable[tuple[Escalation, Ticket]]) -> list[BoardRow]:
    pairs = list(found)
    ids = [escalation.id for escalation, _ in pairs]
    channels = channels_of(session, ids)
    running, due = _running(session, ids)
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


def _running(
    session: Session, ids: Collection[int]
) -> tuple[dict[int, frozenset[str]], dict[int, NextDue]]:
    """The kinds of each escalation's running SLA clocks, and the earliest due among them."""
    kinds: dict[int, set[str]] = {}
    due: dict[int, NextDue] = {}
    if ids:
        query = select(SlaClock.escalation_id, SlaClock.kind, SlaClock.due_at).where(
            SlaClock.escalation_id.in_(ids), SlaClock.state == "running"
        )
        for escalation_id, kind, at in session.execute(query):
            kinds.setdefault(escalation_id, set()).add(kind)
            earliest = due.get(escalation_id)
            if at is not None and (earliest is None or at < earliest.at):
                due[escalation_id] = NextDue(kind, at)
    return {key: frozenset(found) for key, found in kinds.items()}, due


def next_due(session: Session, ids: Collection[int]) -> dict[int, NextDue]:
    """The earliest due time among each escalation's running SLA clocks."""
    return _running(session, ids)[1]


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
