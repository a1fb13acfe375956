"""The helpdesk as an entry point: a new ticket marked for escalation naming another (in its
subject or its description) escalates that one; a customer reply copying a level's address
raises the escalation to that level, once."""

from __future__ import annotations

import pytest

from bridge.connectors.registry import helpdesks_events
from bridge.services.inbound.helpdesk_entry import copied_addresses
from bridge.store.escalations import EscalationStore
from tests.helpers import rendered_trigger_body

from .conftest import ADDRESSES, MONDAY_10AM, add_ticket, deliver
from .test_escalation_service import request
from .test_inbound_processors import escalations, slack_request, stored


def triage() -> dict:
    answers = dict(slack_request()["answers"])
    for key in ("reason_category", "reason_text", "review"):
        answers.pop(key)
    return answers


def new_escalation_ticket(subject: str, *, number: str = "4800") -> dict:
    return {
        "ticket": {
            "id": number,
            "subject": subject,
            "description": "Orders are lost every hour; nobody answers ticket 4711.",
            "requester": "ops@customer.example",
            "organization": "Customer Ltd",
            "priority": "urgent",
            "type": "question",
            "tags": "escalation",
            "status": "new",
            "created_at": "2026-11-16T14:00:00Z",
            "updated_at": "2026-11-16T14:00:00Z",
        },
        "updated_by": "ops@customer.example",
        "triage": triage(),
    }


@pytest.mark.parametrize("subject", ["Escalation of ticket 4711", "Please escalate #4711"])
def test_a_new_escalation_ticket_escalates_the_ticket_it_names(runtime, subject) -> None:
    add_ticket(runtime, "4711")
    body = new_escalation_ticket(subject)
    assert runtime.services.helpdesk_processor(stored(runtime, "zendesk", "t", body)) == "done"
    [escalation] = escalations(runtime)
    assert escalation.document["ticket_id"] == "4711"
    assert escalation.document["entry_point"] == "escalation_request"
    with runtime.sessions() as session:
        store = EscalationStore(session)
        named = store.find_ticket("zendesk:4711")
        new = store.find_ticket("zendesk:4800")
        assert named is not None and new is not None
        assert "ticket:4800" in store.ticket_of(named).links
        assert store.ticket_of(new).links == ["ticket:4711"]


def test_a_second_ticket_asking_to_escalate_an_escalated_ticket_joins_the_open_escalation(
    runtime,
) -> None:
    add_ticket(runtime, "4711")
    first = new_escalation_ticket("Escalation of ticket 4711")
    runtime.services.helpdesk_processor(stored(runtime, "zendesk", "t1", first))
    again = new_escalation_ticket("Escalation of ticket 4711, again", number="4801")
    assert runtime.services.helpdesk_processor(stored(runtime, "zendesk", "t2", again)) == "done"
    [escalation] = escalations(runtime)
    assert escalation.document["ticket_id"] == "4711"
    with runtime.sessions() as session:
        store = EscalationStore(session)
        named = store.find_ticket("zendesk:4711")
        assert named is not None
        assert {"ticket:4800", "ticket:4801"} <= set(store.ticket_of(named).links)


def test_a_new_escalation_ticket_naming_an_unknown_ticket_is_escalated_itself(runtime) -> None:
    body = new_escalation_ticket("Escalation of ticket 9999")
    runtime.services.helpdesk_processor(stored(runtime, "zendesk", "t", body))
    [escalation] = escalations(runtime)
    assert escalation.document["ticket_id"] == "4800"


def test_a_portal_ticket_naming_the_ticket_in_its_description_escalates_that_ticket(
    runtime,
) -> None:
    """001's portal form: the subject says only that it escalates, the number is in the
    description, which the documented trigger template carries."""
    add_ticket(runtime, "4711")
    body = rendered_trigger_body(
        {
            "ticket.id": "4800",
            "ticket.title": "Please escalate our orders problem",
            "ticket.description": 'Ticket number: 4711\n"Orders" are lost every hour.',
            "ticket.requester.email": "ops@customer.example",
            "ticket.organization.name": "Customer Ltd",
            "ticket.priority": "Urgent",
            "ticket.ticket_type": "Question",
            "ticket.tags": "portal escalation",
            "ticket.status": "New",
            "ticket.created_at_with_timestamp": "2026-11-16T14:00:00Z",
            "ticket.updated_at_with_timestamp": "2026-11-16T14:00:00Z",
            "current_user.email": "ops@customer.example",
        }
    )
    deliver(runtime, body, event_type="trigger")
    [escalation] = escalations(runtime)
    assert escalation.document["ticket_id"] == "4711"
    assert escalation.document["entry_point"] == "escalation_request"
    assert escalation.document["reason_text"].startswith("Ticket number: 4711")
    with runtime.sessions() as session:
        store = EscalationStore(session)
        new = store.find_ticket("zendesk:4800")
        assert new is not None and store.ticket_of(new).links == ["ticket:4711"]


