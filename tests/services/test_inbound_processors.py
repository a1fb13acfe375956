"""Stored deliveries become workflow steps: helpdesk ticket events and Slack requests/buttons."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from bridge.jobs.clock import utcnow
from bridge.jobs.registry import PermanentError
from bridge.runtime import Runtime
from bridge.store import tables
from bridge.store.inbox import Delivery
from bridge.store.tables import InboxRow

from .conftest import add_ticket


def stored(runtime: Runtime, source: str, event_type: str, body: dict | bytes) -> InboxRow:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    result = runtime.inbox.store(Delivery(source, uuid.uuid4().hex, event_type, raw), utcnow())
    with runtime.sessions() as session:
        row = session.get(InboxRow, result.row_id)
        assert row is not None
        return row


def ticket_event(number: str = "4711", *, tags: str = "", updated_at: str) -> dict:
    return {
        "ticket": {
            "id": number,
            "subject": "Orders fail to sync",
            "requester": "ops@customer.example",
            "organization": "Customer Ltd",
            "priority": "urgent",
            "type": "incident",
            "tags": tags,
            "status": "open",
            "created_at": "2026-11-16T09:00:00Z",
            "updated_at": updated_at,
        },
        "updated_by": "agent@vendor.example",
    }


def escalations(runtime: Runtime) -> list[tables.Escalation]:
    with runtime.sessions() as session:
        return list(session.scalars(select(tables.Escalation)))


def outbox(runtime: Runtime, operation: str) -> list[tables.OutboxRow]:
    with runtime.sessions() as session:
        return list(
            session.scalars(select(tables.OutboxRow).where(tables.OutboxRow.operation == operation))
        )


# What a helpdesk trigger sends beside the ticket: the answers every entry point requires.
HELPDESK_TRIAGE = {
    "users_affected": 40,
    "go_live_or_upgrade_date": None,
    "contact": {
        "phone": "+1 555 0100",
        "email": "dana@customer.example",
        "hours_of_availability": "9-17",
    },
}


def test_a_ticket_tagged_escalation_opens_one_escalation(runtime: Runtime) -> None:
    process = runtime.services.helpdesk_processor
    assert (
        process(
            stored(runtime, "zendesk", "ticket", ticket_event(updated_at="2026-11-16T10:00:00Z"))
        )
        == "done"
    )
    assert escalations(runtime) == []
    changed = ticket_event(tags="vip escalation", updated_at="2026-11-16T11:00:00Z")
    changed["triage"] = HELPDESK_TRIAGE
    assert process(stored(runtime, "zendesk", "ticket", changed)) == "done"
    again = ticket_event(tags="vip escalation", updated_at="2026-11-16T12:00:00Z")
    assert process(stored(runtime, "zendesk", "ticket", again)) == "done"
    [escalation] = escalations(runtime)
    assert escalation.document["entry_point"] == "ticket_type_changed"
    assert escalation.document["requested_by"] == "agent@vendor.example"
    assert escalation.document["triage"]["users_affected"] == 40
    assert escalation.state == "triaged"


def test_an_escalation_from_the_helpdesk_without_the_triage_answers_is_refused(runtime) -> None:
    process = runtime.services.helpdesk_processor
    process(stored(runtime, "zendesk", "ticket", ticket_event(updated_at="2026-11-16T10:00:00Z")))
    changed = ticket_event(tags="vip escalation", updated_at="2026-11-16T11:00:00Z")
    changed["triage"] = {**HELPDESK_TRIAGE, "contact": {"email": "dana@customer.example"}}
    del changed["triage"]["users_affected"]
    assert process(stored(runtime, "zendesk", "ticket", changed)) == "done"
    assert escalations(runtime) == []
    [post] = outbox(runtime, "channel_post")
    assert "4711" in post.payload["text"]
    for field in ("contact.phone", "contact.hours_of_availability", "users_affected"):
        assert field in post.payload["text"]
    assert "contact.email" not in post.payload["text"]


def test_an_event_older_than_the_last_applied_is_ignored(runtime: Runtime) -> None:
    process = runtime.services.helpdesk_processor
    process(stored(runtime, "zendesk", "ticket", ticket_event(updated_at="2026-11-16T11:00:00Z")))
    late = ticket_event(tags="vip escalation", updated_at="2026-11-16T10:00:00Z")
    assert process(stored(runtime, "zendesk", "ticket", late)) == "ignored"
    assert escalations(runtime) == []


def test_an_unreadable_ticket_event_is_refused_with_its_reason(runtime: Runtime) -> None:
    with pytest.raises(PermanentError, match="expected a 'ticket' object"):
        runtime.services.helpdesk_processor(stored(runtime, "freshdesk", "ticket", {"hello": 1}))


@pytest.mark.parametrize(
    ("source", "number", "requester", "problem"),
    [
        ("zendesk", "../2", "ops@customer.example", "a Zendesk ticket id is a positive whole"),
        ("freshdesk", "4711:2", "ops@customer.example", "a Freshdesk ticket id is a positive"),
        ("intake", "a:b", "ops@customer.example", "a ticket id is letters, digits"),
        ("zendesk", "4711", "ops@customer.example\r\nBcc: x@evil.example", "the requester"),
    ],
)
def test_a_stored_ticket_the_helpdesk_could_not_take_queues_no_side_effect(
    runtime: Runtime, source: str, number: str, requester: str, problem: str
) -> None:
    """A delivery stored before the receivers refused such tickets stops at its processor."""
    event = ticket_event(number, tags="vip escalation", updated_at="2026-11-16T11:00:00Z")
    event["ticket"]["requester"] = requester
    event["triage"] = HELPDESK_TRIAGE
    with pytest.raises(PermanentError, match=problem):
        runtime.services.helpdesk_processor(stored(runtime, source, "ticket", event))
    assert escalations(runtime) == []
    with runtime.sessions() as session:
        assert list(session.scalars(select(tables.OutboxRow))) == []
        assert list(session.scalars(select(tables.Ticket))) == []


def test_an_unregistered_requester_is_held_and_support_is_told(runtime, monkeypatch) -> None:
    runtime.settings = runtime.settings.model_copy(
        update={"contacts": {"Customer Ltd": ["ops@customer.example"]}}
    )
    process = runtime.services.helpdesk_processor
    stranger = ticket_event(updated_at="2026-11-16T10:00:00Z")
    stranger["ticket"]["requester"] = "someone@elsewhere.example"
    row = stored(runtime, "intake", "ticket", stranger)
    assert process(row) == "held"
    [post] = outbox(runtime, "channel_post")
    assert f"held as inbox row {row.id}" in post.payload["text"]
    registered = stored(
        runtime, "intake", "ticket", ticket_event(updated_at="2026-11-16T10:00:00Z")
    )
    assert process(registered) == "done"


def slack_request(ticket: str = "4711", **answers: object) -> dict:
    return {
        "entry_point": "slack",
        "ticket": ticket,
        "requested_by": "U-ANNA",
        "answers": {
            "reason_category": "data_loss",
            "reason_text": "orders lost",
            "production_down": True,
            "acceptable_workaround": False,
            "core_functionality_severely_affected": True,
            "anticipated_financial_loss": "10k/day",
            "users_affected": 40,
            "go_live_or_upgrade_date": None,
            "go_live_effect": "",
            "contact": {
                "name": "Ops",
                "phone": "+1 555",
                "email": "ops@customer.example",
                "hours_of_availability": "9-17",
            },
            "review": {
                "problem_statement_correct": True,
                "business_impact_described": True,
                "workaround_impractical": None,
                "critical_milestone_date": None,
            },
            **answers,
        },
    }


def test_a_slack_escalation_request_is_triaged_from_its_answers(runtime: Runtime) -> None:
    add_ticket(runtime)
    assert (
        runtime.services.slack_processor(
            stored(runtime, "slack", "escalation_request", slack_request())
        )
        == "done"
    )
    [escalation] = escalations(runtime)
    assert escalation.state == "triaged"
    assert escalation.classification == "urgent"


def test_a_slack_request_for_an_unknown_ticket_is_answered_to_the_requester(runtime) -> None:
    runtime.services.slack_processor(
        stored(runtime, "slack", "escalation_request", slack_request("404"))
    )
    assert escalations(runtime) == []
    [message] = outbox(runtime, "direct_message")
    assert message.payload["user"] == "U-ANNA"
    assert "404" in message.payload["text"]


def test_slack_buttons_acknowledge_and_raise_the_level(runtime: Runtime) -> None:
    add_ticket(runtime)
    process = runtime.services.slack_processor
    process(stored(runtime, "slack", "escalation_request", slack_request()))
    [escalation] = escalations(runtime)
    press = {"escalation_id": str(escalation.id), "user": "U-BOB"}
    assert (
        process(stored(runtime, "slack", "button.raise_level", {**press, "action": "raise_level"}))
        == "done"
    )
    assert escalations(runtime)[0].level == 2
    process(stored(runtime, "slack", "button.acknowledge", {**press, "action": "acknowledge"}))
    with runtime.sessions() as session:
        ack = session.get(tables.SlaClock, f"{escalation.id}:acknowledge")
        assert ack is not None
        assert ack.state == "met"


def test_same_problem_outside_monitoring_is_answered_to_the_engineer(runtime: Runtime) -> None:
    add_ticket(runtime)
    process = runtime.services.slack_processor
    process(stored(runtime, "slack", "escalation_request", slack_request()))
    [escalation] = escalations(runtime)
    report = {"escalation_id": str(escalation.id), "ticket": "4712", "user": "U-ENG"}
    assert process(stored(runtime, "slack", "same_problem", report)) == "done"
    [message] = outbox(runtime, "direct_message")
    assert message.payload["user"] == "U-ENG"
    assert message.payload["text"].startswith("Could not record ticket 4712 as the same problem")
