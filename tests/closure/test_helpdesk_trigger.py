"""The helpdesk as the entry point through a Zendesk *trigger*: the administrator pastes the
documented template (docs/helpdesk-webhooks.md) into "Ticket: Type | Changed to | Escalation",
its triage answers taken from ticket custom fields. The agent fills in the fields and sets the
type through Zendesk's API; the sandbox renders the body, signs it as Zendesk signs webhooks and
sends it to the served bridge."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from bridge.jobs.clock import utcnow
from bridge.services.policy import snapshot
from sandbox import Sandbox
from tests.helpers import TRIGGER_ANSWERS as ANSWERS
from tests.helpers import documented_template

from .sandboxed import Bridge
from .test_helpdesk_entry import escalations_of


class Zendesk:
    """An administrator's and an agent's side of the sandbox's Zendesk, over its API."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.url = sandbox.urls["zendesk"]
        credentials = sandbox.credentials["zendesk"]
        self.auth = (f"{credentials['email']}/token", credentials["api_token"])

    def field(self, title: str, kind: str) -> int:
        made = requests.post(
            f"{self.url}/api/v2/ticket_fields.json",
            json={"ticket_field": {"type": kind, "title": title}},
            auth=self.auth,
            timeout=10,
        )
        made.raise_for_status()
        return int(made.json()["ticket_field"]["id"])

    def trigger_escalation(self) -> dict[str, int]:
        """Make a ticket field for each ``<… id>`` of the template and the trigger that sends
        it when the type changes to escalation; returns the field ids by template name."""
        template = documented_template()
        names = sorted(set(re.findall(r"ticket_field_<([^>]+)>", template)))
        ids = {
            name: self.field(name, "checkbox" if "checkbox" in name else "text") for name in names
        }
        for name, number in ids.items():
            template = template.replace(f"ticket_field_<{name}>", f"ticket_field_{number}")
        trigger = {"condition": "type_changed_to", "value": "escalation", "body": template}
        requests.post(f"{self.url}/_sandbox/triggers", json=trigger, timeout=10).raise_for_status()
        return ids

    def put(self, ticket: int, fields: dict[str, Any]) -> dict[str, Any]:
        answer = requests.put(
            f"{self.url}/api/v2/tickets/{ticket}.json",
            json={"ticket": fields},
            auth=self.auth,
            timeout=10,
        )
        answer.raise_for_status()
        return dict(answer.json()["ticket"])

    def trigger_deliveries(self) -> list[dict[str, Any]]:
        every = requests.get(f"{self.url}/_sandbox/webhooks/deliveries", timeout=10).json()
        return [d for d in every if d["event"].startswith("trigger.")]


def escalate_in_zendesk(bridge: Bridge, sandbox: Sandbox, answers: dict[str, Any]) -> Zendesk:
    """The trigger set up and connected to the bridge; the agent fills in the custom fields,
    then sets the ticket's type to escalation (two updates, as in the agent's view)."""
    zendesk = Zendesk(sandbox)
    ids = zendesk.trigger_escalation()
    # The trigger's webhook; an event subscription would also send the type change, unanswered.
    sandbox.register_webhook("zendesk", f"{bridge.url}/webhooks/zendesk", events=("trigger.*",))
    custom = [{"id": ids[name], "value": value} for name, value in answers.items()]
    zendesk.put(100, {"custom_fields": custom})
    assert zendesk.trigger_deliveries() == []
    assert zendesk.put(100, {"type": "escalation"})["type"] == "escalation"
    bridge.settle()
    [delivery] = zendesk.trigger_deliveries()
    assert delivery["status"] == 202  # signed as Zendesk signs: accepted and stored
    assert delivery["headers"]["X-Zendesk-Webhook-Signature"]
    return zendesk


def channel_posts(sandbox: Sandbox) -> list[str]:
    channel = sandbox.credentials["slack"]["channel"]
    return [m.text for m in sandbox.slack.world.in_channel(channel)]


