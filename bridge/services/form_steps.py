"""A step as a Slack form gives it (``webhooks/slack/step_forms.py``): its answers by name,
turned into the procedure's step (``procedure.py``), the same function the API calls."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from bridge.domain.enums import CommunicationMode, Outcome, PlanKind, Severity
from bridge.domain.records import CommunicationPlan, OutcomeRecord
from bridge.services.monitoring import agree_monitoring_period
from bridge.services.procedure import (
    assign_engineer,
    close,
    close_after_monitoring,
    customer_answers_plan,
    de_escalate,
    rca_progress,
    remote_session,
    renegotiate,
)
from bridge.services.spar import SparFiling
from bridge.services.splitting import TicketSplitting
from bridge.services.steps import Steps, agree_communication, propose, status_update

# What a refusal says the person could not do: "Could not <this>: <why>".
DOING = {
    "customer_answer": "record the customer's answer",
    "status_update": "post the status update",
    "communication_plan": "agree the communication plan",
    "assign_engineer": "assign the engineer",
    "file_spar": "file the SPAR",
    "rca_progress": "record the root-cause analysis",
    "remote_session": "record the remote session",
    "propose_plan": "propose the plan",
    "mark_resolved": "mark it resolved",
    "split_ticket": "split the ticket",
    "de_escalate": "de-escalate",
    "monitoring_period": "agree the monitoring period",
    "close": "close it",
}


@dataclass(frozen=True)
class Surfaces:
    """The services a form's step may go through."""

    steps: Steps
    spar: SparFiling
    splitting: TicketSplitting


def take_step(
    surfaces: Surfaces,
    step: str,
    escalation_id: int,
    answers: dict[str, Any],
    *,
    by: str,
    cause: str,
    now: dt.datetime,
) -> None:
    """A step as a Slack form gives it (``webhooks/slack/step_forms.py``): its answers by name.
    Raises ``KeyError``/``ValueError`` for answers no form gives, ``DomainError`` for a step
    the procedure refuses."""
    steps = surfaces.steps
    if step == "propose_plan":
        delivery = answers.get("delivery_date")
        propose(
            steps,
            escalation_id,
            kind=PlanKind(answers["kind"]),
            summary=answers["summary"],
            delivery_date=dt.date.fromisoformat(delivery) if delivery else None,
            by=by,
            cause=cause,
            now=now,
        )
    elif step == "customer_answer":
        accepted = answers["answer"] == "accepted"
        reason = answers.get("reason", "")
        customer_answers_plan(
            steps,
            escalation_id,
            None,
            accepted=accepted,
            reason=reason,
            by=by,
            cause=cause,
            now=now,
        )
        if not accepted:  # from Slack, a rejection goes back to development at once (004)
            renegotiate(steps, escalation_id, by=by, cause=cause, now=now)
    elif step == "file_spar":
        severity = Severity(int(answers["severity"])) if answers.get("severity") else None
        surfaces.spar.open_spar(escalation_id, by=by, cause=cause, now=now, severity=severity)
    elif step == "split_ticket":
        problem = answers["urgent_problem"]
        surfaces.splitting.request(
            escalation_id, urgent_problem=problem, by=by, cause=cause, now=now
        )
    elif step == "rca_progress":
        on_track = answers["on_track"] == "on_track"
        rca_progress(steps, escalation_id, on_track=on_track, by=by, cause=cause, now=now)
    elif step == "status_update":
        public = answers["visibility"] == "public"
        text = answers["text"]
        waiting = answers.get("waiting_until")
        # A wait agreed "until Thursday" lasts all of Thursday.
        until = (
            dt.datetime.combine(dt.date.fromisoformat(waiting), dt.time(), dt.UTC)
            + dt.timedelta(days=1)
            if waiting
            else None
        )
        status_update(
            steps,
            escalation_id,
            by=by,
            text=text,
            cause=cause,
            now=now,
            public=public,
            waiting_until=until,
        )
    elif step == "communication_plan":
        attendees = tuple(a.strip() for a in answers.get("attendees", "").split(",") if a.strip())
        every = dt.timedelta(hours=float(answers["every_hours"]))
        plan = CommunicationPlan(CommunicationMode(answers["mode"]), every, attendees)
        agree_communication(steps, escalation_id, plan, by=by, cause=cause, now=now)
    elif step == "assign_engineer":
        engineer = answers["engineer"]
        assign_engineer(steps, escalation_id, engineer=engineer, by=by, cause=cause, now=now)
    elif step == "mark_resolved":
        outcome = OutcomeRecord(
            Outcome(answers["outcome"]),
            answers.get("explanation", ""),
            answers.get("tracker_ref", ""),
            answers.get("resolution_indication", ""),
        )
        close(steps, escalation_id, outcome, agreement_note="", by=by, cause=cause, now=now)
    elif step == "remote_session":
        held_on = dt.date.fromisoformat(answers["held_on"])
        held_at = dt.datetime.combine(held_on, dt.time(), tzinfo=dt.UTC)
        attendees = tuple(a.strip() for a in answers["attendees"].split(",") if a.strip())
        remote_session(
            steps,
            escalation_id,
            held_at=held_at,
            attendees=attendees,
            outcome=answers["outcome"],
            by=by,
            cause=cause,
            now=now,
        )
    elif step == "de_escalate":
        de_escalate(steps, escalation_id, note=answers["agreement"], by=by, cause=cause, now=now)
    elif step == "monitoring_period":
        # Monitored "until Friday" lasts all of Friday (UTC), as an agreed wait does.
        until = dt.datetime.combine(dt.date.fromisoformat(answers["until"]), dt.time(), dt.UTC)
        agree_monitoring_period(
            steps,
            escalation_id,
            until=until + dt.timedelta(days=1),
            agreement=answers["agreement"],
            by=by,
            cause=cause,
            now=now,
        )
    elif step == "close":
        close_after_monitoring(
            steps, escalation_id, agreement=answers["agreement"], by=by, cause=cause, now=now
        )
    else:
        raise ValueError(f"no step {step!r}")
