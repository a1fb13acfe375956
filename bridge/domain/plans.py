"""Activation, action plans and their acceptance (rule 9, 004), and the SPAR with its AR."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bridge.domain.enums import EscalationStep, PlanStatus, Severity, SparState, SparStep
from bridge.domain.errors import IllegalTransition, PlanNotFound, RuleViolation
from bridge.domain.lifecycle import apply_step, record_audit, record_in_place
from bridge.domain.records import (
    ActionPlan,
    ActionRequest,
    AuditEvent,
    Escalation,
    FixEta,
    Spar,
    Ticket,
)


def activate(
    escalation: Escalation, *, engineer: str, actor: str, cause: str, now: datetime
) -> AuditEvent:
    """Assign the escalation engineer (the primary contact) and start work on the escalation."""
    event = apply_step(
        escalation, EscalationStep.ACTIVATE, actor=actor, cause=cause, now=now, note=engineer
    )
    escalation.engineer = engineer
    return event


def propose_plan(
    escalation: Escalation, plan: ActionPlan, *, actor: str, cause: str, now: datetime
) -> ActionPlan:
    if plan.escalation_id != escalation.id:
        msg = (
            f"action plan {plan.id} belongs to escalation {plan.escalation_id}, not {escalation.id}"
        )
        raise ValueError(msg)
    if plan.kind.is_release and plan.delivery_date is None:
        msg = f"action plan {plan.id} is a {plan.kind.value}: schedule a delivery date (004)"
        raise RuleViolation(msg)
    # The timeline says what was proposed, not only the plan's id.
    summary = f"{plan.id} ({plan.kind.value}): {plan.summary.strip()}"
    apply_step(
        escalation, EscalationStep.PROPOSE_PLAN, actor=actor, cause=cause, now=now, note=summary
    )
    plan.status = PlanStatus.PROPOSED
    plan.proposed_at = now
    escalation.plans.append(plan)
    return plan


def _proposed_plan(escalation: Escalation, plan_id: str) -> ActionPlan:
    for plan in escalation.plans:
        if plan.id == plan_id and plan.status is PlanStatus.PROPOSED:
            return plan
    msg = f"escalation {escalation.id} has no proposed action plan {plan_id}"
    raise PlanNotFound(msg)


def accept_plan(
    escalation: Escalation, plan_id: str, *, by: str, cause: str, now: datetime
) -> ActionPlan:
    """The customer accepts the plan communicated to them."""
    plan = _proposed_plan(escalation, plan_id)
    apply_step(escalation, EscalationStep.ACCEPT_PLAN, actor=by, cause=cause, now=now, note=plan_id)
    plan.status, plan.decided_at, plan.decided_by = PlanStatus.ACCEPTED, now, by
    return plan


@dataclass(frozen=True)
class PlanRejected:
    """Event: the engineer takes the plan back to development to renegotiate (004)."""

    escalation_id: str
    plan_id: str
    spar_id: str | None
    reason: str


def reject_plan(
    escalation: Escalation, plan_id: str, *, by: str, reason: str, cause: str, now: datetime
) -> PlanRejected:
    plan = _proposed_plan(escalation, plan_id)
    apply_step(escalation, EscalationStep.REJECT_PLAN, actor=by, cause=cause, now=now, note=plan_id)
    plan.status, plan.decided_at, plan.decided_by = PlanStatus.REJECTED, now, by
    plan.rejection_reason = reason
    return PlanRejected(escalation.id, plan.id, plan.spar_id, reason)


def renegotiate(escalation: Escalation, *, actor: str, cause: str, now: datetime) -> AuditEvent:
    return apply_step(escalation, EscalationStep.RENEGOTIATE, actor=actor, cause=cause, now=now)


def ship_fix(
    escalation: Escalation, *, actor: str, cause: str, now: datetime, note: str = ""
) -> AuditEvent:
    """The fix shipped (Jira version released, issue done, PR merged, release published)."""
    return apply_step(
        escalation, EscalationStep.SHIP_FIX, actor=actor, cause=cause, now=now, note=note
    )


def open_spar(
    escalation: Escalation,
    *,
    spar_id: str,
    severity: Severity,
    actor: str,
    cause: str,
    now: datetime,
) -> Spar:
    """The problem is software-related: open a SPAR for the escalation (004)."""
    if not escalation.is_open:
        raise IllegalTransition(escalation.kind, escalation.id, escalation.state.value, "open_spar")
    spar = Spar(
        id=spar_id,
        escalation_id=escalation.id,
        ticket_id=escalation.ticket_id,
        severity=severity,
        opened_at=now,
    )
    record_audit(spar, "open", "", spar.state.value, actor=actor, cause=cause, now=now)
    escalation.spar_ids.append(spar_id)
    return spar


def negotiate_severity(
    spar: Spar, severity: Severity, *, agreed_with: str, actor: str, cause: str, now: datetime
) -> None:
    before = spar.severity
    spar.severity = severity
    record_in_place(
        spar,
        "negotiate_severity",
        actor=actor,
        cause=cause,
        now=now,
        note=f"severity {int(before)} -> {int(severity)} agreed with {agreed_with}",
    )


def file_ar(
    spar: Spar, ar: ActionRequest, ticket: Ticket, *, actor: str, cause: str, now: datetime
) -> ActionRequest:
    """Record the AR and note its number on the customer's ticket (004)."""
    if ar.spar_id != spar.id or ticket.external_id != spar.ticket_id:
        msg = f"action request {ar.key} does not belong to SPAR {spar.id} / ticket {spar.ticket_id}"
        raise ValueError(msg)
    apply_step(spar, SparStep.FILE_AR, actor=actor, cause=cause, now=now, note=ar.key)
    spar.ar_ids.append(ar.id)
    link = f"{ar.tracker}:{ar.key}"
    if link not in ticket.links:
        ticket.links.append(link)
    return ar


def record_plan_on_spar(
    spar: Spar, plan: ActionPlan, *, actor: str, cause: str, now: datetime
) -> AuditEvent:
    """An accepted plan becomes the SPAR's plan; a later one revises it."""
    if plan.status is not PlanStatus.ACCEPTED:
        msg = f"action plan {plan.id} is {plan.status.value}; only an accepted plan goes on a SPAR"
        raise RuleViolation(msg)
    step = SparStep.REVISE_PLAN if spar.state is SparState.PLAN else SparStep.AGREE_PLAN
    event = apply_step(spar, step, actor=actor, cause=cause, now=now, note=plan.id)
    plan.spar_id = spar.id
    spar.plan_ids.append(plan.id)
    return event


def expect_fix(
    escalation: Escalation, eta: FixEta, *, actor: str, cause: str, now: datetime
) -> bool:
    """Development dated the AR's fix version: the escalation's ETA. False when it already was
    (the same date reported again is not news)."""
    if escalation.fix_eta == eta:
        return False
    escalation.fix_eta = eta
    note = f"{eta.ar}: fix version {eta.version}, release date {eta.release_date.isoformat()}"
    record_in_place(escalation, "fix_eta", actor=actor, cause=cause, now=now, note=note)
    return True