def customer_reply(cc: object, *, staff: bool = False, number: str = "4711") -> dict:
    recipients = {"original_recipients": cc}
    return {
        "type": "zen:event-type:ticket.comment_added",
        "id": "evt",
        "time": "2026-11-16T16:00:00Z",
        "subject": f"zen:ticket:{number}",
        "detail": {"id": number, "updated_at": "2026-11-16T16:00:00Z", "priority": "URGENT"},
        "event": {
            "comment": {
                "id": "1",
                "body": "Still waiting, copying our account manager.",
                "is_public": True,
                "author": {"id": "2", "name": "Ops", "is_staff": staff},
                "via": {"channel": "email", "source": {"from": recipients}},
            }
        },
    }


def test_a_reply_copying_the_account_manager_raises_to_level_2_once(addressed) -> None:
    runtime = addressed
    add_ticket(runtime)
    escalation_id = runtime.services.escalations.request(request(), MONDAY_10AM)
    reply = customer_reply(["support@vendor.example", "AM@vendor.example"])
    row = stored(runtime, "zendesk", "ticket.comment_added", reply)
    process = runtime.services.helpdesk_processor
    process(row)
    process(row)  # the same delivery processed again (a worker retried it)
    process(stored(runtime, "zendesk", "ticket.comment_added", reply))  # Zendesk resent it
    with runtime.sessions() as session:
        loaded = EscalationStore(session).load(escalation_id)
        assert loaded is not None
        attempts = loaded.escalation.level_attempts
    assert [(int(a.level), a.cause.value) for a in attempts] == [
        (1, "opened"),
        (2, "customer_copy"),
    ]
    assert attempts[1].note == "the customer copied the account manager"


def test_staff_comments_and_unconfigured_addresses_raise_nothing(addressed) -> None:
    runtime = addressed
    add_ticket(runtime)
    escalation_id = runtime.services.escalations.request(request(), MONDAY_10AM)
    process = runtime.services.helpdesk_processor
    process(stored(runtime, "zendesk", "c", customer_reply([ADDRESSES[3]], staff=True)))
    process(stored(runtime, "zendesk", "c", customer_reply(["someone@vendor.example"])))
    process(stored(runtime, "zendesk", "c", customer_reply("not a list")))
    with runtime.sessions() as session:
        loaded = EscalationStore(session).load(escalation_id)
        assert loaded is not None and int(loaded.escalation.level) == 1


def test_a_freshdesk_reply_copying_the_executive_raises_to_level_3(addressed) -> None:
    runtime = addressed
    add_ticket(runtime)
    with runtime.sessions.begin() as session:  # the same ticket, mirrored from Freshdesk
        store = EscalationStore(session)
        row = store.find_ticket("zendesk:4711")
        assert row is not None
        row.helpdesk = "freshdesk"
    escalation_id = runtime.services.escalations.request(
        request(ticket="freshdesk:4711"), MONDAY_10AM
    )
    body = {
        "freshdesk_webhook": {
            "ticket_id": "4711",
            "ticket_subject": "Orders fail to sync",
            "ticket_latest_public_comment": "Escalating to your CEO.",
            "ticket_cc_email": f"am@elsewhere.example, {ADDRESSES[3]}",
            "triggered_event": "{customer_reply}",
        }
    }
    runtime.services.helpdesk_processor(stored(runtime, "freshdesk", "ticket_updated", body))
    with runtime.sessions() as session:
        loaded = EscalationStore(session).load(escalation_id)
        assert loaded is not None
    assert int(loaded.escalation.level) == 3
    assert [int(a.level) for a in loaded.escalation.level_attempts] == [1, 3]


@pytest.mark.parametrize(
    ("source", "document", "expected"),
    [
        (
            "intake",
            {"comment": {"public": True, "by_customer": True, "cc": "a@x.example; <b@y.example>"}},
            ["a@x.example", "b@y.example"],
        ),
        ("intake", {"comment": {"public": False, "by_customer": True, "cc": ["a@x.example"]}}, []),
        (
            "zendesk",
            {"event": {"comment": {"is_public": True, "author": {"is_staff": False}, "via": 3}}},
            [],
        ),
        (
            "freshdesk",
            {"freshdesk_webhook": {"triggered_event": "{ticket_update}", "ticket_cc_email": "a@x"}},
            [],
        ),
        ("zendesk", {"event": "nonsense"}, []),
    ],
)
def test_copied_addresses_are_read_only_from_customer_replies(source, document, expected) -> None:
    assert copied_addresses(document, helpdesks_events().get(source)) == expected
