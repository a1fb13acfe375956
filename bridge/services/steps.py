"""Workflow steps on an existing escalation: the domain function decides, this saves the result
with its audit trail, refreshes the Slack head message, tells the thread and, when the step is
news for the customer, the helpdesk ticket."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from bridge.domain.communication import agree_communication_plan, every, record_status_update
from bridge.domain.enums import PlanKind
from bridge.domain.plans import propose_plan
from bridge.domain.records import ActionPlan, CommunicationPlan, Escalation
from bridge.services import effects, waiting
from bridge.services.collaborators import Collaborators, Service
from bridge.services.escalations import EscalationService
from bridge.store.escalations import EscalationStore


@dataclass(frozen=True)
class Said:
    """What a step says: to the Slack thread, and optionally to the customer (a public reply
    on the helpdesk ticket) or to the ticket's internal notes."""

    thread: str
    customer: str | None = None
    internal: str | None = None


Decision = Callable[[Escalation], Said]


class Steps(Service):
    def __init__(self, collaborators: Collaborators, escalations: EscalationService) -> None:
        super().__init__(collaborators)
        self.service = escalations

    def run(
        self, escalation_id: int, name: str, decide: Decision, *, cause: str, now: dt.datetime
    ) -> Escalation:
        with self.transactions.begin() as session:
            store = EscalationStore(session)
            loaded = self.service.load(store, escalation_id)
            before = loaded.escalation.state
            said = decide(loaded.escalation)
            store.save(loaded.escalation, now)
            step = f"{name}:{cause}"
            planned = [
                self.service.head_message(store, loaded, step, now),
                effects.thread_reply(loaded.escalation.id, step, text=said.thread),
            ]
            ticket = loaded.ticket_row
            for text, public in ((said.customer, True), (said.internal, False)):
                if text and self.configured(ticket.helpdesk):
                    planned.append(
                        effects.helpdesk_note(
                            ticket.helpdesk, ticket.external_id, step, text=text, public=public
                        )
                    )
            # Closed, de-escalated or reopened: the waiting lists of its ARs change.
            after = loaded.escalation.state
            planned += waiting.if_changed(session, escalation_id, before, after, step, now)
            self.outbox.plan(session, planned, now)
            return loaded.escalation


def agree_communication(
    steps: Steps,
    escalation_id: int,
    plan: CommunicationPlan,
    *,
    by: str,
    cause: str,
    now: dt.datetime,
) -> dt.datetime:
    """Record the communication plan (003); returns when the first status update is due."""

    def decide(escalation: Escalation) -> Said:
        agree_communication_plan(escalation, plan, actor=by, cause=cause, now=now)
        mode = plan.mode.value.replace("_", " ")
        who = ", ".join(plan.attendees) or "no attendees named"
        return Said(f"Communication plan: {mode} every {every(plan.frequency)}, with {who}")

    escalation = steps.run(escalation_id, "communication-plan", decide, cause=cause, now=now)
    assert escalation.next_update_due is not None
    return escalation.next_update_due


def status_update(
    steps: Steps,
    escalation_id: int,
    *,
    by: str,
    text: str,
    cause: str,
    now: dt.datetime,
    public: bool = True,
) -> None:
    """A status update with the plan of action, to the thread and the helpdesk ticket: a public
    reply to the customer, or an internal note (rule 8)."""

    def decide(escalation: Escalation) -> Said:
        record_status_update(escalation, actor=by, cause=cause, now=now)
        if public:
            return Said(f"Status update: {text}", customer=text)
        return Said(f"Status update (internal): {text}", internal=text)

    steps.run(escalation_id, "status-update", decide, cause=cause, now=now)


def propose(
    steps: Steps,
    escalation_id: int,
    *,
    kind: PlanKind,
    summary: str,
    delivery_date: dt.date | None,
    by: str,
    cause: str,
    now: dt.datetime,
) -> str:
    """Propose an action plan and communicate it to the customer (004); returns its id."""
    proposed: list[str] = []

    def decide(escalation: Escalation) -> Said:
        plan = ActionPlan(
            id=f"plan-{len(escalation.plans) + 1}",
            escalation_id=escalation.id,
            kind=kind,
            summary=summary,
            delivery_date=delivery_date,
        )
        propose_plan(escalation, plan, actor=by, cause=cause, now=now)
        proposed.append(plan.id)
        when = f", delivery {delivery_date.isoformat()}" if delivery_date else ""
        text = f"Action plan ({kind.value.replace('_', ' ')}{when}): {summary}"
        return Said(f"Proposed {plan.id}. {text}", customer=text)

    steps.run(escalation_id, "propose-plan", decide, cause=cause, now=now)
    return proposed[0]
