"""Who waits on an AR, for the developers working on it (issue 15).

One AR may serve many tickets. Its tracker keeps one comment listing them (ticket, customer,
severity, oldest SLA due), edited in place whenever the list changes: the AR is filed, another
escalation joins it, or one stops waiting (the customer accepted the fix, or the escalation was
closed or de-escalated; a recurrence brings it back). The list is read in the transaction of the
change and planned as an ``upsert_waiting_list`` side effect.
"""

from __future__ import annotations

import datetime as dt

from bridge.domain.enums import EscalationState
from bridge.services import effects
from bridge.services.pages import Pages
from bridge.services.showing.shown import (
    ShownTicket,
    TicketNamed,
    classification_label,
    severity_label,
    shown_tickets,
)
from bridge.store.ar_links import ArLinks, WaitingTicket
from bridge.store.outbox import SideEffect
from bridge.store.transactions import Transaction

# An escalation in these states waits on no AR any more.
NOT_WAITING = (EscalationState.MONITORING, EscalationState.CLOSED, EscalationState.DE_ESCALATED)


def is_waiting(state: EscalationState) -> bool:
    return state not in NOT_WAITING


def _row(ticket: WaitingTicket, shown: ShownTicket) -> dict[str, str]:
    due = ticket.sla_due
    return {
        "ticket": f"{ticket.helpdesk}:{ticket.ticket}",
        "subject": shown.subject,
        "url": shown.url or "",
        "customer": shown.who,
        "severity": severity_label(ticket.severity),
        "classification": classification_label(ticket.classification),
        "sla_due": f"{due.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC" if due else "",
    }


def waiting_list(
    session: Transaction,
    pages: Pages,
    system: str,
    key: str,
    step: str,
    now: dt.datetime,
) -> SideEffect:
    """The side effect that shows the AR's waiting list as it stands in this transaction:
    each ticket with its subject and agent-view link, its customer and requester by the names
    remembered (never a vendor call here), severity and classification."""
    waiting = ArLinks(session).waiting_tickets(
        system, key, now, excluding=[state.value for state in NOT_WAITING]
    )
    named = [TicketNamed(t.helpdesk, t.ticket, t.subject, t.customer, t.requester) for t in waiting]
    rows = sorted(
        (
            _row(ticket, shown)
            for ticket, shown in zip(waiting, shown_tickets(session, pages, named), strict=True)
        ),
        key=lambda row: (not row["sla_due"], row["sla_due"], row["ticket"]),
    )
    as_of = now.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return effects.tracker_waiting_list(system, key, step, tickets=rows, as_of=as_of)


def waiting_lists(
    session: Transaction, pages: Pages, escalation_id: int, step: str, now: dt.datetime
) -> list[SideEffect]:
    """The waiting list of every AR the escalation waits on (or waited on)."""
    return [
        waiting_list(session, pages, system, key, step, now)
        for system, key in ArLinks(session).ars_of(escalation_id)
    ]


def if_changed(
    session: Transaction,
    pages: Pages,
    escalation_id: int,
    before: EscalationState,
    after: EscalationState,
    step: str,
    now: dt.datetime,
) -> list[SideEffect]:
    """The waiting lists to refresh when a step moved the escalation into or out of waiting."""
    if is_waiting(before) == is_waiting(after):
        return []
    return waiting_lists(session, pages, escalation_id, step, now)
