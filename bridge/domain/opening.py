"""Starting an escalation: rules 1, 2, 3 and the split check of rule 5.

Commands are verbs (`RequestEscalation`), events are past tense (`EscalationOpened`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from bridge.domain.calendar import BusinessCalendar
from bridge.domain.enums import EntryPoint, NotToEscalate, Priority, ReasonCategory
from bridge.domain.errors import (
    AdviceNotOverridden,
    AlreadyEscalated,
    TicketNeedsSplit,
    UnknownTicket,
)
from bridge.domain.levels import LevelOwners, assign_first_level
from bridge.domain.lifecycle import record_audit, record_in_place
from bridge.domain.records import AdviceOverride, Escalation, Ticket

# Reasons that are urgent by nature, whatever the ticket's priority says (001, 003).
URGENT_REASONS = frozenset(
    {
        ReasonCategory.RECURRING_HIGH_PRIORITY_INCIDENTS,
        ReasonCategory.DATA_LOSS,
        ReasonCategory.REPUTATION_RISK,
        ReasonCategory.RESOLVED_PROBLEM_RECURRING,
        ReasonCategory.PRODUCTION_DOWN_DURING_UPGRADE,
        ReasonCategory.CRITICAL_BUSINESS_IMPACT,
        ReasonCategory.SLA_BREACH,
    }
)

ADVICE_TEXT = {
    NotToEscalate.NO_EARLIER_CONTACT: (
        "support has not answered this ticket yet; give them a chance to work on it first"
    ),
    NotToEscalate.NOT_URGENT: "the ticket is not urgent or risky for the business",
    NotToEscalate.SUPPORT_WITHIN_REASONABLE_TIME: (
        "support is working on the ticket and is still within a reasonable time"
    ),
}


@dataclass(frozen=True)
class RequestEscalation:
    """Command: escalate the ticket `ticket_ref`. `cause` is the inbound event id or command."""

    ticket_ref: str
    reason: ReasonCategory
    reason_text: str
    requested_by: str
    entry_point: EntryPoint
    cause: str


@dataclass(frozen=True)
class EscalationOpened:
    """Event: tell the escalation team and the level-1 owner."""

    escalation_id: str
    ticket_id: str
    owner: str
    entry_point: EntryPoint
    overridden_advice: frozenset[NotToEscalate]


@dataclass(frozen=True)
class Advice:
    """The bridge's "when not to escalate" advice (001); empty means go ahead."""

    against: frozenset[NotToEscalate]

    @property
    def proceed(self) -> bool:
        return not self.against

    def explain(self) -> list[str]:
        return [ADVICE_TEXT[item] for item in sorted(self.against)]


def request_from_ticket_update(
    before: Ticket | None, after: Ticket, *, changed_by: str, cause: str
) -> RequestEscalation | None:
    """Entry point 2 of rule 2: the ticket became marked for escalation in the helpdesk (the
    seed's "ticket type ESCALATION", as a tag or field value the helpdesk can hold).

    Returns None when the update is anything else, including a repeat of the same change.
    """
    already = before is not None and before.escalation_marked
    if not after.escalation_marked or already:
        return None
    return RequestEscalation(
        ticket_ref=after.external_id,
        reason=ReasonCategory.CRITICAL_BUSINESS_IMPACT,
        reason_text="ticket marked for escalation in the helpdesk",
        requested_by=changed_by,
        entry_point=EntryPoint.TICKET_TYPE_CHANGED,
        cause=cause,
    )


# "Escalation of ticket 4711", "ticket #4711", "Ticket number: 4711", "#4711".
_NAMED_TICKET = re.compile(r"(?:\bticket\s*(?:number|no\.?|nr\.?)?\s*[:#]?\s*|#)(\d+)\b", re.I)


def named_ticket(ticket: Ticket) -> str | None:
    """Entry point 1 of rule 2 (001): a NEW ticket marked for escalation that names the ticket
    to escalate in its subject or description. Returns that ticket's number, or None."""
    if not ticket.escalation_marked:
        return None
    for text in (ticket.subject, ticket.description):
        for number in _NAMED_TICKET.findall(text or ""):
            if number != ticket.external_id:
                return str(number)
    return None


