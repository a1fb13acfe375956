"""Every step from Slack, end to end through the sandbox: the step's button or menu entry →
``views.open`` seen by the sandbox → ``view_submission`` → the escalation changes → its thread
and head message say so; a step the procedure refuses is answered to the person who took it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bridge.jobs.clock import utcnow
from bridge.store import tables
from sandbox import Sandbox
from sandbox.embedded import SLACK_INTERACTIONS
from sandbox.slack import person

from ..services.conftest import add_ticket
from .conftest import state_of
from .sandboxed import Bridge

ALICE, ERIN, MANAGER = "U0ALICE001", "U0ERIN0001", "U0BOBDEV01"


@pytest.fixture
def slack_signing(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIDGE_SLACK_SIGNING_SECRET", sandbox.webhook_secrets["slack"])


def escalated_in_slack(bridge: Bridge, sandbox: Sandbox) -> int:
    sandbox.register_webhook("slack", f"{bridge.url}/slack/commands", events=("slash_command",))
    sandbox.register_webhook("slack", f"{bridge.url}/slack/interactions", events=SLACK_INTERACTIONS)
    ticket = next(iter(sandbox.zendesk.tickets))
    add_ticket(bridge.runtime, str(ticket))
    answers = person.triage_values(
        reason="critical_business_impact",
        what_happened="Orders stop syncing",
        production_down=True,
        users_affected=120,
        financial_loss="USD 10k a day",
        contact=("Dana Ops", "+1 555 0100", "dana@customer.example", "Mon-Fri 08:00-18:00 ET"),
    )
    person.escalate(sandbox, ALICE, f"zendesk:{ticket} orders", answers)
    bridge.settle()
    with bridge.runtime.sessions() as session:
        [escalation_id] = session.scalars(select(tables.Escalation.id)).all()
    return escalation_id


def head(sandbox: Sandbox, escalation_id: int) -> str:
    [message] = [
        m
        for m in sandbox.slack.world.messages
        if m.thread_ts is None and m.blocks and f"Escalation {escalation_id}" in str(m.blocks)
    ]
    return str(message.blocks)


def thread(sandbox: Sandbox) -> list[str]:
    return [m.text for m in sandbox.slack.world.messages if m.thread_ts is not None]


def told(sandbox: Sandbox, user: str) -> list[str]:
    """Direct messages from the bot to ``user`` (the sandbox names their channel D + user id)."""
    return [m.text for m in sandbox.slack.world.in_channel(f"D{user[1:]}")]


def test_engineer_plan_answer_and_closing_refusal_from_slack(
    slack_signing: None, bridge: Bridge, sandbox: Sandbox
) -> None:
    escalation_id = escalated_in_slack(bridge, sandbox)

    person.take_step(
        sandbox, ALICE, escalation_id, "assign_engineer", {"engineer": person.picked_user(ERIN)}
    )
    bridge.settle()
    assert state_of(bridge.runtime, escalation_id) == "active"
    assert f"<@{ERIN}> is the escalation engineer and primary contact" in thread(sandbox)
    assert f"*Engineer:* <@{ERIN}>" in head(sandbox, escalation_id)

    tomorrow = (utcnow().date() + dt.timedelta(days=1)).isoformat()
    plan = {
        "kind": person.chosen("workaround"),
        "delivery_date": person.picked_date(tomorrow),
        "summary": person.typed("Disable the nightly export until the fix ships"),
    }
    form = person.take_step(sandbox, ERIN, escalation_id, "propose_plan", plan)
    bridge.settle()
    assert form["callback_id"] == "escalation_step"
    assert state_of(bridge.runtime, escalation_id) == "plan_proposed"
    assert any(
        text.startswith("Proposed plan-1. Action plan (workaround") for text in thread(sandbox)
    )
    assert "*State:* plan_proposed" in head(sandbox, escalation_id)

    person.take_step(
        sandbox,
        MANAGER,
        escalation_id,
        "de_escalate",
        {"agreement": person.typed("customer agrees to de-escalate")},
    )
    bridge.settle()
    assert state_of(bridge.runtime, escalation_id) == "plan_proposed"  # refused, nothing applied
    [refusal] = [text for text in told(sandbox, MANAGER) if text.startswith("Could not")]
    assert "no action plan has been accepted" in refusal
    assert sandbox.violations == []
