"""The escalation flow driven by the sandbox's Slack: it signs and sends the slash command and
the modal submission as Slack would, and the bridge calls its Web API back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from flask import Flask

from bridge.runtime import Runtime
from sandbox import Sandbox
from sandbox.core.server import BackgroundServer
from tests.slack.workspace import ALICE, add_ticket, notes_to, submission, triage_state, wait_for
from tests.webhooks.signing import SECRETS


@pytest.fixture
def slack_app(app: Flask, sandbox: Sandbox) -> Iterator[str]:
    """The bridge on a loopback port, registered as the sandbox workspace's Slack app."""
    server = BackgroundServer(app)
    server.start()
    routes = {
        "commands": ("slash_command",),
        "interactions": ("view_submission", "block_actions"),
        "events": ("message", "app_mention"),
    }
    for route, events in routes.items():
        sandbox.register_webhook("slack", f"{server.url}/slack/{route}", SECRETS["slack"], events)
    yield sandbox.urls["slack"] + "/_sandbox"
    server.stop()


def test_slack_drives_an_escalation_from_command_to_confirmation(
    slack_app: str, sandbox: Sandbox, runtime: Runtime, inbox
) -> None:
    with runtime.sessions.begin() as session:
        add_ticket(session, "4521")
    sent = requests.post(f"{slack_app}/slash_command", json={"text": "4521 data loss"}, timeout=5)
    assert sent.status_code == 202
    [view] = wait_for(lambda: list(sandbox.slack.world.views.values()))
    assert view["callback_id"] == "escalation_triage"

    payload = submission(view, triage_state())
    requests.post(f"{slack_app}/interaction", json={"payload": payload}, timeout=5)
    sandbox.flush_webhooks()
    assert [d.status for d in sandbox.slack.webhooks.deliveries] == [200, 200]
    [row] = inbox()
    assert (row.event_type, row.record_key) == ("escalation_request", "ticket:zendesk:4521")
    assert wait_for(lambda: notes_to(sandbox, ALICE)) == [
        "Escalation of ticket zendesk:4521 requested; the escalation team is being told."
    ]
    assert sandbox.violations == []


def test_an_event_slack_delivers_twice_is_stored_once(slack_app: str, sandbox, inbox) -> None:
    sandbox.slack.webhooks.duplicate_next()
    event = {
        "type": "message",
        "channel": "C0SUPPORT01",
        "user": ALICE,
        "text": "any news?",
        "ts": "1767603600.000200",
        "thread_ts": "1767600000.000100",
    }
    requests.post(f"{slack_app}/events", json={"event": event}, timeout=5)
    sandbox.flush_webhooks()
    assert [d.status for d in sandbox.slack.webhooks.deliveries] == [200, 200]
    assert [row.event_type for row in inbox()] == ["event.message"]
