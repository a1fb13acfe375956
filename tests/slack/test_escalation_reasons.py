"""Why an escalation was asked for, seen in Slack: the triage form offers the seeds' reasons,
the ones urgent by nature (recurring incidents, a risk to reputation, production down during an
upgrade: 001, 003) escalate a ticket of normal priority without advice against it, and the
escalation's message says why it was escalated, in the requester's words, and at which
severity (004). A new ESCALATION helpdesk ticket's description is its reason (001)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from bridge.domain.enums import Priority, Severity
from bridge.runtime import Runtime
from sandbox import Sandbox
from tests.services.conftest import add_ticket
from tests.services.test_helpdesk_entry import new_escalation_ticket
from tests.services.test_inbound_processors import stored
from tests.slack.test_escalation_flow import opened_view
from tests.slack.test_triage_shown import (  # noqa: F401 - the fixture, shared
    head_blocks,
    routed_to_the_sandbox,
    settle,
)
from tests.slack.workspace import interaction, submission, triage_state, typed

# Escalations are posted in the sandbox's channel, where their messages are read.
pytestmark = pytest.mark.usefixtures("routed_to_the_sandbox")
NOT_URGENT = (
    "The bridge advises against escalating: the ticket is not urgent or risky for the business. "
    "To escalate anyway, give a justification."
)


def reason_state(reason: str, what_happened: str, **changes: dict) -> dict:
    chosen = {"value": {"type": "static_select", "selected_option": {"value": reason}}}
    return triage_state(reason_category=chosen, reason_text=typed(what_happened), **changes)


@pytest.mark.parametrize(
    ("reason", "label"),
    [
        ("recurring_high_priority_incidents", "Recurring high-priority incidents"),
        ("reputation_risk", "Risk to reputation"),
        ("production_down_during_upgrade", "Production down during an upgrade"),
    ],
)
def test_a_reason_urgent_by_nature_escalates_a_normal_ticket_and_the_message_says_why(
    client: FlaskClient,
    runtime: Runtime,
    sandbox: Sandbox,
    reason: str,
    label: str,
) -> None:
    add_ticket(runtime, "4521", priority=Priority.NORMAL, severity=Severity.MAJOR)
    view = opened_view(client, sandbox, "4521")
    offered = {block.get("block_id"): block for block in view["blocks"]}["reason_category"]
    assert {"value": reason, "text": {"type": "plain_text", "text": label}} in (
        offered["element"]["options"]
    )

    what = "Third outage this month <!channel> & the press is asking"
    state = reason_state(reason, what)
    assert interaction(client, submission(view, state)).get_data() == b""  # no advice against
    settle(runtime)

    shown = head_blocks(sandbox)
    assert shown["reason"]["text"] == {
        "type": "mrkdwn",
        "text": (
            f"*Why escalated:* {label}: Third outage this month &lt;!channel&gt; &amp; the press "
            "is asking"
        ),
    }
    [head] = [m for m in sandbox.slack.world.messages if m.thread_ts is None and m.blocks]
    facts = [field["text"] for block in head.blocks or [] for field in block.get("fields", [])]
    assert "*Severity:* 2 (major)" in facts  # the ticket's severity, as support set it
    assert "*Classification:* Urgent" in facts  # production down (the form's answer)
    assert "<!channel>" not in str(shown)
    assert sandbox.violations == []


def test_a_reason_not_urgent_by_nature_is_advised_against_on_a_normal_ticket(
    client: FlaskClient, runtime: Runtime, sandbox: Sandbox
) -> None:
    add_ticket(runtime, "4521", priority=Priority.NORMAL)
    view = opened_view(client, sandbox, "4521")
    refused = interaction(client, submission(view, reason_state("unsatisfactory_reply", "slow")))
    assert refused.json == {
        "response_action": "errors",
        "errors": {"override_justification": NOT_URGENT},
    }


def test_a_new_escalation_tickets_description_is_the_reason_the_message_shows(
    client: FlaskClient, runtime: Runtime, sandbox: Sandbox
) -> None:
    """001: "Write the reason for escalating in the Description field" of the new ticket."""
    add_ticket(runtime, "4711")
    body = new_escalation_ticket("Escalation of ticket 4711")
    body["ticket"]["description"] = "Orders lost every hour <!here> & nobody answers ticket 4711"
    stored(runtime, "zendesk", "ticket", body)  # the helpdesk's delivery, as the inbox keeps it
    settle(runtime)

    assert head_blocks(sandbox)["reason"]["text"]["text"] == (
        "*Why escalated:* Critical business impact: Orders lost every hour &lt;!here&gt; &amp; "
        "nobody answers ticket 4711"
    )
    assert "<!here>" not in str(head_blocks(sandbox))
