"""Workflow steps through the API, on the ``api`` blueprint (same token, same error answers).

The catalogue's steps (``bridge.catalogue``) get their routes from it: the body is the step's
command and ``by``, and the step runs from the one table (``bridge.services.workflow.step_table``).
The customer's answer, for a plan the path names, and the API's own steps are written out here."""

from __future__ import annotations

from typing import Any

from flask import request
from pydantic import BaseModel, ConfigDict, Field, create_model

from bridge import catalogue
from bridge.catalogue.commands import CustomerAnswer
from bridge.domain.records import Escalation
from bridge.domain.triage import missing_answers, require_complete_triage, triage
from bridge.jobs.clock import utcnow
from bridge.services.workflow import procedure
from bridge.services.workflow.step_table import StepServices, Taking, run_step
from bridge.services.workflow.steps import Said
from webhooks.api import TriageBody, api, show
from webhooks.api_input import TicketRef, json_body
from webhooks.context import current_runtime


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid")

    by: str = Field(min_length=1)


class _By(catalogue.Command):
    by: str = Field(min_length=1)


def _body(model: type[BaseModel]) -> Any:
    return model.model_validate(json_body() or {})


def _cause(name: str) -> str:
    return f"api:{name}:{request.headers.get('X-Request-Id', '')}"


def _run(escalation_id: int, name: str, decide: Any) -> tuple[dict[str, Any], int]:
    current_runtime().services.steps.run(
        escalation_id, name, decide, cause=_cause(name), now=utcnow()
    )
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


def _take(escalation_id: int, name: str, command: Any, by: str, cause: str) -> None:
    services = current_runtime().services
    taking = Taking(by=by, cause=_cause(cause), now=utcnow())
    run_step(
        StepServices(services.steps, services.spar, services.splitting),
        name,
        escalation_id,
        command,
        taking,
    )


def _route(declared: catalogue.Step, route: catalogue.ApiRoute) -> None:
    if declared.command is None:
        raise TypeError(f"the step {declared.name} offers the API without a command")
    # ``by`` first, as in every other body: its errors are named first.
    body_model: type[Any] = create_model(
        f"{declared.command.__name__}Body", __base__=(declared.command, _By)
    )

    def take(escalation_id: int) -> tuple[dict[str, Any], int]:
        body = _body(body_model)
        _take(escalation_id, declared.name, body, body.by, route.cause)
        shown = show(escalation_id)
        return (shown[0], 201) if route.created else shown

    take.__doc__ = declared.does
    api.add_url_rule(
        f"/escalations/<id:escalation_id>/{route.path}",
        endpoint=f"{declared.name}_{route.cause}",
        view_func=take,
        methods=["POST"],
    )


for _declared in catalogue.offered_on(catalogue.Surface.API):
    for _api_route in _declared.api:
        if _api_route.generated:
            _route(_declared, _api_route)


class Rejection(Step):
    reason: str = Field(min_length=1)


@api.post("/escalations/<id:escalation_id>/plans/<plan_id>/accept")
def accept_step(escalation_id: int, plan_id: str) -> tuple[dict[str, Any], int]:
    body: Step = _body(Step)
    answer = CustomerAnswer(accepted=True, plan_id=plan_id)
    _take(escalation_id, "customer_answer", answer, body.by, "accept")
    return show(escalation_id)


@api.post("/escalations/<id:escalation_id>/plans/<plan_id>/reject")
def reject_step(escalation_id: int, plan_id: str) -> tuple[dict[str, Any], int]:
    body: Rejection = _body(Rejection)
    answer = CustomerAnswer(accepted=False, reason=body.reason, plan_id=plan_id)
    _take(escalation_id, "customer_answer", answer, body.by, "reject")
    return show(escalation_id)


@api.post("/escalations/<id:escalation_id>/renegotiate")
def renegotiate_step(escalation_id: int) -> tuple[dict[str, Any], int]:
    body: Step = _body(Step)
    procedure.renegotiate(
        current_runtime().services.steps,
        escalation_id,
        by=body.by,
        cause=_cause("renegotiate"),
        now=utcnow(),
    )
    return show(escalation_id)
