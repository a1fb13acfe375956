"""The forms a button opens, when they are sent: checked again against the step's role (the
submission is a request of its own, not proof of the press), then stored once, by view id, for
the step's job.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import structlog

from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime
from bridge.services.receiving import dig
from bridge.store.ids import record_id
from bridge.store.inbox import Delivery
from webhooks.slack import same_problem, step_forms
from webhooks.slack.metadata import read_metadata
from webhooks.slack.permissions import GroupDirectory, allowed_for, form_refusal, may_press

log = structlog.get_logger("webhooks.slack")


def text_of(value: Any) -> str:
    return value if isinstance(value, str) else ""


def key_part(value: str) -> str:
    """A payload value made safe to use in an inbox key on any engine (length, no controls)."""
    if value.isprintable() and len(value) <= 100:
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()


class FormSubmissions:
    """Listeners for the forms of the escalation's buttons (mixed into ``Listeners``)."""

    runtime: Runtime
    directory: GroupDirectory

    def _refused(self, role: str, user: str) -> str | None:
        """The error for a form sent by someone the step's role leaves out; None if they may."""
        if may_press(allowed_for(self.runtime.settings.roles, role), user, self.directory):
            return None
        log.info("slack.form.refused", role=role)
        return form_refusal(role)

    def same_problem_submitted(self, ack: Callable[..., None], body: dict, view: dict) -> None:
        refused = self._refused("same_problem", text_of(dig(body, "user", "id")))
        if refused:
            ack(response_action="errors", errors={same_problem.TICKET_BLOCK: refused})
            return
        ticket = same_problem.read_ticket(dig(view, "state", "values"))
        if not ticket:
            ack(
                response_action="errors", errors={same_problem.TICKET_BLOCK: "Name the new ticket."}
            )
            return
        try:
            metadata = read_metadata(view)
            escalation = str(metadata["escalation_id"])
        except (ValueError, TypeError, KeyError):
            ack(response_action="errors", errors={same_problem.TICKET_BLOCK: "This form expired."})
            return
        report = {
            "escalation_id": escalation,
            "ticket": ticket,
            "user": text_of(dig(body, "user", "id")),
        }
        self.runtime.handoff.accept(
            Delivery(
                source="slack",
                delivery_id=f"view:{key_part(text_of(view.get('id')))}",
                event_type="same_problem",
                body=json.dumps(report, sort_keys=True).encode(),
                record_key=f"escalation:{key_part(escalation)}",
                provider_ts=utcnow(),
            ),
        )
        ack()

    def step_submitted(self, ack: Callable[..., None], body: dict, view: dict) -> None:
        """A step's form: errors back on its fields, else stored once (by view id) for its job."""
        try:
            metadata = read_metadata(view)
            step, escalation = str(metadata["step"]), str(metadata["escalation_id"])
            step_forms.FORMS[step]
        except (ValueError, TypeError, KeyError):
            ack(response_action="errors", errors=step_forms.expired(view))
            return
        user = text_of(dig(body, "user", "id"))
        refused = self._refused(step, user)
        if refused:
            ack(response_action="errors", errors=step_forms.on_first_field(view, refused))
            return
        answers, errors = step_forms.read(step, dig(view, "state", "values"), utcnow().date())
        if record_id(escalation) is None:
            errors = step_forms.expired(view)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        request = {
            "step": step,
            "escalation_id": escalation,
            "user": user,
            "channel": metadata.get("channel"),
            "answers": answers,
        }
        self.runtime.handoff.accept(
            Delivery(
                source="slack",
                delivery_id=f"view:{key_part(text_of(view.get('id')))}",
                event_type=f"step.{step}",
                body=json.dumps(request, sort_keys=True).encode(),
                record_key=f"escalation:{escalation}",
                provider_ts=utcnow(),
            )
        )
        ack()
