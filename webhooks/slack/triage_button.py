"""The "Triage and escalate" button under a customer's ask to escalate
(``bridge/services/inbound/triage_requests.py``): it opens the ``/escalate`` triage form for the
ticket, "What happened" prefilled with the customer's words. Like ``/escalate``, anyone may press
it; submitting the form is the Slack escalation request it always was. Pressed once the ticket's
escalation is open (its trigger arrived late), it says so instead of opening the form."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import structlog

from bridge.services.ports import ConnectorError
from bridge.services.receiving import dig, scalar_text
from bridge.store.queries import find_tickets, latest_escalation
from webhooks.slack.commands import already_escalated, ticket_ref, unknown_ticket
from webhooks.slack.listeners import Listeners
from webhooks.slack.modal import triage_modal

log = structlog.get_logger("webhooks.slack")
NO_TICKET = "This button names no ticket; escalate with `/escalate <ticket>`."


class TriageButton:
    def __init__(self, listeners: Listeners) -> None:
        self.listeners = listeners

    def pressed(
        self, ack: Callable[..., None], body: dict[str, Any], action: dict[str, Any]
    ) -> None:
        ack()  # the form opens at once: its trigger id lasts three seconds
        trigger = scalar_text(body.get("trigger_id")) or ""
        user = scalar_text(dig(body, "user", "id")) or ""
        channel = scalar_text(dig(body, "channel", "id"))
        if not self.listeners.first_press(trigger):
            return
        try:
            asked = json.loads(scalar_text(action.get("value")) or "null")
            ref = ticket_ref(str(asked["ticket"]))
            reason = str(asked.get("reason") or "")
        except (ValueError, TypeError, KeyError, AttributeError):
            ref = None
        if ref is None:
            self.listeners.tell(channel, user, NO_TICKET)
            return
        with self.listeners.runtime.sessions() as session:
            matches = find_tickets(session, ref.external_id, ref.helpdesk)
            latest = latest_escalation(session, matches[0].id) if len(matches) == 1 else None
        # The trigger arrived late, or someone triaged it already: no second escalation.
        refusal = unknown_ticket(ref, matches) or already_escalated(matches[0], latest)
        if refusal is not None:
            self.listeners.tell(channel, user, refusal)
            return
        try:
            self.listeners.workspace.open_view(trigger, triage_modal(matches[0], reason, channel))
        except ConnectorError as exc:
            log.warning("slack.views_open_failed", error=str(exc))
            note = f"Slack would not open the escalation form ({exc.detail}); retry."
            self.listeners.tell(channel, user, note)
