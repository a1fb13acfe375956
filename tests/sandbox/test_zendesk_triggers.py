"""The sandbox Zendesk's admin triggers: placeholders rendered as Zendesk renders them."""

from __future__ import annotations

import json
from base64 import b64encode

import pytest
from flask.testing import FlaskClient

from sandbox.helpdesk.zendesk import ZendeskServer
from sandbox.helpdesk.zendesk_admin import render
from sandbox.receiver import WebhookReceiver


def test_placeholders_are_escaped_for_the_json_body_and_unknown_ones_render_empty() -> None:
    body = render(
        '{"title": "{{ticket.title}}", "n": "{{ ticket.ticket_field_7 }}", "x": "{{nope}}"}',
        {"ticket.title": 'Say "hi"\nnow'},
        {7: True},
    )
    assert json.loads(body) == {"title": 'Say "hi"\nnow', "n": "true", "x": ""}


def test_a_trigger_with_an_unknown_condition_is_refused() -> None:
    client = ZendeskServer().app.test_client()
    answer = client.post("/_sandbox/triggers", json={"condition": "status_is", "body": "{}"})
    assert answer.status_code == 400
    assert client.get("/_sandbox/triggers").json == []


CREDENTIALS = b"agent@example.com/token:sandbox-zendesk-token"
AUTH = {"Authorization": "Basic " + b64encode(CREDENTIALS).decode()}


def seeded() -> tuple[ZendeskServer, FlaskClient]:
    server = ZendeskServer()
    server.seed_ticket("Orders fail to sync", "Since 9:00")  # ticket 100
    return server, server.app.test_client()


@pytest.mark.parametrize("kind", ["escalation", "Escalation", "bug"])
def test_a_ticket_type_zendesk_does_not_have_is_refused_as_zendesk_refuses_it(kind: str) -> None:
    server, client = seeded()
    changed = client.put("/api/v2/tickets/100.json", json={"ticket": {"type": kind}}, headers=AUTH)
    assert changed.status_code == 422
    assert changed.json["error"] == "RecordInvalid"
    assert changed.json["details"]["type"][0]["description"] == f"Type: {kind} is not valid"
    assert server.tickets[100].type == "incident"
    new = {"ticket": {"comment": {"body": "Escalate ticket 100"}, "type": kind}}
    assert client.post("/api/v2/tickets.json", json=new, headers=AUTH).status_code == 422
    assert list(server.tickets) == [100]


def test_zendesk_s_four_types_are_taken() -> None:
    _, client = seeded()
    for kind in ("problem", "incident", "question", "task"):
        changed = client.put(
            "/api/v2/tickets/100.json", json={"ticket": {"type": kind}}, headers=AUTH
        )
        assert changed.status_code == 200
        assert changed.json["ticket"]["type"] == kind


def test_a_custom_field_that_does_not_exist_is_refused() -> None:
    server, client = seeded()
    update = {"ticket": {"custom_fields": [{"id": 999999, "value": "escalation"}]}}
    answer = client.put("/api/v2/tickets/100.json", json=update, headers=AUTH)
    assert answer.status_code == 422
    assert "999999" in answer.json["details"]["custom_fields"][0]["description"]
    assert server.tickets[100].custom_fields == {}
    trigger = {
        "conditions": {"all": [{"field": "custom_fields_999999", "operator": "is", "value": "x"}]},
        "body": "{}",
    }
    assert client.post("/_sandbox/triggers", json=trigger).status_code == 400


def escalation_drop_down(client: FlaskClient) -> int:
    field = {
        "type": "tagger",
        "title": "Escalation",
        "custom_field_options": [
            {"name": "Not escalated", "value": "not_escalated"},
            {"name": "Escalation", "value": "escalation"},
        ],
    }
    made = client.post("/api/v2/ticket_fields.json", json={"ticket_field": field}, headers=AUTH)
    assert made.status_code == 201
    return int(made.json["ticket_field"]["id"])


def test_a_drop_down_value_is_a_tag_and_its_title_a_placeholder() -> None:
    server, client = seeded()
    number = escalation_drop_down(client)
    choose = {"ticket": {"custom_fields": [{"id": number, "value": "not_escalated"}]}}
    client.put("/api/v2/tickets/100.json", json=choose, headers=AUTH)
    choose["ticket"]["custom_fields"][0]["value"] = "escalation"
    client.put("/api/v2/tickets/100.json", json=choose, headers=AUTH)
    ticket = server.tickets[100]
    assert ticket.tags == ["escalation"]  # the option chosen before took its tag with it
    values = server.placeholders(ticket, 76872)
    body = render(
        '{"t": "{{ticket.tags}}", "v": "{{ticket.ticket_field_N}}",'
        ' "o": "{{ticket.ticket_field_option_title_N}}"}'.replace("N", str(number)),
        values,
        ticket.custom_fields,
    )
    assert json.loads(body) == {"t": "escalation", "v": "escalation", "o": "Escalation"}


@pytest.mark.parametrize("mark", ["tag", "field"])
def test_a_trigger_fires_when_its_conditions_hold_and_once_with_its_guard_tag(mark: str) -> None:
    server, client = seeded()
    number = escalation_drop_down(client)
    condition = (
        {"field": "current_tags", "operator": "includes", "value": "escalation"}
        if mark == "tag"
        else {"field": f"custom_fields_{number}", "operator": "is", "value": "escalation"}
    )
    guard = {"field": "current_tags", "operator": "not_includes", "value": "escalation_sent"}
    trigger = {
        "title": "Notify the bridge",
        "conditions": {"all": [condition, guard]},
        "actions": [{"field": "current_tags", "value": "escalation_sent"}],
        "body": '{"tags": "{{ticket.tags}}"}',
    }
    assert client.post("/_sandbox/triggers", json=trigger).status_code == 201
    with WebhookReceiver() as receiver:
        server.webhooks.register(f"{receiver.url}/zendesk", "secret", ("trigger.*",))
        client.put("/api/v2/tickets/100.json", json={"ticket": {"priority": "high"}}, headers=AUTH)
        assert receiver.received == []
        if mark == "tag":
            marking = {"tags": ["vip", "escalation"]}
        else:
            marking = {"custom_fields": [{"id": number, "value": "escalation"}]}
        client.put("/api/v2/tickets/100.json", json={"ticket": marking}, headers=AUTH)
        note = {"comment": {"body": "escalation 1 is open", "public": False}}
        client.put("/api/v2/tickets/100.json", json={"ticket": note}, headers=AUTH)
        [sent] = receiver.received
    assert json.loads(sent.body)["tags"].split()[-1] == "escalation_sent"
