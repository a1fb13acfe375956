"""The procedure's steps on an existing escalation, one function each, for every surface that
takes them (the API, Slack): the domain rule decides, ``Steps.run`` saves it and tells the
thread, the head message and, where it is news for them, the customer."""

from __future__ import annotations

import datetime as dt

from bridge.domain import plans, resolution, triage
from bridge.domain.clocks import ClockEvent
from bridge.domain.communication import record_status_update
from bridge.domain.enums import Outcome, PlanStatus
from bridge.domain.errors import PlanNotFound
from bridge.domain.records import (
    Agreement,
    Escalation,
    OutcomeRecord,
    RemoteSession,
)
from bridge.services.mrkdwn import inert, mention
from bridge.services.workflow.steps import ForDevelopment, Said, Steps


def assign_engineer(
    steps: Steps, escalation_id: int, *, engineer: str, by: str, cause: str, now: dt.datetime
) -> None:
    """The customer support engineer who becomes the primary contact; work starts (003)."""

    def decide(escalation: Escalation) -> Said:
        plans.activate(escalation, engineer=engineer, actor=by, cause=cause, now=now)
        # An engineer taking the escalation is the escalation team acknowledging it (004).
        return Said(
            f"{mention(engineer)} is the escalation engineer and primary contact",
            clocks=(ClockEvent.ACKNOWLEDGED,),
        )

    steps.run(escalation_id, "activate", decide, cause=cause, now=now)


def request_customer_logs(
    steps: Steps, escalation_id: int, *, what: str, by: str, cause: str, now: dt.datetime
) -> None:
    """The engineer asks the customer for the configuration and log files the investigation
    needs (004: the problem comes with "any supporting configuration and log files"): a public
    reply on the ticket, which updates the customer as a status update does (rule 8)."""
    asked = f"To investigate further, please send us: {what}"

    def decide(escalation: Escalation) -> Said:
        record_status_update(escalation, actor=by, cause=cause, now=now, text=asked)
        return Said(f"Asked the customer for logs: {inert(what)}", customer=asked)

    steps.run(escalation_id, "request-logs", decide, cause=cause, now=now)


def plan_awaiting_answer(escalation: Escalation) -> str:
    """The id of the plan the customer has been told of and not yet answered."""
    for plan in reversed(escalation.plans):
        if plan.status is PlanStatus.PROPOSED:
            return plan.id
    raise PlanNotFound("no action plan is waiting for the customer's answer")


def customer_answers_plan(
    steps: Steps,
    escalation_id: int,
    plan_id: str | None,
    *,
    accepted: bool,
    reason: str = "",
    by: str,
    cause: str,
    now: dt.datetime,
) -> None:
    """The customer's yes or no (with its reason) to the plan they were told of, or to
    ``plan_id``; a rejected plan goes back to development (``renegotiate``)."""

    def decide(escalation: Escalation) -> Said:
        chosen = plan_id or plan_awaiting_answer(escalation)
        if accepted:
            plan = plans.accept_plan(escalation, chosen, by=by, cause=cause, now=now)
            # A workaround the customer accepted is a fix made available to them (000, 004).
            delivered = () if plan.kind.is_release else (ClockEvent.FIX_AVAILABLE,)
            return Said(f"The customer accepted {chosen} ({mention(by)})", clocks=delivered)
        rejected = plans.reject_plan(escalation, chosen, by=by, reason=reason, cause=cause, now=now)
        # Development renegotiates the plan with the escalation engineer (004): their ARs say so,
        # with the customer's reason in their words, once per rejected plan.
        given = rejected.reason.strip()
        development = ForDevelopment(
            f"The customer rejected action plan {chosen} of escalation {escalation.id}; the plan "
            "is to be renegotiated with support. "
            + ("The customer's reason:" if given else "The customer gave no reason."),
            quote=given,
            event=f"escalation-{escalation.id}:{rejected.plan_id}:rejected",
        )
        return Said(
            f"The customer rejected {chosen}: {inert(reason)}. Back to development.",
            development=development,
        )

    name = f"{'accept' if accepted else 'reject'}-{plan_id or 'plan'}"
    steps.run(escalation_id, name, decide, cause=cause, now=now)


