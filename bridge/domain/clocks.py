"""The life of an escalation's SLA clocks (rule 7; docs/procedure.md, "SLA clocks").

What happens to an escalation decides what its clocks owe:

- *acknowledge* is met when the escalation team acknowledges (the button, or an engineer
  taking the escalation as its primary contact);
- *reply* is met by the first response the customer can see (a public status update, a plan
  communicated to them, a notice, an agent's public reply on the helpdesk). The customer's next
  message starts the next reply clock: every message is answered within one business day (000);
- *patch* starts when the problem is raised as a bug in the tracker (000: "a patch will be
  provided for critical bugs within 24 hours"), only for severities whose policy has one, and is
  met when a fix or a workaround is made available to the customer;
- the kinds the policy names pause while the escalation waits on the customer (a plan awaiting
  their answer, the resolution notice sent, or an agreed wait) and resume when they answer;
- every clock still owing stops when the escalation is resolved: monitored, de-escalated or
  closed. A met or stopped clock never breaches.

Everything here is a pure function of the clocks, the escalation and the time.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from bridge.domain.calendar import BusinessCalendar
from bridge.domain.enums import EscalationState
from bridge.domain.lifecycle import RESOLVED_STATES
from bridge.domain.records import Escalation
from bridge.domain.sla import (
    ClockState,
    SlaClock,
    SlaStatus,
    SlaTarget,
    TargetKind,
    evaluate,
    meet_clock,
    pause_clock,
    resume_clock,
    start_clock,
    stop_clock,
)

# The escalation waits on the customer's answer: to the plan, or to the resolution notice.
WAITING_STATES = frozenset({EscalationState.PLAN_PROPOSED, EscalationState.AWAITING_CUSTOMER})
# What the seed procedures owe while the customer is being waited on: the escalation team has
# nothing to acknowledge or patch in the meantime. A reply clock runs only while the customer's
# own message is unanswered, so it never waits on them.
DEFAULT_PAUSING = frozenset({TargetKind.ACKNOWLEDGE, TargetKind.PATCH})


class ClockEvent(StrEnum):
    ACKNOWLEDGED = "acknowledged"
    CUSTOMER_TOLD = "customer_told"
    CUSTOMER_WROTE = "customer_wrote"
    FIX_AVAILABLE = "fix_available"


MEETS = {
    ClockEvent.ACKNOWLEDGED: TargetKind.ACKNOWLEDGE,
    ClockEvent.CUSTOMER_TOLD: TargetKind.REPLY,
    ClockEvent.FIX_AVAILABLE: TargetKind.PATCH,
}


@dataclass(frozen=True)
class ClockRules:
    """What the escalation's policy says about its clocks: the region's business calendar,
    the always-open one of wall-clock targets, and the kinds that pause while waiting."""

    business: BusinessCalendar
    wall: BusinessCalendar
    pausing: frozenset[TargetKind] = DEFAULT_PAUSING
    at_risk_fraction: float = 0.75

    def calendar(self, target: SlaTarget) -> BusinessCalendar:
        return self.wall if target.wall_clock else self.business


def owing(clock: SlaClock) -> bool:
    return clock.state in (ClockState.RUNNING, ClockState.PAUSED)


def waiting_on_customer(escalation: Escalation, now: datetime) -> bool:
    until = escalation.waiting_until
    return escalation.state in WAITING_STATES or (until is not None and now < until)


def latest(clocks: Iterable[SlaClock]) -> dict[TargetKind, SlaClock]:
    """The newest clock of each kind (a reply clock follows the one before it)."""
    found: dict[TargetKind, SlaClock] = {}
    for clock in sorted(clocks, key=lambda c: (c.started_at, c.id)):
        found[clock.target.kind] = clock
    return found


def _next_id(subject_id: str, kind: TargetKind, clocks: Collection[SlaClock]) -> str:
    count = sum(clock.target.kind is kind for clock in clocks)
    base = f"{subject_id}:{kind.value}"
    return base if count == 0 else f"{base}:{count + 1}"


def start_kind(
    clocks: Collection[SlaClock],
    subject_id: str,
    target: SlaTarget,
    rules: ClockRules,
    *,
    now: datetime,
) -> SlaClock | None:
    """Start a clock for ``target`` unless one of its kind still owes; None when one does."""
    if any(owing(clock) and clock.target.kind is target.kind for clock in clocks):
        return None
    return start_clock(
        _next_id(subject_id, target.kind, clocks),
        subject_id,
        target,
        rules.calendar(target),
        now=now,
        at_risk_fraction=rules.at_risk_fraction,
    )


def follow(
    clocks: Collection[SlaClock],
    escalation: Escalation,
    events: Iterable[ClockEvent],
    rules: ClockRules,
    *,
    now: datetime,
) -> tuple[list[SlaClock], list[SlaClock]]:
    """Apply what happened, then bring the clocks in line with the escalation's state.
    Returns (clocks changed, clocks started)."""
    changed: dict[str, SlaClock] = {}
    started: list[SlaClock] = []
    happened = set(events)
    for event in happened & MEETS.keys():
        for clock in clocks:
            if clock.target.kind is MEETS[event] and owing(clock):
                meet_clock(clock, now=now)
                changed[clock.id] = clock
    if ClockEvent.CUSTOMER_WROTE in happened and escalation.state not in RESOLVED_STATES:
        replies = [clock for clock in clocks if clock.target.kind is TargetKind.REPLY]
        if replies and ClockEvent.CUSTOMER_TOLD not in happened:
            new = start_kind(clocks, escalation.id, replies[0].target, rules, now=now)
            started += [new] if new is not None else []
    for clock in [*clocks, *started]:
        if settle(clock, escalation, rules, now=now):
            changed[clock.id] = clock
    return [c for c in changed.values() if c not in started], started


def bug_filed(
    clocks: Collection[SlaClock],
    escalation: Escalation,
    target: SlaTarget,
    rules: ClockRules,
    *,
    now: datetime,
) -> SlaClock | None:
    """The problem is raised as a bug in the tracker: the patch clock starts, once per
    escalation. A workaround the customer already accepted has made a fix available."""
    if target.kind is not TargetKind.PATCH or any(
        clock.target.kind is TargetKind.PATCH for clock in clocks
    ):
        return None
    if escalation.state in RESOLVED_STATES:
        return None
    clock = start_clock(
        _next_id(escalation.id, TargetKind.PATCH, clocks),
        escalation.id,
        target,
        rules.calendar(target),
        now=now,
        at_risk_fraction=rules.at_risk_fraction,
    )
    plan = escalation.accepted_plan
    if plan is not None and not plan.kind.is_release:
        meet_clock(clock, now=now)
    else:
        settle(clock, escalation, rules, now=now)
    return clock


def settle(clock: SlaClock, escalation: Escalation, rules: ClockRules, *, now: datetime) -> bool:
    """Stop, pause or resume one clock as the escalation's state asks; True if it changed."""
    if not owing(clock):
        return False
    if escalation.state in RESOLVED_STATES:
        stop_clock(clock, now=now)
        return True
    waiting = waiting_on_customer(escalation, now) and clock.target.kind in rules.pausing
    calendar = rules.calendar(clock.target)
    if clock.state is ClockState.RUNNING and waiting:
        pause_clock(clock, calendar, now=now)
        return True
    if clock.state is ClockState.PAUSED and not waiting:
        resume_clock(clock, calendar, now=now)
        return True
    return False


