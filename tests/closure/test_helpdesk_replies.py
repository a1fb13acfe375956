"""The customer answers by replying on the ticket instead of clicking: the bridge understands
a clear "thanks, fixed" or "still broken", and leaves anything else to support."""

from __future__ import annotations

import json

import pytest
import requests
from sqlalchemy import select

from bridge.config.connectors import ConnectorsConfig
from bridge.connectors.registry import helpdesks_events
from bridge.services.closing.links import ACCEPT, STILL_BROKEN
from bridge.services.inbound.replies import customer_comment, read_reply
from bridge.services.inbound.ticket_events import parse_ticket_event
from bridge.store import tables
from sandbox import Sandbox

from .sandboxed import Bridge, Developer
from .test_end_to_end import escalated_with_ar, thread


@pytest.mark.parametrize(
    ("reply", "answer"),
    [
        ("Thanks, fixed!", ACCEPT),
        ("Works now, you can close it.", ACCEPT),
        ("Installed 4.2.1 and the sync is working again", ACCEPT),
        ("Still broken after the upgrade", STILL_BROKEN),
        ("It is not fixed, orders still fail", STILL_BROKEN),
        ("The upgrade didn't help, please reopen", STILL_BROKEN),
        ("When will the patch be installed on our server?", None),
    ],
)
def test_a_clear_reply_is_read_as_an_answer(reply: str, answer: str | None) -> None:
    assert read_reply(reply) == answer


@pytest.fixture
def zendesk_events(bridge: Bridge, sandbox: Sandbox) -> None:
    """Zendesk's ticket events reach the bridge too (our own comments among them)."""
    sandbox.register_webhook("zendesk", f"{bridge.url}/webhooks/zendesk")


def reply_as_customer(sandbox: Sandbox, ticket: int, text: str) -> None:
    url = f"{sandbox.urls['zendesk']}/_sandbox/tickets/{ticket}/customer_reply"
    requests.post(url, json={"body": text}, timeout=10).raise_for_status()


@pytest.mark.usefixtures("zendesk_events")
def test_thanks_fixed_on_the_ticket_accepts_the_fix(bridge: Bridge, sandbox: Sandbox) -> None:
    ticket, escalation_id, ar = escalated_with_ar(bridge, sandbox)
    Developer(sandbox).release(ar, "4.2.1")
    bridge.settle()

    reply_as_customer(sandbox, ticket, "Thanks, fixed! Orders sync again.")
    bridge.settle()

    with bridge.runtime.sessions() as session:
        row = session.get(tables.Escalation, escalation_id)
        assert row is not None and row.state == "monitoring"
        assert session.scalars(select(tables.ResolutionAnswer.answered_by)).one() == (
            "customer (helpdesk reply)"
        )
    assert any("The customer accepted the fix (version 4.2.1)" in t for t in thread(sandbox))


@pytest.mark.usefixtures("zendesk_events")
def test_a_reply_that_the_problem_came_back_during_monitoring_reopens_the_escalation(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    ticket, escalation_id, ar = escalated_with_ar(bridge, sandbox)
    Developer(sandbox).release(ar, "4.2.1")
    bridge.settle()
    reply_as_customer(sandbox, ticket, "Works now, thank you.")
    bridge.settle()

    reply_as_customer(sandbox, ticket, "Sorry, the problem came back this morning.")
    bridge.settle()

    with bridge.runtime.sessions() as session:
        row = session.get(tables.Escalation, escalation_id)
        assert row is not None and row.state == "active"
    assert any("same problem during monitoring" in t for t in thread(sandbox))


FRESHDESK_REPLY = {
    "freshdesk_webhook": {
        "ticket_id": 1,
        "ticket_subject": "Invoice totals wrong",
        "ticket_status": "Open",
        "ticket_priority": "Urgent",
        "ticket_contact_email": "ap@customer.example",
        "ticket_latest_public_comment": "Still broken after the update, same totals.",
        "triggered_event": "{customer_reply}",
    }
}


def test_a_freshdesk_customer_reply_is_read_from_its_automation_body() -> None:
    freshdesk = helpdesks_events()["freshdesk"]
    assert customer_comment(FRESHDESK_REPLY, freshdesk) == (
        "Still broken after the update, same totals."
    )
    assert read_reply(customer_comment(FRESHDESK_REPLY, freshdesk) or "") == "still_broken"
    agent_update = {
        "freshdesk_webhook": {
            **FRESHDESK_REPLY["freshdesk_webhook"],
            "triggered_event": "{ticket_update}",
        }
    }
    assert customer_comment(agent_update, freshdesk) is None


def test_a_freshdesk_automation_body_keeps_the_ticket_mirror_current() -> None:
    entry = ConnectorsConfig().escalation_entry("freshdesk")
    freshdesk = helpdesks_events()["freshdesk"]
    event = parse_ticket_event(json.dumps(FRESHDESK_REPLY).encode(), entry, freshdesk)
    assert (event.ticket.external_id, event.ticket.subject) == ("1", "Invoice totals wrong")
    assert event.ticket.priority.value == "urgent"
    assert event.ticket.requester == "ap@customer.example"