def test_type_changed_to_escalation_by_a_trigger_opens_a_triaged_escalation(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    zendesk = escalate_in_zendesk(bridge, sandbox, ANSWERS)

    [delivery] = zendesk.trigger_deliveries()
    assert '"users_affected":"250"' in delivery["body"].replace(" ", "")
    [escalation] = escalations_of(bridge, "100")
    assert escalation.state == "triaged"
    assert escalation.classification == "urgent"  # core functionality severely affected
    triage = escalation.document["triage"]
    assert triage["users_affected"] == 250
    assert triage["go_live_or_upgrade_date"] == "2099-01-15"
    assert triage["contact"] == {
        "phone": "+1 555 0100",
        "email": "dana@customer.example",
        "hours_of_availability": "9-17 CET",
    }
    assert escalation.document["entry_point"] == "ticket_type_changed"
    assert escalation.document["requested_by"] == sandbox.credentials["zendesk"]["email"]
    assert not any("refused" in text for text in channel_posts(sandbox))
    comments = sandbox.zendesk.tickets[100].comments
    assert any(f"escalation {escalation.id} is open" in c.body for c in comments)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"contact phone field id": ""}, "missing contact.phone"),
        ({"users affected field id": "about 40"}, "users_affected: 'about 40' is not a whole"),
        ({"go-live date field id": "next spring"}, "go_live_or_upgrade_date: 'next spring'"),
        ({"go-live can complete field id": "perhaps"}, "go_live_can_complete: 'perhaps' is not"),
    ],
)
def test_a_trigger_with_an_answer_missing_or_unreadable_opens_nothing_and_tells_support(
    bridge: Bridge, sandbox: Sandbox, change: dict[str, Any], named: str
) -> None:
    escalate_in_zendesk(bridge, sandbox, ANSWERS | change)

    assert escalations_of(bridge, "100") == []
    [refusal] = [text for text in channel_posts(sandbox) if "refused" in text]
    assert refusal.startswith("Escalation of zendesk:100 refused")
    assert named in refusal


@pytest.mark.parametrize(
    ("can_complete", "classification"), [("no", "urgent"), ("yes", "high_priority")]
)
def test_a_go_live_due_today_that_cannot_complete_makes_the_escalation_urgent(
    bridge: Bridge, sandbox: Sandbox, can_complete: str, classification: str
) -> None:
    zone = snapshot(bridge.runtime.settings, None).calendar.zone
    today = utcnow().astimezone(zone).date()  # where the default calendar is
    answers = ANSWERS | {
        "go-live date field id": today.isoformat(),
        "go-live can complete field id": can_complete,
        "core functionality checkbox id": False,  # nothing else urgent
    }
    escalate_in_zendesk(bridge, sandbox, answers)

    [escalation] = escalations_of(bridge, "100")
    assert escalation.classification == classification
    assert escalation.document["triage"]["go_live_can_complete"] is (can_complete == "yes")


def test_a_subject_longer_than_a_slack_section_is_cut_with_an_ellipsis_not_dead_lettered(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    subject = "Exports fail " + "x" * 3987  # 4,000 characters
    sandbox.zendesk.tickets[100].subject = subject  # as the customer wrote it
    escalate_in_zendesk(bridge, sandbox, ANSWERS)

    assert escalations_of(bridge, "100") != []
    channel = sandbox.credentials["slack"]["channel"]
    [head] = [m for m in sandbox.slack.world.in_channel(channel) if m.blocks]
    texts = [
        block["text"]["text"]
        for block in head.blocks
        if block["type"] == "section" and "text" in block
    ]
    assert texts[0].endswith("x…")
    assert len(texts[0]) == 3000
    assert "Exports fail xxx" in texts[0]
    assert bridge.runtime.outbox.counts_by_status().get("dead", 0) == 0
