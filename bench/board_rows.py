"""The rows of one escalation as the services write them, copied from a template escalation
with its own ids, ticket, customer, severity, region, level, state, engineer, times, clocks,
audit trail, Slack head messages (and so its channel) and AR; for ``bench/board_seed.py``."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert

from bench.board_history import SUPPORT, clock_rows, history_rows
from bridge.runtime import Runtime
from bridge.store import tables

CUSTOMERS = 500
ENGINEERS = 60
REGIONS = {"emea": 0.35, "us": 0.40, "apac": 0.15, "latam": 0.10}
SEVERITIES = {1: 0.10, 2: 0.25, 3: 0.45, 4: 0.20}
LEVELS = {1: 0.55, 2: 0.25, 3: 0.15, 4: 0.05}
OPEN_STATES = {
    "requested": 0.08,
    "triaged": 0.10,
    "active": 0.35,
    "plan_proposed": 0.10,
    "plan_accepted": 0.12,
    "fix_shipped": 0.06,
    "awaiting_customer": 0.08,
    "monitoring": 0.06,
    "reopened": 0.03,
    "de_escalated": 0.02,
}
CHUNK = 5000
HEAD = "upsert_escalation_message"


def _pick(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _iso(at: dt.datetime | None) -> str | None:
    return at.isoformat() if at else None


@dataclass(frozen=True)
class Template:
    ticket: dict[str, Any]
    escalation: dict[str, Any]
    policy: dict[str, Any]
    clock: dict[str, Any]
    head: dict[str, Any]


@dataclass(frozen=True)
class World:
    """Who and where the copies name: Slack engineers, Zendesk organisations, routed channels."""

    engineers: dict[str, str]  # Slack id -> display name
    customers: dict[str, str]  # Zendesk organisation id -> name
    channels: dict[str, str]  # region -> routed channel


# -- the copies ---------------------------------------------------------------------------------
class Rows:
    """Rows for every table, written in chunks as they fill up."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.pending: dict[Any, list[dict[str, Any]]] = {}

    def add(self, table: Any, row: dict[str, Any]) -> None:
        self.pending.setdefault(table, []).append(row)

    def flush(self, force: bool = False) -> None:
        order = (
            tables.Ticket,
            tables.Escalation,
            tables.SlaClock,
            tables.AuditEvent,
            tables.OutboxRow,
            tables.ActionRequest,
            tables.ActionRequestLink,
        )
        if not force and max((len(rows) for rows in self.pending.values()), default=0) < CHUNK:
            return
        with self.runtime.sessions.begin() as session:
            for table in order:
                rows = self.pending.pop(table, [])
                if rows:  # Core's executemany: one statement, no ORM bookkeeping
                    session.connection().execute(insert(table.__table__), rows)


