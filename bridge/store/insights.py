"""What insights count, read from what was recorded and never rewritten: audit events (each
step's time), SLA clocks' met, due and stopped times with the grouping they started under,
and escalations' opening times.

Each figure is bucketed by the instant it became known (a clock met or fallen due, an
acknowledgement, a customer's answer), never by anything that changes later, so a week that
is over keeps its numbers. The counting is done by the database, one aggregate per figure,
bounded by the weeks asked for; only the durations the percentiles need come back row by row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, and_, cast, exists, func, literal, not_, or_, select, union_all
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement, SQLCoreOperations

from bridge.domain.enums import EscalationState
from bridge.domain.insights import Week
from bridge.store import tables
from bridge.store.insights_sql import seconds_between, week_index

ESCALATION = "escalation"
ACCEPTS, REJECTS = "customer_accepts", "customer_rejects"
RENEGOTIATION_STEPS = ("renegotiate", "plan_needs_renegotiation")
# An escalation in these states waits on no AR any more (as services/escalation/waiting.py says).
NOT_WAITING = ("monitoring", "closed", "de_escalated")
WAITING = tuple(state.value for state in EscalationState if state.value not in NOT_WAITING)
IDS_AT_ONCE = 1000  # well under any engine's limit of bound parameters


@dataclass(frozen=True)
class ClockVerdicts:
    """Clocks of one kind and grouping whose verdict fell in one week."""

    week: int
    kind: str
    met: int  # met before falling due
    decided: int  # met on time, or fallen due unmet (breached)
    by_customer: bool  # grouped by helpdesk and customer, else by severity, region and level
    severity: int | None = None
    region: str | None = None
    level: int | None = None
    helpdesk: str | None = None
    customer: str | None = None


@dataclass(frozen=True)
class StepCount:
    week: int
    step: str
    count: int


@dataclass(frozen=True)
class WaitingAr:
    system: str
    key: str
    url: str | None
    tickets: int
    customers: tuple[tuple[str, str], ...]  # (helpdesk, organisation id or name)


class InsightCounts:
    def __init__(self, session: Session, weeks: Sequence[Week], now: dt.datetime) -> None:
        self.session = session
        self.weeks = tuple(weeks)
        self.now = now
        self.start = self.weeks[0].start
        self.end = min(self.weeks[-1].end, now)

    def _within(self, column: SQLCoreOperations[Any]) -> ColumnElement[bool]:
        return and_(column >= self.start, column < self.end)

    # -- SLA attainment ----------------------------------------------------------------------
    def clock_verdicts(self) -> list[ClockVerdicts]:
        """Met on time counts in the week it was met; breached (met late, stopped after it fell
        due, or still owed) in the week it fell due. A clock stopped before it fell due, or not
        yet due, has no verdict. Grouped twice, by severity, region and level and by customer,
        rather than by all four at once: as many rows as there are groups, not clocks."""
        clock = tables.SlaClock
        grouping = (
            clock.kind,
            clock.severity,
            clock.region,
            clock.level,
            clock.helpdesk,
            clock.customer,
        )
        on_time = and_(clock.state == "met", clock.met_late.is_(False))
        met = select(
            *grouping, week_index(clock.met_at, self.weeks).label("week"), literal(1).label("met")
        ).where(on_time, self._within(clock.met_at))
        stopped_in_time = and_(clock.state == "stopped", clock.stopped_at < clock.due_at)
        breached = select(
            *grouping, week_index(clock.due_at, self.weeks).label("week"), literal(0).label("met")
        ).where(self._within(clock.due_at), not_(on_time), not_(stopped_in_time))
        verdicts = union_all(met, breached).subquery()
        found: list[ClockVerdicts] = []
        for names in (("severity", "region", "level"), ("helpdesk", "customer")):
            columns = [verdicts.c.week, verdicts.c.kind, *(verdicts.c[name] for name in names)]
            query = select(*columns, func.sum(verdicts.c.met), func.count()).group_by(*columns)
            for week, kind, *values, met_count, decided in self.session.execute(query):
                given = dict(zip(names, values, strict=True))
                by_customer = "customer" in given
                found.append(ClockVerdicts(week, kind, met_count, decided, by_customer, **given))
        return found

    # -- durations from the escalation's opening -----------------------------------------------
    def _first_steps(self, step: str) -> list[tuple[int, float]]:
        """(week, seconds since the escalation opened) of each escalation's first ``step``
        that happened in the weeks asked for."""
        event, escalation = tables.AuditEvent, tables.Escalation
        earlier = aliased(tables.AuditEvent)
        before = exists().where(
            earlier.record_type == ESCALATION,
            earlier.record_id == event.record_id,
            earlier.step == step,
            or_(earlier.at < event.at, and_(earlier.at == event.at, earlier.id < event.id)),
        )
        query = (
            select(
                week_index(event.at, self.weeks),
                seconds_between(event.at, escalation.created_at),
            )
            .join(escalation, escalation.id == cast(event.record_id, Integer))
            .where(
                event.step == step,
                event.record_type == ESCALATION,
                self._within(event.at),
                ~before,
            )
        )
        return [(week, seconds) for week, seconds in self.session.execute(query)]

    def to_acknowledge(self) -> list[tuple[int, float]]:
        return self._first_steps("acknowledge")

    def to_accepted_fix(self) -> list[tuple[int, float]]:
        return self._first_steps(ACCEPTS)

    def to_first_reply(self) -> list[tuple[int, float]]:
        """The first reply clock met: the first answer the customer could see."""
        clock, earlier, escalation = tables.SlaClock, aliased(tables.SlaClock), tables.Escalation
        before = exists().where(
            earlier.escalation_id == clock.escalation_id,
            earlier.kind == "reply",
            earlier.met_at < clock.met_at,
        )
        query = (
            select(
                week_index(clock.met_at, self.weeks),
                seconds_between(clock.met_at, escalation.created_at),
            )
            .join(escalation, escalation.id == clock.escalation_id)
            .where(clock.kind == "reply", self._within(clock.met_at), ~before)
        )
        return [(week, seconds) for week, seconds in self.session.execute(query)]

    # -- counts per week -----------------------------------------------------------------------
    def opened(self) -> dict[int, int]:
        escalation = tables.Escalation
        week = week_index(escalation.created_at, self.weeks)
        query = select(week, func.count()).where(self._within(escalation.created_at)).group_by(week)
        return {index: count for index, count in self.session.execute(query)}

    def steps(self, steps: Sequence[str]) -> list[StepCount]:
        """How many times each of ``steps`` was taken on escalations, per week."""
        event = tables.AuditEvent
        week = week_index(event.at, self.weeks)
        query = (
            select(week, event.step, func.count())
            .where(event.step.in_(steps), event.record_type == ESCALATION, self._within(event.at))
            .group_by(week, event.step)
        )
        return [StepCount(index, step, count) for index, step, count in self.session.execute(query)]

    def first_answers(self) -> list[StepCount]:
        """Each escalation's first answer to a fix (accept or still broken), per week."""
        event, earlier = tables.AuditEvent, aliased(tables.AuditEvent)
        answers = (ACCEPTS, REJECTS)
        before = exists().where(
            earlier.record_type == ESCALATION,
            earlier.record_id == event.record_id,
            earlier.step.in_(answers),
            or_(earlier.at < event.at, and_(earlier.at == event.at, earlier.id < event.id)),
        )
        week = week_index(event.at, self.weeks)
        query = (
            select(week, event.step, func.count())
            .where(
                event.step.in_(answers),
                event.record_type == ESCALATION,
                self._within(event.at),
                ~before,
            )
            .group_by(week, event.step)
        )
        return [StepCount(index, step, count) for index, step, count in self.session.execute(query)]


