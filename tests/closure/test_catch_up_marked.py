"""Nothing missed while down, the helpdesk's entry: a Zendesk ticket marked for escalation while
the bridge heard no webhooks is found in the ticket event export. Its trigger's triage answers
are not there, so support is asked once to triage it (a pending escalation request with the
*Triage and escalate* button); the trigger arriving late opens the one escalation with its
answers and settles the request. A trigger that did arrive leaves catch-up nothing to add."""

from __future__ import annotations

from typing import Any

import requests
from sqlalchemy import select

from bridge.jobs.clock import utcnow
from bridge.services.signals import MARKED_WHILE_DOWN as MARKED
from bridge.store import tables
from sandbox import Sandbox
from tests.helpers import TRIGGER_ANSWERS, inbox_rows

from .sandboxed import Bridge
from .test_catch_up_ars import bridge, bridge_down, late_webhooks
from .test_helpdesk_entry import escalations_of
from .test_helpdesk_trigger import Zendesk, channel_posts

__all__ = ["bridge"]  # the fixture: every vendor configured
MARKED_WHILE_DOWN = "was marked for escalation while the bridge was down"


def triage_trigger(bridge: Bridge, sandbox: Sandbox) -> Zendesk:
    """The documented trigger, sending to the bridge; the bridge has started (catch-up ran)."""
    zendesk = Zendesk(sandbox)
    ids = zendesk.trigger_escalation()
    sandbox.register_webhook("zendesk", f"{bridge.url}/webhooks/zendesk", events=("trigger.*",))
    bridge.runtime.services.catch_up.run(utcnow())
    zendesk.answers = ids  # type: ignore[attr-defined]
    return zendesk


def mark(zendesk: Zendesk, ticket: int) -> None:
    """The agent fills in the triage fields, then tags the ticket escalation."""
    ids: dict[str, int] = zendesk.answers  # type: ignore[attr-defined]
    custom = [{"id": ids[name], "value": value} for name, value in TRIGGER_ANSWERS.items()]
    zendesk.put(ticket, {"custom_fields": custom})
    zendesk.put(ticket, {"tags": ["escalation"]})


def create_marked(zendesk: Zendesk, subject: str) -> int:
    """A ticket created already tagged escalation, its triage fields filled in (a portal form
    or an agent's new ticket): the trigger fires on its creation."""
    ids: dict[str, int] = zendesk.answers  # type: ignore[attr-defined]
    custom = [{"id": ids[name], "value": value} for name, value in TRIGGER_ANSWERS.items()]
    ticket = {
        "subject": subject,
        "comment": {"body": "Every EU checkout times out since this morning."},
        "tags": ["escalation"],
        "custom_fields": custom,
    }
    answer = requests.post(
        f"{zendesk.url}/api/v2/tickets.json", json={"ticket": ticket}, auth=zendesk.auth, timeout=10
    )
    answer.raise_for_status()
    return int(answer.json()["ticket"]["id"])


def marks_found(bridge: Bridge) -> int:
    """The marks catch-up handed over (the bridge's own internal note is a comment it reads)."""
    return len([row for row in inbox_rows(bridge.runtime) if row.event_type == MARKED])


def asked(sandbox: Sandbox) -> list[str]:
    return [text for text in channel_posts(sandbox) if MARKED_WHILE_DOWN in text]


def requests_of(bridge: Bridge) -> list[tuple[str, Any]]:
    with bridge.runtime.sessions() as session:
        rows = session.scalars(select(tables.PendingEscalationRequest))
        return [(row.status, row.escalation_id) for row in rows]


def button(sandbox: Sandbox) -> dict[str, Any]:
    channel = sandbox.credentials["slack"]["channel"]
    [message] = [m for m in sandbox.slack.world.in_channel(channel) if MARKED_WHILE_DOWN in m.text]
    [actions] = [b for b in message.blocks or [] if b.get("type") == "actions"]
    [pressed] = actions["elements"]
    return dict(pressed)


def test_a_ticket_marked_while_down_asks_support_once_and_the_late_trigger_opens_it(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    zendesk = triage_trigger(bridge, sandbox)
    bridge_down(zendesk.url)
    mark(zendesk, 100)
    bridge.settle()
    assert escalations_of(bridge, "100") == []
    assert asked(sandbox) == []

    assert bridge.runtime.services.catch_up.run(utcnow()) >= 1
    bridge.settle()
    [question] = asked(sandbox)
    assert question.startswith("Ticket zendesk:100 was marked for escalation")
    assert button(sandbox)["text"]["text"] == "Triage and escalate"
    assert requests_of(bridge) == [("pending", None)]
    assert marks_found(bridge) == 1
    assert escalations_of(bridge, "100") == []  # no answers: the bridge may not open it

    bridge.runtime.services.catch_up.run(utcnow())  # the next run finds the same change
    bridge.settle()
    assert len(asked(sandbox)) == 1

    assert late_webhooks(zendesk.url) == ["accepted"]  # the trigger, with its answers
    bridge.settle()
    [escalation] = escalations_of(bridge, "100")
    assert escalation.document["triage"]["users_affected"] == 250
    assert requests_of(bridge) == [("escalated", escalation.id)]
    assert len(asked(sandbox)) == 1


def test_a_trigger_that_arrived_leaves_catch_up_nothing_to_ask(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    zendesk = triage_trigger(bridge, sandbox)
    mark(zendesk, 100)
    bridge.settle()
    [escalation] = escalations_of(bridge, "100")

    bridge.runtime.services.catch_up.run(utcnow())
    bridge.settle()
    assert marks_found(bridge) == 0
    assert asked(sandbox) == []
    assert requests_of(bridge) == []
    assert [e.id for e in escalations_of(bridge, "100")] == [escalation.id]


def test_a_ticket_created_already_marked_while_down_is_asked_about_as_one_marked_later(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    """The mark is in the audit that created the ticket (its ``Create`` events), not in a
    later change: catch-up reads it there, and the trigger that fired on the creation,
    arriving late, opens the one escalation."""
    zendesk = triage_trigger(bridge, sandbox)
    bridge_down(zendesk.url)
    ticket = create_marked(zendesk, "Checkout times out")
    bridge.settle()
    assert escalations_of(bridge, str(ticket)) == []
    assert asked(sandbox) == []

    assert bridge.runtime.services.catch_up.run(utcnow()) >= 1
    bridge.settle()
    [question] = asked(sandbox)
    assert question.startswith(f"Ticket zendesk:{ticket} was marked for escalation")
    assert requests_of(bridge) == [("pending", None)]
    assert marks_found(bridge) == 1

    bridge.runtime.services.catch_up.run(utcnow())
    bridge.settle()
    assert len(asked(sandbox)) == 1

    assert late_webhooks(zendesk.url) == ["accepted"]
    bridge.settle()
    [escalation] = escalations_of(bridge, str(ticket))
    assert escalation.document["triage"]["users_affected"] == 250
    assert requests_of(bridge) == [("escalated", escalation.id)]
    assert len(asked(sandbox)) == 1


def test_a_ticket_created_marked_whose_trigger_arrived_leaves_catch_up_nothing_to_ask(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    zendesk = triage_trigger(bridge, sandbox)
    ticket = create_marked(zendesk, "Checkout times out")
    bridge.settle()
    [escalation] = escalations_of(bridge, str(ticket))

    bridge.runtime.services.catch_up.run(utcnow())
    bridge.settle()
    assert marks_found(bridge) == 0
    assert asked(sandbox) == []
    assert [e.id for e in escalations_of(bridge, str(ticket))] == [escalation.id]