def advise(
    ticket: Ticket,
    reason: ReasonCategory,
    now: datetime,
    *,
    reasonable_time: timedelta,
    calendar: BusinessCalendar,
) -> Advice:
    """Rule 3's "when not to escalate" (001), judged from the ticket as the helpdesk shows it:
    its creation time and support's latest public reply, aged in ``calendar``'s business time
    (a ticket opened on Friday evening is not a week old on Monday morning)."""
    if reason is ReasonCategory.SLA_BREACH:
        return Advice(frozenset())
    against: set[NotToEscalate] = set()
    opened = ticket.opened_at
    young = opened is not None and calendar.business_duration(opened, now) < reasonable_time
    if young and ticket.last_support_reply_at is None:
        against.add(NotToEscalate.NO_EARLIER_CONTACT)
    if young and ticket.last_support_reply_at is not None:
        against.add(NotToEscalate.SUPPORT_WITHIN_REASONABLE_TIME)
    if ticket.priority in (Priority.NORMAL, Priority.LOW) and reason not in URGENT_REASONS:
        against.add(NotToEscalate.NOT_URGENT)
    return Advice(frozenset(against))


def open_escalation(
    command: RequestEscalation,
    ticket: Ticket | None,
    *,
    escalation_id: str,
    owners: LevelOwners,
    advice: Advice,
    override: AdviceOverride | None,
    now: datetime,
    open_already: str | None = None,
) -> tuple[Escalation, EscalationOpened]:
    """Create the escalation in state `requested` at level 1.

    `ticket` is what the store found for `command.ticket_ref` (None when nothing was found);
    `open_already` the id of the ticket's escalation that is still open, if any.
    Advice against escalating stops the request unless someone overrides it; the override is kept.
    """
    if ticket is None or not command.ticket_ref or ticket.external_id != command.ticket_ref:
        raise UnknownTicket(command.ticket_ref)
    if open_already is not None:
        raise AlreadyEscalated(command.ticket_ref, open_already)
    if len(ticket.problems) > 1:
        msg = (
            f"ticket {ticket.external_id} describes {len(ticket.problems)} problems: split it so "
            "the urgent problem has its own ticket, then escalate that ticket"
        )
        raise TicketNeedsSplit(msg)
    if not advice.proceed and override is None:
        msg = (
            f"escalating ticket {ticket.external_id} is not advised: "
            f"{'; '.join(advice.explain())}. Escalate anyway with a justification to override."
        )
        raise AdviceNotOverridden(msg)
    escalation = Escalation(
        id=escalation_id,
        ticket_id=ticket.external_id,
        reason=command.reason,
        reason_text=command.reason_text,
        requested_by=command.requested_by,
        entry_point=command.entry_point,
        opened_at=now,
    )
    record_audit(
        escalation,
        "open",
        "",
        escalation.state.value,
        actor=command.requested_by,
        cause=command.cause,
        now=now,
        note=f"entry point {command.entry_point.value}",
    )
    kept_override: frozenset[NotToEscalate] = frozenset()
    if not advice.proceed and override is not None:
        kept_override = advice.against
        escalation.override = AdviceOverride(override.by, override.justification, advice.against)
        record_in_place(
            escalation,
            "override_advice",
            actor=override.by,
            cause=command.cause,
            now=now,
            note=f"advised against ({', '.join(sorted(advice.against))}); justification: "
            f"{override.justification.strip() or '(none given)'}",
        )
    attempt = assign_first_level(escalation, owners, by=command.requested_by, now=now)
    link = f"escalation:{escalation_id}"
    if link not in ticket.links:
        ticket.links.append(link)
    opened = EscalationOpened(
        escalation_id, ticket.external_id, attempt.owner, command.entry_point, kept_override
    )
    return escalation, opened


@dataclass(frozen=True)
class TicketSplit:
    """The urgent problem moved to its own ticket (rule 5, 002)."""

    urgent: Ticket
    remainder: Ticket


def split_ticket(ticket: Ticket, urgent_problem: str, *, new_ticket_id: str) -> TicketSplit:
    """Plan a split: the urgent problem becomes a new ticket linked to the original. A ticket
    whose problems were never listed may be split by naming the urgent one."""
    if ticket.problems and urgent_problem not in ticket.problems:
        msg = f"ticket {ticket.external_id} has no problem {urgent_problem!r} to split off"
        raise ValueError(msg)
    rest = tuple(p for p in ticket.problems if p != urgent_problem)
    urgent = Ticket(
        external_id=new_ticket_id,
        requester=ticket.requester,
        organisation=ticket.organisation,
        subject=urgent_problem,
        description=urgent_problem,
        severity=ticket.severity,
        priority=Priority.URGENT,
        product=ticket.product,
        region=ticket.region,
        opened_at=ticket.opened_at,
        last_support_reply_at=ticket.last_support_reply_at,
        problems=(urgent_problem,),
        links=[f"ticket:{ticket.external_id}"],
    )
    ticket.problems = rest
    link = f"ticket:{new_ticket_id}"
    if link not in ticket.links:
        ticket.links.append(link)
    return TicketSplit(urgent=urgent, remainder=ticket)
