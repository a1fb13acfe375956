from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bridge.domain.enums import EntryPoint, PlanKind, Priority, ReasonCategory, Severity
from bridge.domain.levels import LevelOwners
from bridge.domain.opening import Advice, RequestEscalation, open_escalation
from bridge.domain.plans import accept_plan, activate, propose_plan
from bridge.domain.records import ActionPlan, Escalation, Ticket, TriageAnswers
from bridge.domain.triage import triage

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def owners() -> LevelOwners:
    return LevelOwners.from_mapping({1: "@support-manager", 2: "@account-manager", 3: "@ceo"})


@pytest.fixture
def make_ticket() -> Callable[..., Ticket]:
    def make(**changes: Any) -> Ticket:
        ticket = Ticket(
            external_id="ZD-1001",
            requester="ops@customer.example",
            organisation="Customer Ltd",
            subject="Call routing fails after upgrade",
            description="Inbound calls drop; 300 agents cannot take calls.",
            severity=Severity.CRITICAL,
            priority=Priority.URGENT,
            region="uk",
            opened_at=NOW - timedelta(days=5),
            last_support_reply_at=NOW - timedelta(days=2),
        )
        return replace(ticket, **changes)

    return make


@pytest.fixture
def make_request() -> Callable[..., RequestEscalation]:
    def make(**changes: Any) -> RequestEscalation:
        command = RequestEscalation(
            ticket_ref="ZD-1001",
            reason=ReasonCategory.CRITICAL_BUSINESS_IMPACT,
            reason_text="Production calls are failing",
            requested_by="partner@customer.example",
            entry_point=EntryPoint.ESCALATION_REQUEST,
            cause="inbox:42",
        )
        return replace(command, **changes)

    return make


@pytest.fixture
def opened(
    make_ticket: Callable[..., Ticket],
    make_request: Callable[..., RequestEscalation],
    owners: LevelOwners,
) -> Escalation:
    """A freshly opened escalation in state `requested`."""
    escalation, _ = open_escalation(
        make_request(),
        make_ticket(),
        escalation_id="esc-1",
        owners=owners,
        advice=Advice(frozenset()),
        override=None,
        now=NOW,
    )
    return escalation


@pytest.fixture
def active(opened: Escalation) -> Escalation:
    """Triaged Urgent and worked by an escalation engineer."""
    answers = TriageAnswers(production_down=True)
    triage(opened, answers, today=NOW.date(), actor="cse", cause="cmd", now=NOW)
    activate(opened, engineer="cse:ana", actor="lead", cause="cmd", now=NOW)
    return opened


@pytest.fixture
def with_plan(active: Escalation) -> Escalation:
    """The customer accepted patch plan p1."""
    patch = ActionPlan(
        "p1", "esc-1", PlanKind.PATCH, "patch 7.2.1", delivery_date=date(2026, 3, 20)
    )
    propose_plan(active, patch, actor="cse:ana", cause="cmd", now=NOW)
    accept_plan(active, "p1", by="customer", cause="page:accept", now=NOW)
    return active
