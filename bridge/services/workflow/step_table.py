"""The one table from a step's name to what taking it does: Slack's forms and the API build the
step's command (``bridge.catalogue``) and run it here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bridge.catalogue import commands as c
from bridge.catalogue.spec import Command
from bridge.domain.records import CommunicationPlan, OutcomeRecord
from bridge.services.development.spar import SparFiling
from bridge.services.escalation.splitting import TicketSplitting
from bridge.services.workflow import procedure
from bridge.services.workflow.monitoring import agree_monitoring_period
from bridge.services.workflow.steps import Steps, agree_communication, propose, status_update


@dataclass(frozen=True)
class StepServices:
    """The services a step's command may go through."""

    steps: Steps
    spar: SparFiling
    splitting: TicketSplitting


@dataclass(frozen=True)
class Taking:
    """Who takes the step, why (the cause names the request: its idempotency key), and when."""

    by: str
    cause: str
    now: dt.datetime

    @property
    def said(self) -> dict[str, Any]:
        return {"by": self.by, "cause": self.cause, "now": self.now}


Handler = Callable[[StepServices, int, Any, Taking], None]


def _propose(s: StepServices, eid: int, cmd: c.ProposePlan, t: Taking) -> None:
    propose(
        s.steps, eid, kind=cmd.kind, summary=cmd.summary, delivery_date=cmd.delivery_date, **t.said
    )


def _answer(s: StepServices, eid: int, cmd: c.CustomerAnswer, t: Taking) -> None:
    procedure.customer_answers_plan(
        s.steps, eid, cmd.plan_id, accepted=cmd.accepted, reason=cmd.reason, **t.said
    )
    if cmd.back_to_development and not cmd.accepted:
        procedure.renegotiate(s.steps, eid, **t.said)


def _resolved(s: StepServices, eid: int, cmd: c.MarkResolved, t: Taking) -> None:
    outcome = OutcomeRecord(
        cmd.outcome, cmd.explanation, cmd.tracker_ref, cmd.resolution_indication
    )
    procedure.close(s.steps, eid, outcome, agreement_note=cmd.agreement_note, **t.said)


def _communication(s: StepServices, eid: int, cmd: c.AgreeCommunication, t: Taking) -> None:
    every = dt.timedelta(hours=cmd.every_hours)
    plan = CommunicationPlan(cmd.mode, every, cmd.attendees)
    agree_communication(s.steps, eid, plan, **t.said)


def _status(s: StepServices, eid: int, cmd: c.StatusUpdate, t: Taking) -> None:
    status_update(
        s.steps, eid, text=cmd.text, public=cmd.public, waiting_until=cmd.waiting_until, **t.said
    )


def _session(s: StepServices, eid: int, cmd: c.RemoteSession, t: Taking) -> None:
    procedure.remote_session(
        s.steps, eid, held_at=cmd.held_at, attendees=cmd.attendees, outcome=cmd.outcome, **t.said
    )


HANDLERS: dict[str, Handler] = {
    "propose_plan": _propose,
    "customer_answer": _answer,
    "mark_resolved": _resolved,
    "communication_plan": _communication,
    "status_update": _status,
    "remote_session": _session,
    "assign_engineer": lambda s, eid, cmd, t: procedure.assign_engineer(
        s.steps, eid, engineer=cmd.engineer, **t.said
    ),
    "file_spar": lambda s, eid, cmd, t: s.spar.open_spar(eid, severity=cmd.severity, **t.said),
    "split_ticket": lambda s, eid, cmd, t: s.splitting.request(
        eid, urgent_problem=cmd.urgent_problem, **t.said
    ),
    "request_logs": lambda s, eid, cmd, t: procedure.request_customer_logs(
        s.steps, eid, what=cmd.what, **t.said
    ),
    "rca_progress": lambda s, eid, cmd, t: procedure.rca_progress(
        s.steps, eid, on_track=cmd.on_track, **t.said
    ),
    "de_escalate": lambda s, eid, cmd, t: procedure.de_escalate(
        s.steps, eid, note=cmd.note, **t.said
    ),
    "monitoring_period": lambda s, eid, cmd, t: agree_monitoring_period(
        s.steps, eid, until=cmd.until, agreement=cmd.agreement, **t.said
    ),
    "close": lambda s, eid, cmd, t: procedure.close_after_monitoring(
        s.steps, eid, agreement=cmd.agreement, **t.said
    ),
}


def run_step(
    services: StepServices, name: str, escalation_id: int, command: Command, taking: Taking
) -> None:
    """Take step ``name`` with its command. Raises ``DomainError`` for a step the procedure
    refuses, ``KeyError`` for a step the table has no handler for."""
    HANDLERS[name](services, escalation_id, command, taking)
