"""Workflow steps on an existing escalation: the domain function decides, this saves the result
with its audit trail, refreshes the Slack head message, tells the thread and, when the step is
news for the customer, the helpdesk ticket."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from bridge.domain.clocks import ClockEvent
from bridge.domain.communication import agree_communication_plan, every, record_status_update
from bridge.domain.enums import PlanKind
from bridge.domain.plans import propose_plan
from bridge.domain.records import ActionPlan, CommunicationPlan, Escalation
from bridge.services import effects
from bridge.services.closing.closure import tell_trackers
from bridge.services.collaborators import Collaborators, Service
from bridge.services.escalation import waiting
from bridge.services.escalation.clocks import keep_clocks, told_if
from bridge.services.escalation.escalations import EscalationService
from bridge.services.mrkdwn import inert
from bridge.store.escalations import EscalationStore


@dataclass(frozen=True)
class ForDevelopment:
    """A comment on every AR the escalation waits on. ``quote`` is the customer's own words,
    set apart by each tracker in its markup; ``event`` names what happened, so that it is told
    once however often the step is submitted."""

    text: str
    quote: str = ""
    event: str = ""


@dataclass(frozen=True)
class Said:
    """What a step says: to the Slack thread, and optionally to the customer (a public reply
    on the helpdesk ticket) or to the ticket's internal notes; and what it means for the SLA
    clocks beyond the customer being told (which ``Steps.run`` sees for itself)."""

    thread: str
    customer: str | None = None
    internal: str | None = None
    clocks: tuple[ClockEvent, ...] = ()
    development: ForDevelopment | None = None


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
            planned = [effects.thread_reply(loaded.escalation.id, step, text=said.thread)]
            ticket = loaded.ticket_row
            for text, public in ((said.customer, True), (said.internal, False)):
                if text and self.configured(ticket.helpdesk):
                    planned.append(
                        effects.helpdesk_note(
                            ticket.helpdesk, ticket.external_id, step, text=text, public=public
                        )
                    )
            keep_clocks(store, loaded, now, *said.clocks, *told_if(planned))
            told = said.development
            if told is not None:
                event = told.event or step
                planned += tell_trackers(session, escalation_id, event, told.text, told.quote)
            planned.insert(0, self.service.head_message(store, loaded, step, now))
            # Closed, de-escalated or reopened: the waiting lists of its ARs change.
            after = loaded.escalation.state
            planned += waiting.if_changed(
                session, self.pages, escalation_id, before, after, step, now
            )
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
    waiting_until: dt.datetime | None = None,
) -> None:
    """A status update with the plan of action, to the thread and the helpdesk ticket: a public
    reply to the customer, or an internal note (rule 8). A public one may agree to wait on the
    customer ``waiting_until`` (the policy's clocks pause until then or their answer)."""

    def decide(escalation: Escalation) -> Said:
        wait = waiting_until if public else None
        record_status_update(
            escalation, actor=by, cause=cause, now=now, waiting_until=wait, text=text
        )
        if public:
            waiting = f" Waiting on the customer until {wait:%a %d %b %H:%M} UTC." if wait else ""
            return Said(f"Status update: {inert(text)}{waiting}", customer=text)
        return Said(f"Status update (internal): {inert(text)}", internal=text)

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
        return Said(f"Proposed {plan.id}. {inert(text)}", customer=text)

    steps.run(escalation_id, "propose-plan", decide, cause=cause, now=now)
    return proposed[0]
