"""The "Triage and escalate" button under a customer's ask to escalate (posted when a customer
copies the support manager with no escalation open): it opens the triage form for the ticket,
prefilled with the customer's words, and submitting it is an escalation request from Slack."""

from __future__ import annotations

import json
from typing import Any

from flask.testing import FlaskClient

from bridge.runtime import Runtime
from bridge.services.inbound.triage_requests import triage_request_message
from sandbox import Sandbox
from tests.slack.workspace import (
    ALICE,
    CHANNEL,
    add_escalation,
    add_ticket,
    interaction,
    notes_to,
    submission,
    triage_state,
    wait_for,
)

WORDS = "Orders lost since Friday <!channel> & nobody answers"


def pressed(ticket_ref: str, trigger: str = "5.5.t") -> dict[str, Any]:
    """Alice presses the button of the message the bridge posts for the ticket."""
    _, blocks = triage_request_message(ticket_ref, "support manager", WORDS)
    [button] = blocks[-1]["elements"]
    return {
        "type": "block_actions",
        "trigger_id": trigger,
        "team": {"id": "T0SANDBOX1"},
        "user": {"id": ALICE},
        "channel": {"id": CHANNEL},
        "message": {"ts": "1700000000.000200"},
        "actions": [{**button, "block_id": "triage_request", "action_ts": "1700000002.0"}],
    }


def test_the_button_opens_the_triage_form_for_the_ticket_with_the_customers_words(
    client: FlaskClient, runtime: Runtime, sandbox: Sandbox, inbox
) -> None:
    with runtime.sessions.begin() as session:
        ticket_id = add_ticket(session, "4711").id

    assert interaction(client, pressed("zendesk:4711")).status_code == 200
    assert interaction(client, pressed("zendesk:4711")).status_code == 200  # Slack's retry

    [view] = wait_for(lambda: list(sandbox.slack.world.views.values()))
    assert view["callback_id"] == "escalation_triage"
    assert json.loads(view["private_metadata"]) == {
        "ticket": "zendesk:4711",
        "ticket_id": ticket_id,
        "channel": CHANNEL,
    }
    blocks = {block.get("block_id"): block for block in view["blocks"]}
    assert blocks["reason_text"]["element"]["initial_value"] == (
        f"The customer copied the support manager: {WORDS}"
    )
    interaction(client, submission(view, triage_state()))
    [row] = inbox()
    assert (row.event_type, row.record_key) == ("escalation_request", "ticket:zendesk:4711")


def test_a_ticket_the_bridge_no_longer_knows_is_told_not_opened(
    client: FlaskClient, sandbox: Sandbox
) -> None:
    assert interaction(client, pressed("zendesk:4711")).status_code == 200
    [note] = wait_for(lambda: notes_to(sandbox, ALICE))
    assert note.startswith("No ticket `zendesk:4711` is known to the bridge.")
    assert sandbox.slack.world.views == {}


def test_a_ticket_escalated_since_the_ask_is_told_so_not_opened_again(
    client: FlaskClient, runtime: Runtime, sandbox: Sandbox
) -> None:
    """The trigger arrived late and opened the escalation: pressing the button opens no form."""
    with runtime.sessions.begin() as session:
        escalation_id = add_escalation(session, add_ticket(session, "4711")).id

    assert interaction(client, pressed("zendesk:4711")).status_code == 200
    [note] = wait_for(lambda: notes_to(sandbox, ALICE))
    assert note == f"Ticket zendesk:4711 is already escalated: escalation {escalation_id} is open."
    assert sandbox.slack.world.views == {}