def escalation_rows(
    rows: Rows,
    rng: random.Random,
    now: dt.datetime,
    numbers: tuple[int, int, int],
    closed: bool,
    template: Template,
    world: World,
) -> None:
    escalation_id, ticket_id, ar_id = numbers
    region = _pick(rng, REGIONS)
    severity = _pick(rng, SEVERITIES)
    state = "closed" if closed else _pick(rng, OPEN_STATES)
    level = _pick(rng, LEVELS)
    organisation = rng.choice(list(world.customers))
    engineer = None if state in ("requested", "triaged") else rng.choice(list(world.engineers))
    classification = {1: "urgent", 2: "high_priority"}.get(severity)
    # Closed ones spread over two years, as a bridge in use for that long has them: insights
    # count the weeks asked for (12 by default, up to 104) among them.
    age = dt.timedelta(days=rng.uniform(1, 730) if closed else rng.uniform(0.1, 30))
    opened = now - age
    updated = opened + (age * rng.uniform(0.1, 0.9) if closed else age * rng.uniform(0.3, 1))
    external = str(1_000_000 + ticket_id)
    subject = f"Orders fail to sync for {world.customers[organisation]} ({external})"
    requester = f"ops{ticket_id % 977}@customer{organisation}.example"
    ticket_doc = dict(template.ticket)
    ticket_doc.update(
        external_id=external,
        requester=requester,
        organisation=organisation,
        subject=subject,
        severity=severity,
        region=region,
        opened_at=_iso(opened - dt.timedelta(days=1)),
        last_support_reply_at=_iso(opened - dt.timedelta(hours=20)),
        links=[f"escalation:{escalation_id}"],
    )
    rows.add(
        tables.Ticket,
        {
            "id": ticket_id,
            "helpdesk": "zendesk",
            "external_id": external,
            "requester_email": requester,
            "organization": organisation,
            "severity": severity,
            "priority": "urgent" if severity <= 2 else "normal",
            "region": region,
            "status": "solved" if closed else "open",
            "ticket_type": None,
            "document": ticket_doc,
            "last_event_at": updated,
            "created_at": opened - dt.timedelta(days=1),
            "updated_at": updated,
        },
    )
    document = dict(template.escalation)
    document.update(
        id=str(escalation_id),
        ticket_id=external,
        opened_at=_iso(opened),
        state=state,
        level=level,
        classification=classification,
        engineer=engineer,
        requested_by=rng.choice(SUPPORT),
    )
    document["level_attempts"] = [{**document["level_attempts"][0], "at": _iso(opened)}]
    rows.add(
        tables.Escalation,
        {
            "id": escalation_id,
            "ticket_id": ticket_id,
            "state": state,
            "level": level,
            "classification": classification,
            "engineer": engineer,
            "next_update_due": None,
            "document": document,
            "policy": template.policy,
            "version": 3,
            "created_at": opened,
            "updated_at": updated,
        },
    )
    facts = {
        "severity": severity,
        "region": region,
        "level": level,
        "helpdesk": "zendesk",
        "customer": organisation,
    }
    clock_rows(rows, rng, now, template.clock, escalation_id, state, opened, updated, facts)
    history_rows(rows, rng, escalation_id, state, engineer, opened, updated)
    head = dict(template.head)
    head.update(escalation_id=str(escalation_id), channel=world.channels[region])
    head["summary"] = {
        **head["summary"],
        "ticket": external,
        "engineer": engineer,
        "customer": organisation,
        "title": subject,
        "severity": severity,
        "level": level,
        "state": state,
    }
    for step, at in (("opened", opened), ("latest", updated)):
        rows.add(
            tables.OutboxRow,
            {
                "idempotency_key": f"chat:{escalation_id}:head:{step}",
                "target": "slack",
                "operation": HEAD,
                "payload": head,
                "escalation_id": escalation_id,
                "channel": head["channel"],
                "status": "done",
                "attempts": 1,
                "next_attempt_at": at,
                "result": {"ts": f"{at.timestamp():.6f}"},
                "created_at": at,
                "updated_at": at,
            },
        )
        rows.add(
            tables.OutboxRow,
            {
                "idempotency_key": f"chat:{escalation_id}:reply:{step}",
                "target": "slack",
                "operation": "thread_reply",
                "escalation_id": escalation_id,
                "channel": None,
                "payload": {"escalation_id": str(escalation_id), "text": f"{step}", "mention": []},
                "status": "done",
                "attempts": 1,
                "next_attempt_at": at,
                "result": None,
                "created_at": at,
                "updated_at": at,
            },
        )
    if engineer and rng.random() < 0.45:
        key = f"DEV-{ar_id}"
        rows.add(
            tables.ActionRequest,
            {
                "id": ar_id,
                "spar_id": None,
                "escalation_id": escalation_id,
                "kind": "ar",
                "system": "jira",
                "external_key": key,
                "url": f"https://jira.example.com/browse/{key}",
                "state": "open",
                "created_at": opened,
            },
        )
        rows.add(
            tables.ActionRequestLink,
            {
                "system": "jira",
                "external_key": key,
                "escalation_id": escalation_id,
                "fix_version": None,
                "created_at": opened,
            },
        )