def renegotiate(steps: Steps, escalation_id: int, *, by: str, cause: str, now: dt.datetime) -> None:
    def decide(escalation: Escalation) -> Said:
        plans.renegotiate(escalation, actor=by, cause=cause, now=now)
        return Said(f"Renegotiating the action plan with development ({mention(by)})")

    steps.run(escalation_id, "renegotiate", decide, cause=cause, now=now)


def rca_progress(
    steps: Steps, escalation_id: int, *, on_track: bool, by: str, cause: str, now: dt.datetime
) -> None:
    def decide(escalation: Escalation) -> Said:
        resolution.record_rca_progress(
            escalation, on_track=on_track, actor=by, cause=cause, now=now
        )
        track = "on track" if on_track else "NOT on track"
        return Said(f"Root-cause analysis {track} ({mention(by)})")

    steps.run(escalation_id, "rca", decide, cause=cause, now=now)


def de_escalate(
    steps: Steps, escalation_id: int, *, note: str, by: str, cause: str, now: dt.datetime
) -> None:
    """Refused, naming what is missing, unless the plan is accepted, the root-cause analysis
    is on track and the agreement is recorded (003)."""

    def decide(escalation: Escalation) -> Said:
        agreement = Agreement(by, note, now) if note.strip() else None
        resolution.de_escalate(escalation, agreement=agreement, actor=by, cause=cause, now=now)
        return Said(f"De-escalated by agreement: {inert(note)}", customer=f"De-escalated: {note}")

    steps.run(escalation_id, "de-escalate", decide, cause=cause, now=now)


def remote_session(
    steps: Steps,
    escalation_id: int,
    *,
    held_at: dt.datetime,
    attendees: tuple[str, ...],
    outcome: str,
    by: str,
    cause: str,
    now: dt.datetime,
) -> None:
    """The remote session held to review the issue: a step of an Urgent escalation only (002).
    Noted on the ticket, where all communication is documented."""

    def decide(escalation: Escalation) -> Said:
        session = RemoteSession(held_at, attendees, outcome, by)
        triage.record_remote_session(escalation, session, cause=cause, now=now)
        kept = escalation.remote_sessions[-1]
        text = (
            f"Remote session on {kept.held_at:%Y-%m-%d %H:%M} UTC with "
            f"{', '.join(kept.attendees)}: {kept.outcome}"
        )
        return Said(f"{inert(text)} ({mention(by)})", internal=text)

    steps.run(escalation_id, "remote-session", decide, cause=cause, now=now)


def close(
    steps: Steps,
    escalation_id: int,
    outcome: OutcomeRecord,
    *,
    agreement_note: str,
    by: str,
    cause: str,
    now: dt.datetime,
) -> None:
    """Close with the outcome of rule 11; after monitoring, upon the customer's agreement."""

    def decide(escalation: Escalation) -> Said:
        agreement = Agreement(by, agreement_note, now) if agreement_note.strip() else None
        resolution.close(escalation, outcome, agreement=agreement, actor=by, cause=cause, now=now)
        agreed = f" ({agreement_note.strip()})" if agreement else ""
        return Said(f"Closed by {mention(by)}: {_outcome_text(outcome)}{agreed}.")

    steps.run(escalation_id, "close", decide, cause=cause, now=now)


def close_after_monitoring(
    steps: Steps, escalation_id: int, *, agreement: str, by: str, cause: str, now: dt.datetime
) -> None:
    """The escalation manager closes on the customer's agreement once monitoring is over (002)."""
    satisfied = OutcomeRecord(Outcome.CUSTOMER_SATISFIED)
    close(steps, escalation_id, satisfied, agreement_note=agreement, by=by, cause=cause, now=now)


def _outcome_text(outcome: OutcomeRecord) -> str:
    text = outcome.outcome.value.replace("_", " ")
    if outcome.outcome is Outcome.BUG_IN_TRACKER and outcome.tracker_ref:
        text += f" ({outcome.tracker_ref}"
        text += f", {outcome.resolution_indication})" if outcome.resolution_indication else ")"
    elif outcome.explanation:
        text += f": {outcome.explanation}"
    return text