def waiting_ars(session: Session, limit: int) -> list[WaitingAr]:
    """The ARs with the most customers waiting on them now (escalations not yet resolved),
    most first: the escalation that filed an AR waits on it, and every one linked to it.
    Read from the open escalations' side (a few thousand at most), not from every AR ever
    filed, and ranked here, so the page costs a few queries however long the history: the
    ARs of the waiting escalations (their ids come from the state index alone), then the
    customers of the escalations found, by their ids."""
    links, filed = tables.ActionRequestLink, tables.ActionRequest
    escalation, ticket = tables.Escalation, tables.Ticket
    # The states listed, not the others excluded: the state index then finds the open few.
    waiting = select(escalation.id).where(escalation.state.in_(WAITING))
    linked = select(links.system, links.external_key, links.escalation_id).where(
        links.escalation_id.in_(waiting)
    )
    filed_by = select(filed.system, filed.external_key, filed.escalation_id).where(
        filed.kind == "ar", filed.escalation_id.in_(waiting)
    )
    escalations: dict[tuple[str, str], set[int]] = {}
    for ar_system, ar_key, escalation_id in session.execute(union_all(linked, filed_by)):
        escalations.setdefault((ar_system, ar_key), set()).add(escalation_id)
    # By the escalations found, a thousand at a time: each engine then reads just those rows
    # through the primary keys (PostgreSQL read every ticket for a condition it misjudged).
    found_ids = sorted(set().union(*escalations.values()))
    customer_of: dict[int, tuple[str, str]] = {}
    for first in range(0, len(found_ids), IDS_AT_ONCE):
        chunk = found_ids[first : first + IDS_AT_ONCE]
        query = (
            select(escalation.id, ticket.helpdesk, func.coalesce(ticket.organization, ""))
            .join(ticket, ticket.id == escalation.ticket_id)
            .where(escalation.id.in_(chunk), escalation.state.in_(WAITING))
        )
        customer_of.update(
            {one: (helpdesk, customer) for one, helpdesk, customer in session.execute(query)}
        )
    # An escalation leaving the waiting states between the two reads waits on nothing.
    escalations = {
        ar: ids & customer_of.keys() for ar, ids in escalations.items() if ids & customer_of.keys()
    }
    customers = {ar: {customer_of[one] for one in ids} for ar, ids in escalations.items()}
    ranked = sorted(escalations, key=lambda ar: (-len(customers[ar]), -len(escalations[ar]), ar))[
        :limit
    ]
    pages = {
        (system, key): url
        for system, key, url in session.execute(
            select(filed.system, filed.external_key, filed.url).where(
                filed.external_key.in_([key for _, key in ranked])
            )
        )
    }
    return [
        WaitingAr(system, key, pages.get((system, key)), len(escalations[system, key]), who)
        for system, key in ranked
        for who in [tuple(sorted(customers[system, key]))]
    ]
