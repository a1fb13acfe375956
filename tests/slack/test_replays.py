"""A signed Slack request replayed within its five-minute window (the same bytes, the same
timestamp and signature) is answered, but acts once: a command opens one form, a button press
and a form submission are stored once, an event once."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from flask.testing import FlaskClient

from bridge.runtime import Runtime
from sandbox import Sandbox
from tests.slack.workspace import ALICE, CHANNEL, FORM, add_ticket, button, wait_for
from tests.webhooks.signing import SECRETS, slack_headers


def replayed(client: FlaskClient, path: str, body: bytes, content_type: str) -> list[Any]:
    headers = slack_headers(body, SECRETS["slack"], content_type)  # signed once, sent thrice
    return [client.post(path, data=body, headers=headers) for _ in range(3)]


def test_a_replayed_command_opens_one_form(
    client: FlaskClient, runtime: Runtime, sandbox: Sandbox
) -> None:
    with runtime.sessions.begin() as session:
        add_ticket(session, "4521")
    form = {
        "command": "/escalate",
        "text": "4521 exports lose data",
        "user_id": ALICE,
        "channel_id": CHANNEL,
        "trigger_id": "13.37.replay",
    }
    answers = replayed(client, "/slack/commands", urlencode(form).encode(), FORM)
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    wait_for(lambda: list(sandbox.slack.world.views))
    time.sleep(0.3)  # bolt opens the form after the ack: give any second opening its chance
    assert len(sandbox.slack.world.views) == 1


def test_a_replayed_button_press_is_stored_once(client: FlaskClient, inbox) -> None:
    body = urlencode({"payload": json.dumps(button("raise_level"))}).encode()
    answers = replayed(client, "/slack/interactions", body, FORM)
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert [row.event_type for row in inbox()] == ["button.raise_level"]


def test_a_replayed_form_submission_is_stored_once(
    client: FlaskClient, sandbox: Sandbox, inbox
) -> None:
    press = urlencode({"payload": json.dumps(button("propose_plan"))}).encode()
    replayed(client, "/slack/interactions", press, FORM)  # a replayed press opens one form
    wait_for(lambda: list(sandbox.slack.world.views))
    time.sleep(0.3)
    [view] = list(sandbox.slack.world.views.items())
    state = {
        "values": {
            "kind": {"value": {"type": "static_select", "selected_option": {"value": "patch"}}},
            "summary": {"value": {"type": "plain_text_input", "value": "Hotfix 4.2.1"}},
        }
    }
    submission = {
        "type": "view_submission",
        "team": {"id": "T0SANDBOX1"},
        "user": {"id": ALICE},
        "view": view[1] | {"id": view[0], "state": state},
    }
    body = urlencode({"payload": json.dumps(submission)}).encode()
    answers = replayed(client, "/slack/interactions", body, FORM)
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert [row.event_type for row in inbox()] == ["step.propose_plan"]
