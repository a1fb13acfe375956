"""Split a ticket from Slack (001, rule 5): the urgent problem gets a helpdesk ticket of its own,
created through the connector, and that ticket is escalated; the two tickets are linked.

The new ticket is created by an outbox side effect (its idempotency key is the new ticket's
``external_id`` in the helpdesk, so a retry finds it); what follows runs as that side effect's
completion hook, and each part of it can run again harmlessly.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import structlog

from bridge.domain.enums import EntryPoint, Priority
from bridge.domain.errors import DomainError
from bridge.domain.opening import split_ticket
from bridge.jobs.registry import PerformedEffect
from bridge.services import effects
from bridge.services.collaborators import Collaborators, Service
from bridge.services.escalation.escalations import EscalationRequest, EscalationService
from bridge.store.escalations import EscalationStore
from bridge.store.outbox import SideEffect
from bridge.store.queries import latest_escalation

log = structlog.get_logger(__name__)


class SplitRefused(DomainError):
    """The helpdesk of the ticket cannot open a ticket through the bridge."""


class TicketSplitting(Service):
    def __init__(self, collaborators: Collaborators, escalations: EscalationService) -> None:
        super().__init__(collaborators)
        self.escalations = escalations

    def request(
        self, escalation_id: int, *, urgent_problem: str, by: str, cause: str, now: dt.datetime
    ) -> None:
        """Plan the new ticket for ``urgent_problem``; the escalation's thread says so."""
        with self.transactions.begin() as session:
            store = EscalationStore(session)
            loaded = self.escalations.load(store, escalation_id)
            helpdesk = loaded.ticket_row.helpdesk
            if not self.configured(helpdesk):
                msg = f"connectors.{helpdesk} is not set: split the ticket in the helpdesk"
                raise SplitRefused(msg)
            ticket = store.ticket_of(loaded.ticket_row)
            digest = hashlib.sha256(urgent_problem.encode()).hexdigest()[:12]
            fields = {
                "subject": urgent_problem[:150],
                "description": f"Split from ticket {ticket.external_id}: {urgent_problem}",
                "requester": ticket.requester,
                "priority": Priority.URGENT.value,
                "escalation_id": escalation_id,
                "urgent_problem": urgent_problem,
                "by": by,
            }
            key = f"{helpdesk}:split:{escalation_id}:{digest}"
            text = (
                f"Splitting ticket {ticket.external_id}: the urgent problem gets a ticket of its "
                f"own and its own escalation ({urgent_problem})"
            )
            self.outbox.plan(
                session,
                [
                    SideEffect(key, helpdesk, "create_ticket", fields),
                    effects.thread_reply(escalation_id, f"split:{digest}", text=text),
                ],
                now,
            )

    def ticket_created(self, row: PerformedEffect, result: dict[str, Any]) -> None:
        """Completion hook of ``create_ticket``: mirror the new ticket, link the two tickets,
        escalate the new one, and say so in the original escalation's thread."""
        fields, helpdesk, now = row.payload, row.target, self.now()
        escalation_id, new_id = int(fields["escalation_id"]), str(result["ticket"])
        with self.transactions.begin() as session:
            store = EscalationStore(session)
            loaded = self.escalations.load(store, escalation_id)
            original = store.ticket_of(loaded.ticket_row)
            if store.find_ticket(f"{helpdesk}:{new_id}") is None:
                split = split_ticket(original, fields["urgent_problem"], new_ticket_id=new_id)
                store.save_ticket(helpdesk, split.urgent, now)
                store.save_ticket(helpdesk, split.remainder, now, loaded.ticket_row)
            new_row = store.find_ticket(f"{helpdesk}:{new_id}")
            already = new_row is not None and latest_escalation(session, new_row.id) is not None
            escalation = loaded.escalation
        new_escalation = None
        if not already:
            request = EscalationRequest(
                ticket_ref=f"{helpdesk}:{new_id}",
                reason=escalation.reason,
                reason_text=fields["urgent_problem"],
                requested_by=str(fields["by"]),
                entry_point=EntryPoint.SLACK,
                cause=f"split:{escalation_id}",
                triage=escalation.triage,
                override_justification=f"split from escalation {escalation_id}",
                review=escalation.review,
            )
            try:
                new_escalation = self.escalations.request(request, now)
            except DomainError as exc:
                log.info("split.escalation_refused", error=type(exc).__name__)
                said = f"Ticket {new_id} was created, but escalating it was refused: {exc}"
                self._tell(escalation_id, helpdesk, original.external_id, new_id, said, now)
                return
        said = f"Split: the urgent problem continues in ticket {new_id}" + (
            f", escalation {new_escalation}" if new_escalation else ""
        )
        self._tell(escalation_id, helpdesk, original.external_id, new_id, said, now)

    def _tell(
        self,
        escalation_id: int,
        helpdesk: str,
        original: str,
        new_id: str,
        text: str,
        now: dt.datetime,
    ) -> None:
        step = f"split-done:{new_id}"
        with self.transactions.begin() as session:
            self.outbox.plan(
                session,
                [
                    effects.thread_reply(escalation_id, step, text=text),
                    effects.helpdesk_note(helpdesk, original, step, text=text),
                ],
                now,
            )
