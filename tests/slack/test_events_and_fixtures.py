"""Events API deliveries, retries, and Slack's own request examples from tests/fixtures."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from tests.slack.workspace import FORM, event, interaction
from tests.webhooks.signing import SECRETS, fixture_bytes, fixture_json, slack_headers

MESSAGE = {
    "type": "event_callback",
    "team_id": "T0SANDBOX1",
    "event_id": "Ev0PV52K21",
    "event_time": 1767603600,
    "event": {
        "type": "message",
        "channel": "C0SUPPORT01",
        "user": "U0ALICE001",
        "text": "customer confirmed the workaround",
        "ts": "1767603600.000200",
        "thread_ts": "1767600000.000100",
    },
}


def test_slacks_url_check_is_answered_with_the_challenge(client: FlaskClient) -> None:
    response = event(client, {"type": "url_verification", "token": "x", "challenge": "c-42"})
    assert (response.status_code, response.json) == (200, {"challenge": "c-42"})


def test_an_event_is_stored_once_however_often_slack_retries_it(client, inbox) -> None:
    assert event(client, MESSAGE).status_code == 200
    for retry in (1, 2):
        assert event(client, MESSAGE, retry=retry).status_code == 200
    [row] = inbox()
    assert (row.event_type, row.delivery_id) == ("event.message", "event:Ev0PV52K21")
    assert row.record_key == "thread:C0SUPPORT01:1767600000.000100"
    assert json.loads(row.body) == MESSAGE


def test_the_documented_slash_command_is_refused_once_its_five_minutes_are_over(
    client: FlaskClient,
) -> None:
    vector = fixture_json("signatures.json")["slack"]["test_vector"]
    body = fixture_bytes(vector["body_file"])
    headers = {
        "Content-Type": FORM,
        "X-Slack-Request-Timestamp": vector["timestamp"],
        "X-Slack-Signature": vector["expected_signature"],
    }
    assert client.post("/slack/commands", data=body, headers=headers).status_code == 401


def test_the_documented_slash_command_signed_now_is_answered(client: FlaskClient) -> None:
    body = fixture_bytes("slack/slash_command/webhook-collect.body.txt")
    fresh = slack_headers(body, SECRETS["slack"], FORM)
    response = client.post("/slack/commands", data=body, headers=fresh)
    assert response.status_code == 200  # /webhook-collect is not ours: ignored, with the reason
    assert response.json == {"status": "ignored", "reason": "nothing in the bridge handles this"}
    wrong = slack_headers(body, "not-the-secret", FORM)
    assert client.post("/slack/commands", data=body, headers=wrong).status_code == 401


@pytest.mark.parametrize(
    "shape",
    [
        "slack/interactivity/block_actions.shape.json",
        "slack/interactivity/view_submission.shape.json",
    ],
)
def test_every_field_slack_may_send_in_an_interaction_is_accepted(
    client: FlaskClient, shape: str
) -> None:
    payload = fixture_json(shape)
    assert interaction(client, payload).status_code == 200
    from urllib.parse import urlencode

    body = urlencode({"payload": json.dumps(payload)}).encode()
    wrong = slack_headers(body, "not-the-secret", FORM)
    assert client.post("/slack/interactions", data=body, headers=wrong).status_code == 401


def test_every_field_of_a_slash_command_is_accepted(client: FlaskClient) -> None:
    from urllib.parse import urlencode

    shape = fixture_json("slack/slash_command/slash_command.shape.json")
    body = urlencode({key: str(value) for key, value in shape.items()}).encode()
    headers = slack_headers(body, SECRETS["slack"], FORM)
    assert client.post("/slack/commands", data=body, headers=headers).status_code == 200


def test_slack_requests_without_a_signing_secret_are_a_404(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bridge.config import load_settings
    from bridge.runtime import bootstrap
    from webhooks.app import create_app

    monkeypatch.delenv("BRIDGE_SLACK_SIGNING_SECRET")
    runtime = bootstrap(load_settings())
    response = event(create_app(runtime=runtime).test_client(), MESSAGE)
    assert response.status_code == 404
    assert response.json["detail"] == "slack webhooks are off: BRIDGE_SLACK_SIGNING_SECRET unset"
    runtime.close()
