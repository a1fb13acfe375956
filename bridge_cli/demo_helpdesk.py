"""The demo's helpdesk entry point: the administrator's Zendesk trigger of
docs/helpdesk-webhooks.md (tag ``escalation``, fired once), and an agent who fills in a second
customer's triage fields and tags the ticket, as anyone can in a real Zendesk."""

from __future__ import annotations

import json
from typing import Any, Protocol

import requests


class Story(Protocol):
    """What the demo's story (``demo.Story``) offers this step."""

    runtime: Any
    sandbox: Any
    url: str

    def settle(self) -> None: ...
    def newest_escalation(self) -> int: ...
    def state(self, escalation_id: int) -> str: ...
    def step(self, number: int, title: str, *lines: str) -> None: ...


# The agent's answers, by the ticket field that holds each (made by the administrator).
ANSWERS = {
    "Users affected": "120",
    "Go-live or upgrade date": "none",
    "Contact phone": "+1 555 0199",
    "Contact email": "sam@customer.example",
    "Contact hours": "Mon-Fri 09:00-17:00 ET",
    "Core functionality severely affected": "yes",
}
MARKED = {"field": "current_tags", "operator": "includes", "value": "escalation"}
ONCE = {"field": "current_tags", "operator": "not_includes", "value": "escalation_sent"}


def _template(ids: dict[str, int]) -> str:
    """The documented trigger body, its custom fields named by the ids Zendesk gave them."""

    def field(name: str) -> str:
        return f"{{{{ticket.ticket_field_{ids[name]}}}}}"

    body = {
        "ticket": {
            "id": "{{ticket.id}}",
            "subject": "{{ticket.title}}",
            "description": "{{ticket.description}}",
            "requester": "{{ticket.requester.email}}",
            "organization": "{{ticket.organization.name}}",
            "priority": "{{ticket.priority}}",
            "type": "{{ticket.ticket_type}}",
            "tags": "{{ticket.tags}}",
            "status": "{{ticket.status}}",
            "created_at": "{{ticket.created_at_with_timestamp}}",
            "updated_at": "{{ticket.updated_at_with_timestamp}}",
        },
        "triage": {
            "users_affected": field("Users affected"),
            "go_live_or_upgrade_date": field("Go-live or upgrade date"),
            "contact": {
                "phone": field("Contact phone"),
                "email": field("Contact email"),
                "hours_of_availability": field("Contact hours"),
            },
            "core_functionality_severely_affected": field("Core functionality severely affected"),
        },
        "updated_by": "{{current_user.email}}",
    }
    return json.dumps(body, indent=2)


def _ticket_of(story: Story, escalation_id: int) -> str:
    from bridge.store import tables

    with story.runtime.sessions() as session:
        row = session.get(tables.Escalation, escalation_id)
        ticket = session.get(tables.Ticket, row.ticket_id) if row else None
        return ticket.external_id if ticket else "?"


def escalate_from_zendesk(story: Story) -> None:
    sandbox, zendesk = story.sandbox, story.sandbox.urls["zendesk"]
    credentials = sandbox.credentials["zendesk"]
    auth = (f"{credentials['email']}/token", credentials["api_token"])

    def api(method: str, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        answer = requests.request(method, f"{zendesk}{path}", json=payload, auth=auth, timeout=10)
        answer.raise_for_status()
        return dict(answer.json())

    ids = {}
    for name in ANSWERS:
        made = api(
            "POST", "/api/v2/ticket_fields.json", {"ticket_field": {"type": "text", "title": name}}
        )
        ids[name] = int(made["ticket_field"]["id"])
    trigger = {
        "title": "Escalation to the bridge",
        "conditions": {"all": [MARKED, ONCE]},
        "actions": [{"field": "current_tags", "value": "escalation_sent"}],
        "body": _template(ids),
    }
    requests.post(f"{zendesk}/_sandbox/triggers", json=trigger, timeout=10).raise_for_status()
    # As documented: the event subscription leaves the tag change to the trigger.
    sandbox.vendors["zendesk"].webhooks.unregister_all()
    events = ("ticket.comment_added", "ticket.status_changed", "trigger.*")
    sandbox.register_webhook("zendesk", f"{story.url}/webhooks/zendesk", events=events)

    subject = {"subject": "Invoices cannot be exported by anyone", "priority": "high"}
    created = requests.post(f"{zendesk}/_sandbox/tickets", json=subject, timeout=10)
    number = int(created.json()["id"])
    custom = [{"id": ids[name], "value": value} for name, value in ANSWERS.items()]
    api("PUT", f"/api/v2/tickets/{number}.json", {"ticket": {"custom_fields": custom}})
    api("PUT", f"/api/v2/tickets/{number}.json", {"ticket": {"tags": ["escalation"]}})
    story.settle()
    escalation_id = story.newest_escalation()
    story.step(
        11,
        f"Another customer's ticket {number}: the agent fills in its triage fields and tags it "
        "escalation in Zendesk",
        'trigger "Tags | Contains at least one of | escalation" notifies the bridge '
        f"({zendesk}/_sandbox/triggers)",
        f"escalation {escalation_id} of ticket {_ticket_of(story, escalation_id)}: "
        f"{story.state(escalation_id)}",
    )
