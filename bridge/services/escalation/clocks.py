"""An escalation's SLA clocks follow every step it takes, inside that step's transaction.

Every service that changes an escalation calls ``keep_clocks`` with what happened (the domain's
``ClockEvent``s); the rules of ``bridge/domain/clocks.py`` decide which clocks are met, started,
paused, resumed or stopped, and the changed clocks are saved with the step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from bridge.domain.clocks import ClockEvent, bug_filed, follow
from bridge.domain.enums import Severity
from bridge.domain.sla import SlaClock, TargetKind
from bridge.services.effects import reaches_customer
from bridge.services.escalation.policy import Policy
from bridge.store.escalations import EscalationStore, Loaded
from bridge.store.outbox import SideEffect


def told_if(planned: Iterable[SideEffect]) -> tuple[ClockEvent, ...]:
    """The customer was told something if any planned side effect reaches them."""
    return (ClockEvent.CUSTOMER_TOLD,) if any(map(reaches_customer, planned)) else ()


def keep_clocks(
    store: EscalationStore, loaded: Loaded, now: dt.datetime, *events: ClockEvent
) -> list[SlaClock]:
    """Apply ``events`` and the escalation's state to its clocks; returns the clocks changed or
    started (already saved)."""
    rules = Policy(loaded.row.policy).clock_rules
    clocks = store.clocks(loaded.row.id)
    changed, started = follow(clocks, loaded.escalation, events, rules, now=now)
    for clock in (*changed, *started):
        store.save_clock(loaded.row.id, clock)
    return [*changed, *started]


def start_patch_clock(
    store: EscalationStore, loaded: Loaded, severity: Severity, now: dt.datetime
) -> SlaClock | None:
    """The problem was raised as a bug in the tracker: the patch clock of ``severity`` (the
    SPAR's, negotiated with the customer) starts, if its policy has one."""
    policy = Policy(loaded.row.policy)
    target = policy.target(severity, TargetKind.PATCH)
    if target is None:
        return None
    clock = bug_filed(
        store.clocks(loaded.row.id), loaded.escalation, target, policy.clock_rules, now=now
    )
    if clock is not None:
        store.save_clock(loaded.row.id, clock)
    return clock
