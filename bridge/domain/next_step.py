"""What an escalation waits for next, and from whom: the board's "next" line.

Read from the escalation's state and its running SLA clocks, so it is right however the
escalation got there. Owners are named by role (rule 6's levels); the engineer by name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from bridge.domain.enums import EscalationState, Level
from bridge.domain.sla import TargetKind

OWNERS = {
    Level.SUPPORT_MANAGER: "support manager",
    Level.ACCOUNT_MANAGER: "account manager",
    Level.EXECUTIVE: "executive",
}
CUSTOMER = "customer"


@dataclass(frozen=True)
class NextStep:
    what: str
    whom: str

    def __str__(self) -> str:
        return f"{self.what} — {self.whom}"


def _engineer(name: str | None) -> str:
    return f"engineer {name}" if name else "an engineer (none assigned)"


def next_step(
    state: EscalationState,
    *,
    level: Level,
    engineer: str | None,
    running: Collection[TargetKind] = (),
    waiting_until: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> NextStep | None:
    """None once nothing more is expected (closed, de-escalated)."""
    owner = OWNERS[level]
    if state in (EscalationState.CLOSED, EscalationState.DE_ESCALATED):
        return None
    if TargetKind.ACKNOWLEDGE in running:
        return NextStep("acknowledge", owner)
    if waiting_until is not None and (now is None or waiting_until > now):
        return NextStep("customer's answer to the update", CUSTOMER)
    engineer_role = _engineer(engineer)
    if TargetKind.REPLY in running and state is not EscalationState.PLAN_PROPOSED:
        return NextStep("reply to the customer", engineer_role)
    by_state = {
        EscalationState.REQUESTED: NextStep("triage", owner),
        EscalationState.TRIAGED: NextStep("assign an engineer", owner),
        EscalationState.ACTIVE: NextStep("propose an action plan", engineer_role),
        EscalationState.PLAN_PROPOSED: NextStep("customer's answer to the plan", CUSTOMER),
        EscalationState.PLAN_ACCEPTED: NextStep("ship the fix", engineer_role),
        EscalationState.PLAN_REJECTED: NextStep("a new plan", engineer_role),
        EscalationState.RENEGOTIATING: NextStep("a new plan agreed", engineer_role),
        EscalationState.FIX_SHIPPED: NextStep("tell the customer the fix is out", engineer_role),
        EscalationState.AWAITING_CUSTOMER: NextStep("customer's answer to the fix", CUSTOMER),
        EscalationState.MONITORING: NextStep("close after monitoring", owner),
        EscalationState.REOPENED: NextStep("look at the fix again", engineer_role),
    }
    return by_state.get(state)
