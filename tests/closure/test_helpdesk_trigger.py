"""The helpdesk as the entry point through a Zendesk *trigger*: the administrator pastes the
documented template (docs/helpdesk-webhooks.md) into the documented trigger ("Tags | Contains at
least one of | escalation" and "Contains none of | escalation_sent"; then "Add tags
escalation_sent" and "Notify active webhook"), its triage answers taken from ticket custom
fields. The agent fills in the fields and tags the ticket through Zendesk's API (or picks
Escalation in a drop-down, when bridge.yaml names that field); the sandbox renders the body,
signs it as Zendesk signs webhooks and sends it to the served bridge."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from bridge.config.helpdesks import EscalationEntry
from bridge.jobs.clock import utcnow
from bridge.services.escalation.policy import snapshot
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

    def trigger_escalation(self, marked_by: dict[str, Any] | None = None) -> dict[str, int]:
        """Make a ticket field for each ``<… id>`` of the template and the documented trigger
        that sends it once the ticket is marked (``marked_by``: a trigger condition, by default
        "Tags | Contains at least one of | escalation"); returns the field ids by name."""
        template = documented_template()
        names = sorted(set(re.findall(r"ticket_field_<([^>]+)>", template)))
        ids = {
            name: self.field(name, "checkbox" if "checkbox" in name else "text") for name in names
        }
        for name, number in ids.items():
            template = template.replace(f"ticket_field_<{name}>", f"ticket_field_{number}")
        marked = marked_by or {
            "field": "current_tags",
            "operator": "includes",
            "value": "escalation",
        }
        if marked["field"].startswith("custom_fields_"):  # the field's value, as documented
            number = marked["field"].removeprefix("custom_fields_")
            carried = f'"custom_fields": {{"{number}": "{{{{ticket.ticket_field_{number}}}}}"}},'
            template = template.replace('"status":', f'{carried}\n    "status":', 1)
        once = {"field": "current_tags", "operator": "not_includes", "value": "escalation_sent"}
        trigger = {
            "title": "Escalation to the bridge",
            "conditions": {"all": [marked, once]},
            "actions": [{"field": "current_tags", "value": "escalation_sent"}],
            "body": template,
        }
        requests.post(f"{self.url}/_sandbox/triggers", json=trigger, timeout=10).raise_for_status()
        return ids

    def drop_down(self, title: str, options: dict[str, str]) -> int:
        field = {
            "type": "tagger",
            "title": title,
            "custom_field_options": [{"name": n, "value": v} for n, v in options.items()],
        }
        made = requests.post(
            f"{self.url}/api/v2/ticket_fields.json",
            json={"ticket_field": field},
            auth=self.auth,
            timeout=10,
        )
        made.raise_for_status()
        return int(made.json()["ticket_field"]["id"])

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


def escalate_in_zendesk(
    bridge: Bridge,
    sandbox: Sandbox,
    answers: dict[str, Any],
    mark: dict[str, Any] | None = None,
    marked_by: dict[str, Any] | None = None,
) -> Zendesk:
    """The trigger set up and connected to the bridge; the agent fills in the custom fields,
    then marks the ticket (``mark``, by default the tag escalation; two updates, as in the
    agent's view)."""
    zendesk = Zendesk(sandbox)
    ids = zendesk.trigger_escalation(marked_by)
    # The trigger's webhook; an event subscription would also send the change, unanswered.
    sandbox.register_webhook("zendesk", f"{bridge.url}/webhooks/zendesk", events=("trigger.*",))
    custom = [{"id": ids[name], "value": value} for name, value in answers.items()]
    zendesk.put(100, {"custom_fields": custom})
    assert zendesk.trigger_deliveries() == []
    zendesk.put(100, mark or {"tags": ["escalation"]})
    bridge.settle()
    [delivery] = zendesk.trigger_deliveries()  # once: the trigger tagged it escalation_sent
    assert delivery["status"] == 202  # signed as Zendesk signs: accepted and stored
    assert delivery["headers"]["X-Zendesk-Webhook-Signature"]
    return zendesk


def channel_posts(sandbox: Sandbox) -> list[str]:
    channel = sandbox.credentials["slack"]["channel"]
    return [m.text for m in sandbox.slack.world.in_channel(channel)]


def test_a_ticket_tagged_escalation_by_a_trigger_opens_a_triaged_escalation(
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


def test_a_drop_down_named_in_bridge_yaml_marks_the_escalation(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    """The other documented entry: a drop-down "Escalation" whose value is ``escalation``,
    ``connectors.zendesk.escalation_entry: {field_id: <id>, value: escalation}``."""
    zendesk = Zendesk(sandbox)
    number = zendesk.drop_down("Escalation", {"No": "not_escalated", "Escalation": "escalation"})
    settings = bridge.runtime.settings
    assert settings.connectors.zendesk is not None
    entry = EscalationEntry(field_id=number, value="escalation")
    connectors = settings.connectors.model_copy(
        update={
            "zendesk": settings.connectors.zendesk.model_copy(update={"escalation_entry": entry})
        }
    )
    bridge.runtime.settings = settings.model_copy(update={"connectors": connectors})
    chosen = {"custom_fields": [{"id": number, "value": "escalation"}]}
    condition = {"field": f"custom_fields_{number}", "operator": "is", "value": "escalation"}
    zendesk = escalate_in_zendesk(bridge, sandbox, ANSWERS, mark=chosen, marked_by=condition)

    [delivery] = zendesk.trigger_deliveries()
    assert f'"custom_fields": {{"{number}": "escalation"}}' in delivery["body"]
    [escalation] = escalations_of(bridge, "100")
    assert escalation.state == "triaged"
    assert not any("refused" in text for text in channel_posts(sandbox))


def test_zendesk_refuses_the_type_escalation_so_nothing_reaches_the_bridge(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    zendesk = Zendesk(sandbox)
    zendesk.trigger_escalation()
    sandbox.register_webhook("zendesk", f"{bridge.url}/webhooks/zendesk", events=("trigger.*",))
    with pytest.raises(requests.HTTPError) as refused:
        zendesk.put(100, {"type": "escalation"})
    assert refused.value.response.status_code == 422
    assert refused.value.response.json()["error"] == "RecordInvalid"
    bridge.settle()
    assert zendesk.trigger_deliveries() == []
    assert escalations_of(bridge, "100") == []


def test_a_new_portal_ticket_tagged_escalation_naming_another_escalates_that_one(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    """001's portal form: a new ticket carrying the tag, its subject naming the ticket to
    escalate; the trigger fires on creation as on an update."""
    zendesk = Zendesk(sandbox)
    ids = zendesk.trigger_escalation()
    events = ("ticket.status_changed", "trigger.*")
    sandbox.register_webhook("zendesk", f"{bridge.url}/webhooks/zendesk", events=events)
    zendesk.put(100, {"status": "pending"})  # the bridge now mirrors ticket 100
    bridge.settle()
    custom = [{"id": ids[name], "value": value} for name, value in ANSWERS.items()]
    portal = {
        "subject": "Escalation of ticket 100",
        "comment": {"body": "Orders are lost every hour."},
        "tags": ["escalation"],
        "custom_fields": custom,
    }
    created = requests.post(
        f"{zendesk.url}/api/v2/tickets.json",
        json={"ticket": portal},
        auth=zendesk.auth,
        timeout=10,
    )
    assert created.status_code == 201
    bridge.settle()

    [delivery] = zendesk.trigger_deliveries()
    assert delivery["status"] == 202
    [escalation] = escalations_of(bridge, "100")
    assert escalation.document["entry_point"] == "escalation_request"
    assert escalations_of(bridge, str(created.json()["ticket"]["id"])) == []
