"""The escalations API: read the state, level, clocks, links and audit trail; request and act.

Enabled by ``BRIDGE_API_TOKEN`` (sent as ``Authorization: Bearer <token>``); without it every
route answers 404, so a bridge never exposes customer data by default.
"""

from __future__ import annotations

import hmac
from datetime import date
from typing import Any

from flask import Blueprint, request
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from sqlalchemy import select

from bridge.domain.clocks import describe
from bridge.domain.enums import EntryPoint, EscalationState, ReasonCategory
from bridge.domain.errors import DomainError, TriageIncomplete, UnknownTicket
from bridge.domain.records import PreEscalationReview, TriageAnswers
from bridge.domain.sla import SlaStatus, evaluate
from bridge.jobs.clock import utcnow
from bridge.services.answers import shown_triage, triage_answers
from bridge.services.development.spar import TrackerNotConfigured
from bridge.services.escalation.escalations import EscalationNotFound, EscalationRequest
from bridge.services.json_body import TooDeep
from bridge.store import tables
from bridge.store.escalations import AmbiguousTicket, EscalationStore, triage_of
from webhooks.api_input import TicketRef, json_body
from webhooks.context import current_runtime

api = Blueprint("api", __name__, url_prefix="/api")


class ContactBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = ""
    phone: str = ""
    email: str = ""
    hours_of_availability: str = ""


class TriageBody(BaseModel):
    """The triage questions (002). Which answers are required is the domain's to say
    (``require_complete_triage``); here only their types. ``go_live_or_upgrade_date``: the
    date, or null for none at stake; leaving it out leaves the question unanswered.
    ``go_live_can_complete`` is asked only with a date (a go-live today or tomorrow that cannot
    complete is Urgent); left out, it can."""

    model_config = ConfigDict(extra="forbid")

    production_down: bool = False
    acceptable_workaround: bool | None = None
    core_functionality_severely_affected: bool | None = None
    anticipated_financial_loss: str = ""
    users_affected: int | None = Field(default=None, ge=0)
    go_live_or_upgrade_date: date | None = None
    go_live_can_complete: bool | None = None
    go_live_effect: str = ""
    contact: ContactBody | None = None

    @field_validator("go_live_can_complete")
    @classmethod
    def _only_with_a_date(cls, answer: bool | None, info: ValidationInfo) -> bool | None:
        if answer is not None and info.data.get("go_live_or_upgrade_date") is None:
            msg = "answer it only with a go_live_or_upgrade_date"
            raise ValueError(msg)
        return answer

    def answers(self) -> TriageAnswers:
        return triage_answers(self.model_dump(mode="json", exclude_unset=True))


class ReviewBody(BaseModel):
    """The pre-escalation review (003): each of the four questions answered."""

    model_config = ConfigDict(extra="forbid")

    problem_statement_correct: bool
    business_impact_described: bool
    workaround_impractical: bool | None = Field(description="null: there is no workaround")
    critical_milestone_date: date | None = Field(description="null: none identified")

    def answers(self) -> PreEscalationReview:
        return PreEscalationReview(
            self.problem_statement_correct,
            self.business_impact_described,
            self.workaround_impractical,
            self.critical_milestone_date,
        )


class RequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ticket: TicketRef
    reason: ReasonCategory
    reason_text: str = ""
    requested_by: str = Field(min_length=1)
    override_justification: str = ""
    triage: TriageBody | None = None
    review: ReviewBody


class ActorBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    by: str = Field(min_length=1)
    note: str = ""


def _problem(status: int, error: str, detail: str) -> tuple[dict[str, Any], int]:
    return {"error": error, "detail": detail}, status


@api.before_request
def _authorised() -> tuple[dict[str, Any], int] | None:
    token = current_runtime().settings.api_token
    if token is None or not token.get_secret_value().strip():  # a blank token opens nothing
        return _problem(404, "api_disabled", "set BRIDGE_API_TOKEN to enable the API")
    supplied = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(supplied.encode(), token.get_secret_value().encode()):
        return _problem(401, "unauthorized", "send Authorization: Bearer <BRIDGE_API_TOKEN>")
    return None


@api.errorhandler(DomainError)
def _domain_error(exc: DomainError) -> tuple[dict[str, Any], int]:
    status = 404 if isinstance(exc, UnknownTicket) else 409
    return _problem(status, type(exc).__name__, str(exc))


@api.errorhandler(TriageIncomplete)
def _triage_incomplete(exc: TriageIncomplete) -> tuple[dict[str, Any], int]:
    return {"error": "triage_incomplete", "detail": str(exc), "missing": list(exc.missing)}, 422


@api.errorhandler(EscalationNotFound)
def _not_found(exc: EscalationNotFound) -> tuple[dict[str, Any], int]:
    return _problem(404, "escalation_not_found", str(exc))


@api.errorhandler(AmbiguousTicket)
def _ambiguous(exc: AmbiguousTicket) -> tuple[dict[str, Any], int]:
    return _problem(409, "ambiguous_ticket", str(exc))


@api.errorhandler(TrackerNotConfigured)
def _no_tracker(exc: TrackerNotConfigured) -> tuple[dict[str, Any], int]:
    return _problem(409, "tracker_not_configured", str(exc))


