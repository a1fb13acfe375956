"""Communication plan and status updates (rule 8, 003) and the daily digest (002, 003)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bridge.domain.enums import Classification, EscalationState, Level
from bridge.domain.errors import IllegalTransition, RuleViolation
from bridge.domain.lifecycle import record_in_place, refuse_if_closed
from bridge.domain.records import CommunicationPlan, Escalation


def agree_communication_plan(
    escalation: Escalation, plan: CommunicationPlan, *, actor: str, cause: str, now: datetime
) -> datetime:
    """Record the agreed mode, frequency and attendees; the first update is due one period on."""
    if plan.frequency <= timedelta(0):
        msg = "a communication plan needs a positive update frequency"
        raise ValueError(msg)
    if not escalation.is_open:
        raise IllegalTransition(
            escalation.kind, escalation.id, escalation.state.value, "agree_communication_plan"
        )
    escalation.communication = plan
    escalation.next_update_due = now + plan.frequency
    record_in_place(
        escalation,
        "agree_communication_plan",
        actor=actor,
        cause=cause,
        now=now,
        note=f"{plan.mode.value} every {every(plan.frequency)}, {len(plan.attendees)} attendee(s)",
    )
    return escalation.next_update_due


def every(period: timedelta) -> str:
    """A plan's period as people say it: "4 h", "1 day", "2 days 12 h"."""
    days, hours = period.days, period.seconds / 3600
    parts = [f"{days} day{'s' if days != 1 else ''}"] if days else []
    if hours or not days:
        parts.append(f"{hours:g} h")
    return " ".join(parts)


def record_status_update(
    escalation: Escalation,
    *,
    actor: str,
    cause: str,
    now: datetime,
    waiting_until: datetime | None = None,
    text: str = "",
) -> datetime | None:
    """A status update went out (its ``text`` is kept on the timeline); the next one is due
    one plan period after it. An update that asks the customer for something may agree a wait
    (``waiting_until``): until then, or until the customer writes, the policy's clocks pause."""
    refuse_if_closed(escalation, "status update")
    if waiting_until is not None and waiting_until <= now:
        msg = f"the agreed wait must end in the future, not {waiting_until.isoformat()}"
        raise RuleViolation(msg)
    escalation.last_status_update_at = now
    plan = escalation.communication
    escalation.next_update_due = now + plan.frequency if plan else None
    escalation.waiting_until = waiting_until
    waiting = f"waiting on the customer until {waiting_until.isoformat()}" if waiting_until else ""
    note = "\n".join(part for part in (text.strip(), waiting) if part)
    record_in_place(escalation, "status_update", actor=actor, cause=cause, now=now, note=note)
    return escalation.next_update_due


def customer_wrote(escalation: Escalation) -> None:
    """The customer answered: an agreed wait on them is over."""
    escalation.waiting_until = None


def status_update_overdue(escalation: Escalation, now: datetime) -> bool:
    due = escalation.next_update_due
    return escalation.is_open and due is not None and now >= due


@dataclass(frozen=True)
class DigestLine:
    escalation_id: str
    ticket_id: str
    state: EscalationState
    level: Level
    classification: Classification | None
    engineer: str | None
    open_for: timedelta
    next_update_due: datetime | None
    update_overdue: bool
    sla_breached: bool


@dataclass(frozen=True)
class Digest:
    generated_at: datetime
    lines: tuple[DigestLine, ...]
    by_state: dict[str, int]
    by_level: dict[int, int]
    urgent: int
    updates_overdue: int
    sla_breached: int


def _rank(line: DigestLine) -> tuple[int, int, timedelta, str]:
    not_urgent = 0 if line.classification is Classification.URGENT else 1
    return (not_urgent, -int(line.level), -line.open_for, line.escalation_id)


def daily_digest(
    escalations: Iterable[Escalation], now: datetime, *, breached: Collection[str] = ()
) -> Digest:
    """Every open escalation and its status, Urgent first, then higher levels, then oldest.

    `breached` holds the ids of escalations with a breached SLA clock (the SLA engine knows).
    """
    lines = [
        DigestLine(
            escalation_id=e.id,
            ticket_id=e.ticket_id,
            state=e.state,
            level=e.level,
            classification=e.classification,
            engineer=e.engineer,
            open_for=now - e.opened_at,
            next_update_due=e.next_update_due,
            update_overdue=status_update_overdue(e, now),
            sla_breached=e.id in breached,
        )
        for e in escalations
        if e.is_open
    ]
    lines.sort(key=_rank)
    return Digest(
        generated_at=now,
        lines=tuple(lines),
        by_state=dict(Counter(line.state.value for line in lines)),
        by_level=dict(Counter(int(line.level) for line in lines)),
        urgent=sum(line.classification is Classification.URGENT for line in lines),
        updates_overdue=sum(line.update_overdue for line in lines),
        sla_breached=sum(line.sla_breached for line in lines),
    )
