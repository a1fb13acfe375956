"""Workflow steps through the API, on the ``api`` blueprint (same token, same error answers)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from bridge.domain.enums import CommunicationMode, Outcome, PlanKind, Severity
from bridge.domain.records import CommunicationPlan, Escalation, OutcomeRecord
from bridge.domain.triage import missing_answers, require_complete_triage, triage
from bridge.jobs.clock import utcnow
from bridge.services import procedure
from bridge.services.steps import Said, agree_communication, propose, status_update
from webhooks.api import TriageBody, api, show
from webhooks.api_input import TicketRef, json_body
from webhooks.context import current_runtime


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid")

    by: str = Field(min_length=1)


class Activate(Step):
    engineer: str = Field(min_length=1)


class Proposal(Step):
    kind: PlanKind
    summary: str = Field(min_length=1)
    delivery_date: date | None = None


class Rejection(Step):
    reason: str = Field(min_length=1)


class Rca(Step):
    on_track: bool


class Agreed(Step):
    note: str = Field(min_length=1)


class Closing(Step):
    outcome: Outcome
    explanation: str = ""
    tracker_ref: str = ""
    resolution_indication: str = ""
    agreement_note: str = ""


class Communication(Step):
    mode: CommunicationMode
    every_hours: float = Field(gt=0)
    attendees: list[str] = Field(default_factory=list)


class Status(Step):
    text: str = Field(min_length=1)
    public: bool = True
    # A wait on the customer agreed in this update: the policy's clocks pause until then.
    waiting_until: AwareDatetime | None = None


def _body(model: type[Step]) -> Any:
    return model.model_validate(json_body() or {})


def _cause(name: str) -> str:
    return f"api:{name}:{request.headers.get('X-Request-Id', '')}"


def _steps() -> Any:
    return current_runtime().services.steps


def _run(escalation_id: int, name: str, decide: Any) -> tuple[dict[str, Any], int]:
    _steps().run(escalation_id, name, decide, cause=_cause(name), now=utcnow())
    return show(escalation_id)


class Triage(Step):
    answers: TriageBody


@api.post("/escalations/<id:escalation_id>/triage")
def triage_step(escalation_id: int) -> tuple[dict[str, Any], int]:
    """Refused with 422, naming each missing field, unless the required answers are given."""
    body: Triage = _body(Triage)
    answers = require_complete_triage(body.answers.answers())

    def decide(escalation: Escalation) -> Said:
        today = utcnow().date()
        found = triage(
            escalation, answers, today=today, actor=body.by, cause=_cause("triage"), now=utcnow()
        )
        missing = missing_answers(answers)
        ask = f" Still to ask the customer: {' '.join(missing)}" if missing else ""
        return Said(f"Triaged as {found.value.replace('_', ' ')}.{ask}")

    return _run(escalation_id, "triage", decide)


class SameProblem(Step):
    ticket: TicketRef


@api.post("/escalations/<id:escalation_id>/same-problem")
def same_problem_step(escalation_id: int) -> tuple[dict[str, Any], int]:
    """A new ticket reports the same problem: during monitoring the escalation reopens."""
    body: SameProblem = _body(SameProblem)
    current_runtime().services.monitoring.same_problem(
        escalation_id, ticket_ref=body.ticket, by=body.by, now=utcnow()
    )
    return show(escalation_id)


class SparBody(Step):
    severity: Severity | None = None


@api.post("/escalations/<id:escalation_id>/spar")
def spar_step(escalation_id: int) -> tuple[dict[str, Any], int]:
    body: SparBody = _body(SparBody)
    current_runtime().services.spar.open_spar(
        escalation_id,
        by=body.by,
        cause=_cause("spar"),
        now=utcnow(),
        severity=body.severity,
    )
    return show(escalation_id)[0], 201


@api.post("/escalations/<id:escalation_id>/activate")
def activate_step(escalation_id: int) -> tuple[dict[str, Any], int]:
    body: Activate = _body(Activate)
    procedure.assign_engineer(
        _steps(),
        escalation_id,
        engineer=body.engineer,
        by=body.by,
        cause=_cause("activate"),
        now=utcnow(),
    )
    return show(escalation_id)


@api.post("/escalations/<id:escalation_id>/plans")
def propose_step(escalation_id: int) -> tuple[dict[str, Any], int]:
    body: Proposal = _body(Proposal)
    propose(
        current_runtime().services.steps,
        escalation_id,
        kind=body.kind,
        summary=body.summary,
        delivery_date=body.delivery_date,
        by=body.by,
        cause=_cause("propose"),
        now=utcnow(),
    )
    return show(escalation_id)[0], 201


@api.post("/escalations/<id:escalation_id>/plans/<plan_id>/accept")
def accept_step(escalation_id: int, plan_id: str) -> tuple[dict[str, Any], int]:
    body: Step = _body(Step)
    procedure.customer_answers_plan(
        _steps(),
        escalation_id,
        plan_id,
        accepted=True,
        by=body.by,
        cause=_cause("accept"),
        now=utcnow(),
    )
    return show(escalation_id)


@api.post("/escalations/<id:escalation_id>/plans/<plan_id>/reject")
def reject_step(escalation_id: int, plan_id: str) -> tuple[dict[str, Any], int]:
    body: Rejection = _body(Rejection)
    procedure.customer_answers_plan(
        _steps(),
        escalation_id,
        plan_id,
        accepted=False,
        reason=body.reason,
        by=body.by,
        cause=_cause("reject"),
        now=utcnow(),
    )
    return show(escalation_id)


@api.post("/escalations/<id:escalation_id>/renegotiate")
def renegotiate_step(escalation_id: int) -> tuple[dict[str, Any], int]:
    body: Step = _body(Step)
    procedure.renegotiate(
        _steps(), escalation_id, by=body.by, cause=_cause("renegotiate"), now=utcnow()
    )
    return show(escalation_id)


@api.post("/escalations/<id:escalation_id>/rca")
def rca_step(escalation_id: int) -> tuple[dict[str, Any], int]:
    body: Rca = _body(Rca)
    procedure.rca_progress(
        _steps(),
        escalation_id,
        on_track=body.on_track,
        by=body.by,
        cause=_cause("rca"),
        now=utcnow(),
    )
    return show(escalation_id)


@api.post("/escalations/<id:escalation_id>/de-escalate")
def de_escalate_step(escalation_id: int) -> tuple[dict[str, Any], int]:
    body: Agreed = _body(Agreed)
    procedure.de_escalate(
        _steps(),
        escalation_id,
        note=body.note,
        by=body.by,
        cause=_cause("de-escalate"),
        now=utcnow(),
    )
    return show(escalation_id)


@api.post("/escalations/<id:escalation_id>/close")
def close_step(escalation_id: int) -> tuple[dict[str, Any], int]:
    body: Closing = _body(Closing)
    outcome = OutcomeRecord(
        body.outcome, body.explanation, body.tracker_ref, body.resolution_indication
    )
    procedure.close(
        _steps(),
        escalation_id,
        outcome,
        agreement_note=body.agreement_note,
        by=body.by,
        cause=_cause("close"),
        now=utcnow(),
    )
    return show(escalation_id)


@api.post("/escalations/<id:escalation_id>/communication-plan")
def communication_step(escalation_id: int) -> tuple[dict[str, Any], int]:
    body: Communication = _body(Communication)
    plan = CommunicationPlan(body.mode, timedelta(hours=body.every_hours), tuple(body.attendees))
    agree_communication(
        current_runtime().services.steps,
        escalation_id,
        plan,
        by=body.by,
        cause=_cause("plan"),
        now=utcnow(),
    )
    return show(escalation_id)


@api.post("/escalations/<id:escalation_id>/status-update")
def status_step(escalation_id: int) -> tuple[dict[str, Any], int]:
    body: Status = _body(Status)
    status_update(
        current_runtime().services.steps,
        escalation_id,
        by=body.by,
        text=body.text,
        cause=_cause("status"),
        now=utcnow(),
        public=body.public,
        waiting_until=body.waiting_until,
    )
    return show(escalation_id)


class RemoteSessionBody(Step):
    held_at: AwareDatetime
    attendees: list[str] = Field(min_length=1)
    outcome: str = Field(min_length=1)

    @field_validator("held_at")
    @classmethod
    def _not_in_the_future(cls, held_at: AwareDatetime) -> AwareDatetime:
        if held_at > utcnow():
            raise ValueError("the remote session is in the future; record it once it is held")
        return held_at


@api.post("/escalations/<id:escalation_id>/remote-session")
def remote_session_step(escalation_id: int) -> tuple[dict[str, Any], int]:
    """The remote session of an Urgent escalation (002); 409 for any other."""
    body: RemoteSessionBody = _body(RemoteSessionBody)
    procedure.remote_session(
        _steps(),
        escalation_id,
        held_at=body.held_at,
        attendees=tuple(body.attendees),
        outcome=body.outcome,
        by=body.by,
        cause=_cause("remote-session"),
        now=utcnow(),
    )
    return show(escalation_id)[0], 201
