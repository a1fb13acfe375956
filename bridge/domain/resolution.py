"""Resolution, monitoring, de-escalation and closing (rules 9, 10, 11; 002, 003)."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from bridge.domain.enums import EscalationState, EscalationStep, Outcome
from bridge.domain.errors import (
    DeEscalationBlocked,
    MonitoringNotOver,
    MonitoringPeriodRefused,
    OutcomeIncomplete,
)
from bridge.domain.lifecycle import apply_step, record_in_place, refuse_if_closed
from bridge.domain.records import Agreement, AuditEvent, Escalation, OutcomeRecord


def notify_customer(escalation: Escalation, *, actor: str, cause: str, now: datetime) -> AuditEvent:
    """The fix went out with accept / reject links: `fix_shipped -> awaiting_customer`."""
    return apply_step(escalation, EscalationStep.NOTIFY_CUSTOMER, actor=actor, cause=cause, now=now)


def customer_accepts(
    escalation: Escalation,
    *,
    monitoring_period: timedelta,
    by: str,
    cause: str,
    now: datetime,
) -> datetime:
    """Resolved to the customer's satisfaction; watch it for the agreed period (002)."""
    if monitoring_period < timedelta(0):
        msg = "the monitoring period cannot be negative"
        raise ValueError(msg)
    apply_step(
        escalation,
        EscalationStep.CUSTOMER_ACCEPTS,
        actor=by,
        cause=cause,
        now=now,
        note=f"monitoring for {monitoring_period}",
    )
    escalation.monitoring_until = now + monitoring_period
    return escalation.monitoring_until


def customer_rejects(
    escalation: Escalation, *, by: str, reason: str, cause: str, now: datetime
) -> AuditEvent:
    """The customer rejects the fix: the escalation reopens and is worked again."""
    return apply_step(
        escalation, EscalationStep.CUSTOMER_REJECTS, actor=by, cause=cause, now=now, note=reason
    )


def agree_monitoring_period(
    escalation: Escalation, *, until: datetime, agreement: Agreement, cause: str, now: datetime
) -> datetime:
    """The period agreed with the customer for this escalation (002: "monitored for an agreed
    period"), in place of the configured one: it ends at ``until``, which may not be past."""
    refused = []
    if escalation.state is not EscalationState.MONITORING:
        refused.append(f"escalation {escalation.id} is not being monitored")
    if not agreement.note.strip():
        refused.append("the customer's agreement to the period is not documented")
    if until < now:
        refused.append(f"the period cannot end in the past ({until.isoformat()})")
    if refused:
        raise MonitoringPeriodRefused("; ".join(refused))
    escalation.monitoring_until = until
    record_in_place(
        escalation,
        "agree_monitoring_period",
        actor=agreement.by,
        cause=cause,
        now=now,
        note=f"monitoring until {until.isoformat()}, agreed: {agreement.note.strip()}",
    )
    return until


class Recurrence(StrEnum):
    REOPENED = "reopened"
    # After the period the problem is a new one: escalate again as "resolved problem recurring".
    OUTSIDE_MONITORING_PERIOD = "outside_monitoring_period"


def report_recurrence(
    escalation: Escalation, *, actor: str, cause: str, now: datetime
) -> Recurrence:
    """The problem came back. Within the monitoring period that reopens the escalation."""
    until = escalation.monitoring_until
    in_period = escalation.state is EscalationState.MONITORING and until is not None and now < until
    if escalation.state is EscalationState.MONITORING and not in_period:
        return Recurrence.OUTSIDE_MONITORING_PERIOD
    apply_step(escalation, EscalationStep.RECUR, actor=actor, cause=cause, now=now)
    return Recurrence.REOPENED


def record_rca_progress(
    escalation: Escalation, *, on_track: bool, actor: str, cause: str, now: datetime
) -> None:
    refuse_if_closed(escalation, "root-cause analysis progress")
    escalation.rca_on_track = on_track
    record_in_place(
        escalation,
        "rca_progress",
        actor=actor,
        cause=cause,
        now=now,
        note="on track" if on_track else "off track",
    )


def de_escalate(
    escalation: Escalation,
    *,
    agreement: Agreement | None,
    actor: str,
    cause: str,
    now: datetime,
) -> AuditEvent:
    """De-escalate (003): plan accepted, root-cause analysis on track, agreement documented."""
    missing: list[str] = []
    if escalation.accepted_plan is None:
        missing.append("no action plan has been accepted")
    if not escalation.rca_on_track:
        missing.append("root-cause analysis is not recorded as on track")
    if agreement is None or not agreement.note.strip():
        missing.append("the customer's agreement to de-escalate is not documented")
    if missing or agreement is None:
        raise DeEscalationBlocked(escalation.id, tuple(missing))
    event = apply_step(
        escalation,
        EscalationStep.DE_ESCALATE,
        actor=actor,
        cause=cause,
        now=now,
        note=f"agreed with {agreement.by}: {agreement.note.strip()}",
    )
    escalation.de_escalation = agreement
    return event


def check_outcome(outcome: OutcomeRecord) -> None:
    """Rule 11 asks for the why, or for the bug and an indication of its resolution."""
    if outcome.outcome is Outcome.EXPLAINED_NOT_POSSIBLE and not outcome.explanation.strip():
        msg = "an outcome 'explained as not possible' must say why it is not possible"
        raise OutcomeIncomplete(msg)
    if outcome.outcome is Outcome.BUG_IN_TRACKER and not (
        outcome.tracker_ref.strip() and outcome.resolution_indication.strip()
    ):
        msg = (
            "an outcome 'bug in the tracker' needs the tracker reference and a resolution estimate"
        )
        raise OutcomeIncomplete(msg)


def close(
    escalation: Escalation,
    outcome: OutcomeRecord,
    *,
    agreement: Agreement | None = None,
    actor: str,
    cause: str,
    now: datetime,
) -> AuditEvent:
    """Close with one of the outcomes of rule 11.

    After monitoring (002) the period must be over and the customer's agreement recorded.
    """
    check_outcome(outcome)
    if escalation.state is EscalationState.MONITORING:
        until = escalation.monitoring_until
        if until is not None and now < until:
            msg = f"escalation {escalation.id} is monitored until {until.isoformat()}"
            raise MonitoringNotOver(msg)
        if agreement is None:
            msg = f"escalation {escalation.id}: record the customer's agreement to close it"
            raise MonitoringNotOver(msg)
    event = apply_step(
        escalation,
        EscalationStep.CLOSE,
        actor=actor,
        cause=cause,
        now=now,
        note=outcome.outcome.value,
    )
    escalation.outcome = outcome
    return event