@api.errorhandler(ValidationError)
def _invalid(exc: ValidationError) -> tuple[dict[str, Any], int]:
    problems = [f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()]
    return {"error": "invalid_request", "problems": problems}, 422


@api.errorhandler(TooDeep)
def _too_deep(exc: TooDeep) -> tuple[dict[str, Any], int]:
    return _problem(400, "json_too_deep", str(exc))


def _view(store: EscalationStore, row: tables.Escalation, *, history: bool) -> dict[str, Any]:
    now = utcnow()
    ticket = store.session.get(tables.Ticket, row.ticket_id)
    clocks = []
    for clock in store.clocks(row.id):
        clocks.append(
            {
                "id": clock.id,
                "kind": clock.target.kind.value,
                "state": clock.state.value,
                "status": evaluate(clock, now).status.value,
                "shown": describe(clock, now),
                "met_at": clock.met_at.isoformat() if clock.met_at else None,
                "met_late": clock.met_late if clock.met_at else None,
                "stopped_at": clock.stopped_at.isoformat() if clock.stopped_at else None,
                "due_at": clock.due_at.isoformat() if clock.due_at else None,
                "at_risk_at": clock.at_risk_at.isoformat() if clock.at_risk_at else None,
            }
        )
    view: dict[str, Any] = {
        "id": row.id,
        "ticket": {"helpdesk": ticket.helpdesk, "id": ticket.external_id} if ticket else None,
        "state": row.state,
        "level": row.level,
        "classification": row.classification,
        "engineer": row.engineer,
        "next_status_update_due": row.next_update_due.isoformat() if row.next_update_due else None,
        "breached": any(c["status"] == SlaStatus.BREACHED.value for c in clocks),
        "clocks": clocks,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }
    if history:
        view["triage"] = shown_triage(triage_of(row))
        links = store.session.scalars(
            select(tables.ActionRequest).where(tables.ActionRequest.escalation_id == row.id)
        )
        view["linked"] = [
            {"kind": link.kind, "system": link.system, "key": link.external_key, "url": link.url}
            for link in links
        ]
        view["plans"] = row.document.get("plans", [])
        view["history"] = [
            {
                "step": event.step,
                "from": event.from_state,
                "to": event.to_state,
                "actor": event.actor,
                "cause": event.cause,
                "note": event.note,
                "at": event.at.isoformat(),
            }
            for event in store.history(row.id)
        ]
    return view


@api.get("/escalations/<id:escalation_id>")
def show(escalation_id: int) -> tuple[dict[str, Any], int]:
    with current_runtime().sessions() as session:
        store = EscalationStore(session)
        row = session.get(tables.Escalation, escalation_id)
        if row is None or not row.document:
            raise EscalationNotFound(escalation_id)
        return _view(store, row, history=True), 200


STATES = tuple(state.value for state in EscalationState)


@api.get("/escalations")
def index() -> tuple[dict[str, Any], int]:
    query = select(tables.Escalation).order_by(tables.Escalation.id)
    if state := request.args.get("state"):
        if state not in STATES:
            return _problem(400, "bad_filter", f"state must be one of: {', '.join(STATES)}")
        query = query.where(tables.Escalation.state == state)
    if level := request.args.get("level"):
        if level not in ("1", "2", "3"):
            return _problem(400, "bad_filter", "level must be 1, 2 or 3")
        query = query.where(tables.Escalation.level == int(level))
    breached = request.args.get("breached")
    if breached not in (None, "true", "false"):
        return _problem(400, "bad_filter", "breached must be true or false")
    with current_runtime().sessions() as session:
        store = EscalationStore(session)
        views = [_view(store, row, history=False) for row in session.scalars(query) if row.document]
    if breached is not None:
        views = [view for view in views if view["breached"] == (breached == "true")]
    return {"escalations": views}, 200


@api.post("/escalations")
def create() -> tuple[dict[str, Any], int]:
    body = json_body()
    if body is None:
        return _problem(400, "bad_json", "send a JSON object")
    parsed = RequestBody.model_validate(body)
    escalation_id = current_runtime().services.escalations.escalate(
        EscalationRequest(
            ticket_ref=parsed.ticket,
            reason=parsed.reason,
            reason_text=parsed.reason_text,
            requested_by=parsed.requested_by,
            entry_point=EntryPoint.API,
            cause=f"api:{request.headers.get('X-Request-Id', 'request')}",
            override_justification=parsed.override_justification,
            triage=parsed.triage.answers() if parsed.triage is not None else None,
            review=parsed.review.answers(),
        ),
        utcnow(),
    )
    return show(escalation_id)[0], 201


@api.post("/escalations/<id:escalation_id>/acknowledge")
def acknowledge(escalation_id: int) -> tuple[dict[str, Any], int]:
    actor = ActorBody.model_validate(json_body() or {})
    current_runtime().services.escalations.acknowledge(
        escalation_id, by=actor.by, cause="api:acknowledge", now=utcnow()
    )
    return show(escalation_id)


@api.post("/escalations/<id:escalation_id>/raise-level")
def raise_level(escalation_id: int) -> tuple[dict[str, Any], int]:
    actor = ActorBody.model_validate(json_body() or {})
    current_runtime().services.escalations.raise_level(
        escalation_id, by=actor.by, cause="api:raise-level", now=utcnow(), note=actor.note
    )
    return show(escalation_id)
