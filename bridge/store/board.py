"""Read-only questions the board asks: which escalations are open, what happened to one, and
which side effects gave up (dead letters).

Answers are plain frozen views, so the web layer never holds a session or a table row. The
board is not a hot path: a handful of queries per page, each bounded by the open escalations.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bridge.domain.records import FixEta, TriageAnswers
from bridge.domain.sla import SlaClock as SlaClockRecord
from bridge.store.codec import from_json
from bridge.store.escalations import fix_eta_of, triage_of
from bridge.store.tables import (
    ActionRequest,
    AuditEvent,
    Escalation,
    OutboxRow,
    SlaClock,
    Spar,
    Ticket,
)

CLOSED = "closed"
# The outbox operation that posts (and refreshes) an escalation's head message in the channel
# routing chose for it: the one place the bridge records where an escalation went.
HEAD_MESSAGE = "upsert_escalation_message"
# A dead letter's error starts with the exception's type when the job buried it.
ERROR_TYPE = re.compile(r"^[A-Za-z]+Error: ")


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


@dataclass(frozen=True)
class GaveUp:
    """Dead letters alike: one system and operation, to one channel (when there is one), with
    the error of the latest of them."""

    target: str
    operation: str
    channel: str | None
    reason: str
    count: int


@dataclass(frozen=True)
class DeadLetters:
    groups: tuple[GaveUp, ...]
    by_escalation: dict[int, int]  # escalation id -> how many of its side effects gave up

    @property
    def total(self) -> int:
        """Every dead outbox row: the groups leave none out."""
        return sum(group.count for group in self.groups)


def open_escalations(
    session: Session, *, state: str | None = None, level: int | None = None
) -> list[BoardRow]:
    """Every escalation not closed (in ``state`` / at ``level`` when given), newest first;
    only those the domain has written."""
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
    return _rows(session, [(e, t) for e, t in session.execute(query) if e.document])


def open_channels(session: Session) -> set[str]:
    """The channels open escalations were routed to (the values the team filter may take)."""
    ids = session.scalars(select(Escalation.id).where(Escalation.state != CLOSED))
    return {channel for channel in _channels(session, list(ids)).values() if channel}


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
    channels = _channels(session, ids)
    due = next_due(session, ids)
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
        )
        for escalation, ticket in pairs
    ]


def _channels(session: Session, ids: Collection[int]) -> dict[int, str | None]:
    """The channel of each escalation's latest head message (none when Slack never was told)."""
    if not ids:
        return {}
    escalation = OutboxRow.payload["escalation_id"].as_string()
    query = (
        select(escalation, OutboxRow.payload["channel"].as_string())
        .where(OutboxRow.operation == HEAD_MESSAGE, escalation.in_([str(i) for i in ids]))
        .order_by(OutboxRow.id)
    )
    return {int(key): channel for key, channel in session.execute(query)}


def clocks_of(session: Session, ids: list[int]) -> dict[int, tuple[SlaClockRecord, ...]]:
    """Every SLA clock of each escalation, in the order they were started."""
    found: dict[int, list[SlaClockRecord]] = {}
    if ids:
        query = select(SlaClock).where(SlaClock.escalation_id.in_(ids)).order_by(SlaClock.id)
        for row in session.scalars(query):
            found.setdefault(row.escalation_id, []).append(from_json(SlaClockRecord, row.document))
    return {escalation_id: tuple(clocks) for escalation_id, clocks in found.items()}


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


def dead_letters(session: Session) -> DeadLetters:
    """The side effects that gave up, grouped for the board's banner and counted per
    escalation. A thread reply carries no channel: it is counted against its head's."""
    escalation = OutboxRow.payload["escalation_id"].as_string()
    channel = OutboxRow.payload["channel"].as_string()
    columns = (OutboxRow.target, OutboxRow.operation, channel, escalation, OutboxRow.last_error)
    query = (
        select(*columns, func.count(), func.max(OutboxRow.updated_at))
        .where(OutboxRow.status == "dead")
        .group_by(*columns)
    )
    found = session.execute(query).all()
    ids = {int(key) for *_, key, _error, _n, _at in found if key and str(key).isdigit()}
    heads = _channels(session, ids)
    groups: dict[tuple[str, str, str | None], tuple[int, dt.datetime | None, str]] = {}
    by_escalation: dict[int, int] = {}
    for target, operation, to, key, error, count, at in found:
        number = int(key) if key and str(key).isdigit() else None
        if number is not None:
            by_escalation[number] = by_escalation.get(number, 0) + count
        where = to or (heads.get(number) if number is not None else None)
        total, latest, reason = groups.get((target, operation, where), (0, None, ""))
        if latest is None or (at is not None and at > latest):
            latest, reason = at, ERROR_TYPE.sub("", error or "no error recorded")
        groups[(target, operation, where)] = (total + count, latest, reason)
    gave_up = [
        GaveUp(target, operation, where, reason, count)
        for (target, operation, where), (count, _, reason) in groups.items()
    ]
    gave_up.sort(key=lambda group: (-group.count, group.target, group.operation))
    return DeadLetters(tuple(gave_up), by_escalation)
