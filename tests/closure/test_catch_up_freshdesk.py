"""Nothing missed while down, Freshdesk: the tickets updated while the bridge heard no
automation webhooks are listed (``updated_since`` the watermark). A customer's reply on an
escalated ticket is read from its conversations, once; a ticket whose type was set to the
escalation entry asks support once to triage it, and the late automation webhook opens the
escalation with its answers. Webhooks that did arrive leave catch-up nothing to add."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from bridge.domain.enums import Priority, Severity
from bridge.domain.records import Ticket
from bridge.jobs.clock import utcnow
from bridge.services.signals import MARKED_WHILE_DOWN as MARKED
from bridge.store import tables
from bridge.store.escalations import EscalationStore
from sandbox import Sandbox
from tests.helpers import inbox_rows

from .sandboxed import Bridge, Developer, served_bridge
from .story import ENGINEER, escalate_to_accepted_plan
from .test_catch_up_ars import bridge_down, late_deliveries, stored
from .test_catch_up_marked import asked, requests_of
from .test_helpdesk_entry import escalations_of

ANSWERS = {
    "cf_users_affected": "250",
    "cf_go_live_date": "2099-01-15",
    "cf_go_live_effect": "The go-live slips a week",
    "cf_contact_phone": "+1 555 0100",
    "cf_contact_email": "dana@customer.example",
    "cf_contact_hours": "9-17 CET",
    "cf_core_functionality": True,
}
THANKS = "Thanks, fixed! Orders sync again."


@pytest.fixture
def bridge(
    sandbox: Sandbox, isolated_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Bridge]:
    vendors = ("jira", "slack", "freshdesk")
    signed = ("jira", "freshdesk")
    with served_bridge(sandbox, isolated_settings, monkeypatch, signed, vendors=vendors) as served:
        sandbox.register_webhook("freshdesk", f"{served.url}/webhooks/freshdesk")
        yield served


def fresh_ticket(sandbox: Sandbox, subject: str) -> int:
    url = f"{sandbox.urls['freshdesk']}/_sandbox/tickets"
    answer = requests.post(url, json={"subject": subject}, timeout=10)
    answer.raise_for_status()
    return int(answer.json()["id"])


def released(bridge: Bridge, sandbox: Sandbox) -> tuple[int, int]:
    """A Freshdesk ticket escalated, its AR's fix released and the customer told on the
    ticket; the bridge has started (catch-up ran once): (ticket, escalation id)."""
    ticket = fresh_ticket(sandbox, "Orders fail to sync")
    opened = utcnow() - dt.timedelta(days=3)
    mirrored = Ticket(
        external_id=str(ticket),
        requester="ops@customer.example",
        organisation="Customer Ltd",
        subject="Orders fail to sync",
        severity=Severity.CRITICAL,
        priority=Priority.URGENT,
        opened_at=opened,
        last_support_reply_at=opened + dt.timedelta(hours=1),
    )
    runtime = bridge.runtime
    with runtime.sessions.begin() as session:
        EscalationStore(session).save_ticket("freshdesk", mirrored, opened)
    escalation_id = escalate_to_accepted_plan(runtime, f"freshdesk:{ticket}", utcnow())
    runtime.services.spar.open_spar(escalation_id, by=ENGINEER, cause="test", now=utcnow())
    bridge.settle()
    with runtime.sessions() as session:
        ar = session.scalars(
            select(tables.ActionRequest.external_key).where(tables.ActionRequest.kind == "ar")
        ).one()
    Developer(sandbox).release(ar, "4.2.1")
    bridge.settle()
    runtime.services.catch_up.run(utcnow())
    return ticket, escalation_id


def reply_as_customer(sandbox: Sandbox, ticket: int, text: str) -> None:
    url = f"{sandbox.urls['freshdesk']}/_sandbox/tickets/{ticket}/customer_reply"
    requests.post(url, json={"body": text}, timeout=10).raise_for_status()


def mark(sandbox: Sandbox, ticket: int) -> None:
    """The agent fills in the triage fields, then sets the ticket's type to Escalation."""
    url = f"{sandbox.urls['freshdesk']}/api/v2/tickets/{ticket}"
    auth = (sandbox.credentials["freshdesk"]["api_key"], "X")
    for change in ({"custom_fields": ANSWERS}, {"type": "Escalation"}):
        requests.put(url, json=change, auth=auth, timeout=10).raise_for_status()


def accepted(sandbox: Sandbox) -> int:
    """Posts in the support channel saying the customer accepted (the triage ask is there too,
    so the escalation's thread is not the channel's only one)."""
    posted = sandbox.slack.world.in_channel(sandbox.credentials["slack"]["channel"])
    return len([m for m in posted if "The customer accepted the fix" in m.text])


def marks_found(bridge: Bridge) -> int:
    return len([row for row in inbox_rows(bridge.runtime) if row.event_type == MARKED])


def test_what_freshdesk_said_while_down_is_acted_on_once(bridge: Bridge, sandbox: Sandbox) -> None:
    escalated, escalation_id = released(bridge, sandbox)
    marked = fresh_ticket(sandbox, "Checkout times out")
    freshdesk = sandbox.urls["freshdesk"]
    bridge_down(freshdesk)
    reply_as_customer(sandbox, escalated, THANKS)
    mark(sandbox, marked)
    bridge.settle()
    assert accepted(sandbox) == 0
    assert asked(sandbox) == []

    assert bridge.runtime.services.catch_up.run(utcnow()) == 2
    bridge.settle()
    assert accepted(sandbox) == 1
    [question] = asked(sandbox)
    assert question.startswith(f"Ticket freshdesk:{marked} was marked for escalation")
    assert requests_of(bridge) == [("pending", None)]
    assert escalations_of(bridge, str(marked)) == []  # no answers: the bridge may not open it

    assert bridge.runtime.services.catch_up.run(utcnow()) == 0  # the same reply, the same mark
    late = late_deliveries(freshdesk)
    assert [status for body, status in late if THANKS in body] == ["duplicate"]
    assert [status for body, status in late if "Checkout times out" in body] == ["accepted"]
    bridge.settle()
    assert accepted(sandbox) == 1
    [opened] = escalations_of(bridge, str(marked))
    assert opened.document["triage"]["users_affected"] == 250
    assert requests_of(bridge) == [("escalated", opened.id)]
    assert len(asked(sandbox)) == 1
    with bridge.runtime.sessions() as session:
        row = session.get(tables.Escalation, escalation_id)
        assert row is not None and row.state == "monitoring"


def test_webhooks_that_arrived_leave_catch_up_nothing_to_add(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    escalated, _ = released(bridge, sandbox)
    marked = fresh_ticket(sandbox, "Checkout times out")
    reply_as_customer(sandbox, escalated, THANKS)
    mark(sandbox, marked)
    bridge.settle()
    assert accepted(sandbox) == 1
    [opened] = escalations_of(bridge, str(marked))

    delivered = stored(bridge, "freshdesk")
    assert bridge.runtime.services.catch_up.run(utcnow()) == 0
    bridge.settle()
    assert stored(bridge, "freshdesk") == delivered
    assert marks_found(bridge) == 0
    assert accepted(sandbox) == 1
    assert asked(sandbox) == []
    assert [e.id for e in escalations_of(bridge, str(marked))] == [opened.id]
