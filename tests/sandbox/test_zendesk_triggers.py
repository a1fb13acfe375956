"""The sandbox Zendesk's admin triggers: placeholders rendered as Zendesk renders them."""

from __future__ import annotations

import json

from sandbox.helpdesk.zendesk import ZendeskServer
from sandbox.helpdesk.zendesk_admin import render


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
