"""Rule 9 and 004: action plans, their acceptance and renegotiation, the SPAR and its AR."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest

from bridge.domain.enums import (
    EscalationState,
    PlanKind,
    PlanStatus,
    Severity,
    SparState,
    SparStep,
)
from bridge.domain.errors import (
    IllegalTransition,
    PlanNotFound,
    RuleViolation,
)
from bridge.domain.lifecycle import apply_step
from bridge.domain.plans import (
    accept_plan,
    file_ar,
    open_spar,
    propose_plan,
    record_plan_on_spar,
    reject_plan,
    renegotiate,
)
from bridge.domain.records import (
    ActionPlan,
    ActionRequest,
    Escalation,
    Ticket,
)

HOUR = timedelta(hours=1)


def make_plan(plan_id: str, kind: PlanKind = PlanKind.PATCH) -> ActionPlan:
    delivery = date(2026, 3, 20) if kind.is_release else None
    return ActionPlan(plan_id, "esc-1", kind, f"plan {plan_id}", delivery_date=delivery)


def test_rejected_plan_is_renegotiated_until_one_is_accepted(
    active: Escalation, now: datetime
) -> None:
    propose_plan(active, make_plan("p1"), actor="cse:ana", cause="cmd", now=now)

    rejected = reject_plan(
        active, "p1", by="customer", reason="too late", cause="page:reject", now=now
    )
    renegotiate(active, actor="cse:ana", cause="cmd", now=now)
    propose_plan(
        active, make_plan("p2", PlanKind.WORKAROUND), actor="cse:ana", cause="cmd", now=now
    )
    accepted = accept_plan(active, "p2", by="customer", cause="page:accept", now=now + HOUR)

    assert (rejected.plan_id, rejected.reason) == ("p1", "too late")
    assert [p.status for p in active.plans] == [PlanStatus.REJECTED, PlanStatus.ACCEPTED]
    assert active.accepted_plan is accepted
    assert (accepted.decided_by, accepted.decided_at) == ("customer", now + HOUR)
    assert active.state is EscalationState.PLAN_ACCEPTED


def test_a_plan_cannot_be_accepted_twice(with_plan: Escalation, now: datetime) -> None:
    with pytest.raises(PlanNotFound, match="no proposed action plan p1"):
        accept_plan(with_plan, "p1", by="customer", cause="page:accept", now=now)


def test_a_software_release_plan_needs_a_delivery_date(active: Escalation, now: datetime) -> None:
    undated = ActionPlan("p1", "esc-1", PlanKind.MAINTENANCE_RELEASE, "7.2.1")

    with pytest.raises(RuleViolation, match="schedule a delivery date"):
        propose_plan(active, undated, actor="cse:ana", cause="cmd", now=now)
    assert active.state is EscalationState.ACTIVE


def test_ar_number_is_noted_on_the_customer_ticket(
    opened: Escalation, make_ticket: Callable[..., Ticket], now: datetime
) -> None:
    ticket = make_ticket()
    spar = open_spar(
        opened, spar_id="SUP-5", severity=Severity.CRITICAL, actor="cse", cause="cmd", now=now
    )
    ar = ActionRequest("ar-1", "SUP-5", "ZD-1001", tracker="jira", key="DEV-123")

    file_ar(spar, ar, ticket, actor="cse", cause="cmd", now=now)

    assert spar.state is SparState.AR_FILED
    assert spar.ar_ids == ["ar-1"]
    assert "jira:DEV-123" in ticket.links
    assert opened.spar_ids == ["SUP-5"]


def test_spar_closes_only_when_a_solution_is_available_and_the_customer_accepts(
    with_plan: Escalation, make_ticket: Callable[..., Ticket], now: datetime
) -> None:
    spar = open_spar(
        with_plan, spar_id="SUP-5", severity=Severity.MAJOR, actor="cse", cause="cmd", now=now
    )
    file_ar(
        spar,
        ActionRequest("ar-1", "SUP-5", "ZD-1001", "github", "#42"),
        make_ticket(),
        actor="cse",
        cause="cmd",
        now=now,
    )
    record_plan_on_spar(spar, with_plan.plans[0], actor="cse", cause="cmd", now=now)

    with pytest.raises(IllegalTransition, match="'plan': step 'close'"):
        apply_step(spar, SparStep.CLOSE, actor="cse", cause="cmd", now=now)
    apply_step(spar, SparStep.MAKE_SOLUTION_AVAILABLE, actor="gh", cause="gh:1", now=now)
    with pytest.raises(IllegalTransition, match="'solution_available': step 'close'"):
        apply_step(spar, SparStep.CLOSE, actor="cse", cause="cmd", now=now)
    apply_step(spar, SparStep.CUSTOMER_ACCEPTS, actor="customer", cause="page", now=now)
    apply_step(spar, SparStep.CLOSE, actor="cse", cause="cmd", now=now)

    assert spar.state is SparState.CLOSED
    assert spar.plan_ids == ["p1"]
