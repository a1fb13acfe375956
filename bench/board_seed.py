"""Fills the bridge's tables with many escalations, fast, for ``bench/board_scale.py``.

Two escalations are first played through the services (opened, triaged, an engineer assigned;
one of them closed): their rows are the templates. Every other escalation is a copy of one
of them with its own ids, ticket, customer, severity, region, level, state, engineer, times
and clocks, written with bulk ``INSERT``s through SQLAlchemy Core into the tables the services
write: tickets, escalations, SLA clocks, the audit trail, the outbox rows that record the
Slack head message and its channel, SPAR/AR links, and the names learnt for Slack users and
Zendesk organisations.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func, insert, select, text

from bench.board_rows import (
    CUSTOMERS,
    ENGINEERS,
    HEAD,
    SUPPORT,
    Rows,
    Template,
    World,
    escalation_rows,
)
from bridge.domain.enums import EntryPoint, Outcome, Priority, ReasonCategory, Severity
from bridge.domain.plans import activate
from bridge.domain.records import Escalation, OutcomeRecord, Ticket, TriageAnswers
from bridge.domain.resolution import close
from bridge.runtime import Runtime
from bridge.services.escalation.escalations import EscalationRequest
from bridge.services.workflow.steps import Said
from bridge.store import tables
from bridge.store.escalations import EscalationStore
from bridge.store.names import SLACK_PERSON, organisation_system


@dataclass(frozen=True)
class Seeded:
    open_ids: list[int]
    closed_ids: list[int]
    engineer_names: dict[str, str]  # Slack id -> display name
    customer_names: dict[str, str]  # Zendesk organisation id -> name
    channels: dict[str, str]  # region -> routed channel


# -- the templates, played through the services --------------------------------------------------
def _play(runtime: Runtime, number: str, now: dt.datetime, *, closed: bool) -> int:
    opened = now - dt.timedelta(days=10)
    ticket = Ticket(
        external_id=number,
        requester="ops@customer.example",
        organisation="Template Ltd",
        subject="Orders fail to sync",
        severity=Severity.CRITICAL,
        priority=Priority.URGENT,
        region="emea",
        opened_at=opened,
        last_support_reply_at=opened + dt.timedelta(hours=1),
    )
    with runtime.sessions.begin() as session:
        EscalationStore(session).save_ticket("zendesk", ticket, opened)
    request = EscalationRequest(
        number,
        ReasonCategory.DATA_LOSS,
        "orders lost",
        SUPPORT[0],
        EntryPoint.API,
        "bench",
        triage=TriageAnswers(production_down=True),
    )
    escalation_id = runtime.services.escalations.request(request, now)

    def start(escalation: Escalation) -> Said:
        activate(escalation, engineer="U0ENG00001", actor=SUPPORT[0], cause="bench", now=now)
        return Said("started")

    def done(escalation: Escalation) -> Said:
        outcome = OutcomeRecord(Outcome.FEATURE_REQUEST_ROADMAP)
        close(escalation, outcome, actor=SUPPORT[0], cause="bench", now=now)
        return Said("closed")

    runtime.services.steps.run(escalation_id, "activate", start, cause="bench", now=now)
    if closed:
        runtime.services.steps.run(escalation_id, "close", done, cause="bench", now=now)
    return escalation_id


def _template(runtime: Runtime, escalation_id: int) -> Template:
    with runtime.sessions() as session:
        row = session.get(tables.Escalation, escalation_id)
        assert row is not None
        ticket = session.get(tables.Ticket, row.ticket_id)
        assert ticket is not None
        clock = session.scalars(
            select(tables.SlaClock).where(tables.SlaClock.escalation_id == escalation_id)
        ).first()
        assert clock is not None
        heads = session.scalars(select(tables.OutboxRow).where(tables.OutboxRow.operation == HEAD))
        head = next(h for h in heads if h.payload.get("escalation_id") == str(escalation_id))
        return Template(ticket.document, row.document, row.policy, clock.document, head.payload)


def _next_ids(runtime: Runtime) -> Iterator[tuple[int, int, int]]:
    """Escalation, ticket and AR ids past those the templates took."""
    with runtime.sessions() as session:
        start = max(
            session.scalar(select(func.max(t.id))) or 0
            for t in (tables.Escalation, tables.Ticket, tables.ActionRequest)
        )
    number = start
    while True:
        number += 1
        yield number, number, number


def seed(
    runtime: Runtime, open_count: int, closed_count: int, now: dt.datetime, rng: random.Random
) -> Seeded:
    """``open_count`` open and ``closed_count`` closed escalations (the two templates among
    them), with their names learnt."""
    first_open = _play(runtime, "T-OPEN", now, closed=False)
    first_closed = _play(runtime, "T-CLOSED", now, closed=True)
    open_template, closed_template = (
        _template(runtime, first_open),
        _template(runtime, first_closed),
    )
    channels = {
        "emea": "#escalations-emea",
        "us": "#escalations",
        "apac": "#escalations-apac",
        "latam": "#escalations-latam",
    }
    engineers = {f"U0ENG{n:05d}": f"Engineer {n:02d}" for n in range(1, ENGINEERS + 1)}
    customers = {str(360000 + n): f"Customer {n:03d} GmbH" for n in range(1, CUSTOMERS + 1)}
    world = World(engineers, customers, channels)
    rows = Rows(runtime)
    ids = _next_ids(runtime)
    open_ids, closed_ids = [first_open], [first_closed]
    kinds = [False] * max(open_count - 1, 0) + [True] * max(closed_count - 1, 0)
    rng.shuffle(kinds)
    for closed in kinds:
        escalation_id, ticket_id, ar_id = next(ids)
        (closed_ids if closed else open_ids).append(escalation_id)
        chosen = closed_template if closed else open_template
        escalation_rows(rows, rng, now, (escalation_id, ticket_id, ar_id), closed, chosen, world)
        rows.flush()
    rows.flush(force=True)
    _names(runtime, engineers, customers, now)
    _settle(runtime)
    return Seeded(open_ids, closed_ids, engineers, customers, channels)


def _names(
    runtime: Runtime, engineers: dict[str, str], customers: dict[str, str], now: dt.datetime
) -> None:
    people = {**engineers, **{who: f"Support {who[3:]}" for who in SUPPORT}}
    names = [
        {"system": SLACK_PERSON, "external_id": who, "name": name, "learnt_at": now}
        for who, name in people.items()
    ]
    names += [
        {
            "system": organisation_system("zendesk"),
            "external_id": org,
            "name": name,
            "learnt_at": now,
        }
        for org, name in customers.items()
    ]
    with runtime.sessions.begin() as session:
        session.execute(insert(tables.KnownName), names)


ANALYZED = ("tickets", "escalations", "sla_clocks", "audit_events", "outbox", "action_requests")
ANALYZED += ("action_request_links", "known_names")


def _settle(runtime: Runtime) -> None:
    """On PostgreSQL, the sequences past the ids written explicitly, as if the services wrote
    them, and the planner's statistics as autovacuum keeps them on a live database: a bulk
    load read at once would otherwise be planned as if the tables were empty. SQLite gets no
    ANALYZE, as the bridge never runs one."""
    with runtime.sessions.begin() as session:
        if session.get_bind().dialect.name != "postgresql":
            return
        for table in ("tickets", "escalations", "action_requests"):
            setval = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608, E501 - our own table names
            session.execute(text(setval))
        for table in ANALYZED:
            session.execute(text(f"ANALYZE {table}"))
