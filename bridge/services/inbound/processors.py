"""Inbox processors: what each stored delivery means for the workflow; Slack's here, the
helpdesks' in ``helpdesk_processor.py``.

A processor returns ``done``, ``ignored`` or ``held`` (an unregistered requester: kept, and
support told). Domain refusals are answered to the person who asked, never raised at the worker.
"""

from __future__ import annotations

from typing import Any

import structlog

from bridge import catalogue
from bridge.domain.enums import EntryPoint, ReasonCategory
from bridge.domain.errors import DomainError
from bridge.jobs.registry import Outcome, PermanentError, StoredDelivery
from bridge.services import effects
from bridge.services.answers import review_answers, triage_answers
from bridge.services.collaborators import Collaborators, Service
from bridge.services.development.ar_share import CommentSharing
from bridge.services.development.spar import SparFiling, TrackerNotConfigured
from bridge.services.escalation.escalations import (
    EscalationNotFound,
    EscalationRequest,
    EscalationService,
)
from bridge.services.escalation.splitting import TicketSplitting
from bridge.services.json_body import parse_json
from bridge.services.workflow.monitoring import Monitoring
from bridge.services.workflow.step_table import StepServices, Taking, run_step
from bridge.services.workflow.steps import Steps
from bridge.store.escalations import AmbiguousTicket
from bridge.store.ids import record_id

log = structlog.get_logger(__name__)
REFUSALS = (DomainError, EscalationNotFound, AmbiguousTicket, TrackerNotConfigured)
NO_SUCH_ESCALATION = "That button belongs to no escalation the bridge knows."


class SlackProcessor(Service):
    def __init__(
        self,
        collaborators: Collaborators,
        escalations: EscalationService,
        monitoring: Monitoring,
        steps: Steps,
        spar: SparFiling,
        splitting: TicketSplitting,
    ) -> None:
        super().__init__(collaborators)
        self.service = escalations
        self.monitoring = monitoring
        self.steps = steps
        self.spar = spar
        self.splitting = splitting
        self.sharing = CommentSharing(collaborators, escalations)

    def __call__(self, row: StoredDelivery) -> Outcome:
        body = parse_json(row.body)
        cause = f"slack:{row.delivery_id}"
        if row.event_type == "escalation_request":
            return self._escalation_request(body, cause)
        if row.event_type == "same_problem":
            return self._same_problem(body, cause)
        if row.event_type in ("button.acknowledge", "button.raise_level"):
            return self._button(row.event_type.removeprefix("button."), body, cause)
        if row.event_type == "button.share_with_customer":
            return self._share(body, cause)
        if row.event_type.startswith("step."):
            return self._step(row.event_type.removeprefix("step."), body, cause)
        return "ignored"

    def _step(self, step: str, body: dict[str, Any], cause: str) -> Outcome:
        """A step's form, submitted in Slack: taken, or refused to the person who sent it."""
        user, escalation_id = self._addressed(body, cause)
        if escalation_id is None:
            return "done"
        try:
            declared = catalogue.step(step)
            if declared.from_form is None:
                raise KeyError(step)
            command = declared.from_form(dict(body.get("answers") or {}))
            run_step(
                StepServices(self.steps, self.spar, self.splitting),
                step,
                escalation_id,
                command,
                Taking(by=user, cause=cause, now=self.now()),
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise PermanentError(f"step {step!r}: {type(exc).__name__}: {exc}") from exc
        except REFUSALS as exc:
            self._tell(user, cause, f"Could not {declared.doing}: {exc}")
            log.info("slack.step_refused", step=step, error=type(exc).__name__)
        return "done"

    def _addressed(self, body: dict[str, Any], cause: str) -> tuple[str, int | None]:
        """Who pressed or sent it, and the escalation it names; a person whose button or form
        names no escalation the bridge could have is told so."""
        user = str(body.get("user", ""))
        escalation_id = record_id(body.get("escalation_id"))
        if escalation_id is None:
            self._tell(user, cause, NO_SUCH_ESCALATION)
        return user, escalation_id

    def _tell(self, user: str, key: str, text: str) -> None:
        with self.transactions.begin() as session:
            self.outbox.add(session, effects.direct_message(key, user=user, text=text), self.now())

    def _escalation_request(self, body: dict[str, Any], cause: str) -> Outcome:
        answers = body.get("answers") or {}
        try:
            reason = ReasonCategory(answers.get("reason_category"))
        except ValueError as exc:
            msg = f"unknown reason category {answers.get('reason_category')!r}"
            raise PermanentError(msg) from exc
        request = EscalationRequest(
            ticket_ref=str(body.get("ticket", "")),
            reason=reason,
            reason_text=str(answers.get("reason_text", "")),
            requested_by=str(body.get("requested_by", "")),
            entry_point=EntryPoint.SLACK,
            cause=cause,
            triage=triage_answers(answers),
            override_justification=str(answers.get("override_justification", "")),
            review=review_answers(answers.get("review")),
        )
        try:
            self.service.escalate(request, self.now())
        except REFUSALS as exc:
            self._tell(
                request.requested_by,
                cause,
                f"Escalation of ticket {request.ticket_ref} refused: {exc}",
            )
            log.info("slack.escalation_refused", error=type(exc).__name__)
        return "done"

    def _same_problem(self, body: dict[str, Any], cause: str) -> Outcome:
        ticket = str(body.get("ticket", ""))
        user, escalation_id = self._addressed(body, cause)
        if escalation_id is None:
            return "done"
        try:
            found = self.monitoring.same_problem(
                escalation_id, ticket_ref=ticket, by=user, now=self.now()
            )
        except REFUSALS as exc:
            self._tell(user, cause, f"Could not record ticket {ticket} as the same problem: {exc}")
        else:
            log.info("slack.same_problem", outcome=found.value)
        return "done"

    def _share(self, body: dict[str, Any], cause: str) -> Outcome:
        user, escalation_id = self._addressed(body, cause)
        if escalation_id is not None:
            comment = str(body.get("comment", ""))
            refused = self.sharing.share(escalation_id, comment, by=user, now=self.now())
            if refused:
                self._tell(user, cause, f"Could not share the comment with the customer: {refused}")
        return "done"

    def _button(self, action: str, body: dict[str, Any], cause: str) -> Outcome:
        user, escalation_id = self._addressed(body, cause)
        if escalation_id is None:
            return "done"
        try:
            if action == "acknowledge":
                self.service.acknowledge(escalation_id, by=user, cause=cause, now=self.now())
            else:
                self.service.raise_level(escalation_id, by=user, cause=cause, now=self.now())
        except REFUSALS as exc:
            self._tell(user, cause, f"Could not {action.replace('_', ' ')}: {exc}")
        return "done"