class Shown(StrEnum):
    """A clock as people read it on the board, in Slack and in the digest."""

    RUNNING = "running"
    AT_RISK = "at risk"
    BREACHED = "breached"
    PAUSED = "paused"
    MET_ON_TIME = "met on time"
    MET_LATE = "met late"
    STOPPED = "stopped"


def shown(clock: SlaClock, now: datetime) -> Shown:
    status = evaluate(clock, now).status
    if status is SlaStatus.MET:
        return Shown.MET_LATE if clock.met_late else Shown.MET_ON_TIME
    return {
        SlaStatus.DUE: Shown.RUNNING,
        SlaStatus.AT_RISK: Shown.AT_RISK,
        SlaStatus.BREACHED: Shown.BREACHED,
        SlaStatus.PAUSED: Shown.PAUSED,
        SlaStatus.STOPPED: Shown.STOPPED,
    }[status]


def describe(clock: SlaClock, now: datetime) -> str:
    """A clock as people read it: "running, due Mon 16 Nov 19:00 UTC", "met on time"."""
    state = shown(clock, now)
    if state in (Shown.RUNNING, Shown.AT_RISK, Shown.BREACHED) and clock.due_at is not None:
        return f"{state.value}, due {clock.due_at.astimezone(UTC):%a %d %b %H:%M} UTC"
    return state.value
