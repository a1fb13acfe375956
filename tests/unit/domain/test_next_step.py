"""The board's "next: … — from whom", read from an escalation's state and running clocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bridge.domain.enums import EscalationState, Level
from bridge.domain.next_step import next_step
from bridge.domain.sla import TargetKind

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def said(state: EscalationState, **given: object) -> str:
    found = next_step(state, **{"level": Level.SUPPORT_MANAGER, "engineer": "Erin", **given})  # type: ignore[arg-type]
    return str(found) if found else ""


def test_an_acknowledge_clock_running_asks_the_levels_owner() -> None:
    assert said(EscalationState.REQUESTED, running={TargetKind.ACKNOWLEDGE}) == (
        "acknowledge — support manager"
    )
    assert said(
        EscalationState.REQUESTED, level=Level.ACCOUNT_MANAGER, running={TargetKind.ACKNOWLEDGE}
    ) == ("acknowledge — account manager")


def test_a_reply_clock_running_asks_the_engineer_by_name() -> None:
    assert said(EscalationState.ACTIVE, running={TargetKind.REPLY}) == (
        "reply to the customer — engineer Erin"
    )
    assert said(EscalationState.ACTIVE, engineer=None, running={TargetKind.REPLY}) == (
        "reply to the customer — an engineer (none assigned)"
    )


def test_a_proposed_plan_waits_on_the_customer_even_with_a_reply_clock() -> None:
    assert said(EscalationState.PLAN_PROPOSED, running={TargetKind.REPLY}) == (
        "customer's answer to the plan — customer"
    )


def test_an_agreed_wait_on_the_customer_is_theirs_until_it_ends() -> None:
    waiting = {"waiting_until": NOW + timedelta(hours=2), "running": {TargetKind.REPLY}}
    assert said(EscalationState.ACTIVE, now=NOW, **waiting) == (
        "customer's answer to the update — customer"
    )
    later = NOW + timedelta(hours=3)
    assert said(EscalationState.ACTIVE, now=later, **waiting) == (
        "reply to the customer — engineer Erin"
    )


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (EscalationState.TRIAGED, "assign an engineer — support manager"),
        (EscalationState.ACTIVE, "propose an action plan — engineer Erin"),
        (EscalationState.PLAN_ACCEPTED, "ship the fix — engineer Erin"),
        (EscalationState.AWAITING_CUSTOMER, "customer's answer to the fix — customer"),
        (EscalationState.CLOSED, ""),
        (EscalationState.DE_ESCALATED, ""),
    ],
)
def test_each_state_says_what_comes_next(state: EscalationState, expected: str) -> None:
    assert said(state) == expected
