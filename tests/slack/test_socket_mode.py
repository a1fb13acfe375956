"""Socket Mode: Slack reaches a bridge with no public URL over a WebSocket the bridge opens.

The demo's story is played with ``/slack/*`` switched off (no signing secret, no request URL
registered in the sandbox): `/escalate`, the triage form, the step buttons and their forms all
arrive as envelopes on the socket, through the same bolt app, and the outcomes are the demo's.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from pydantic import SecretStr
from sqlalchemy import select

from bridge.config import load_settings
from bridge.config.resolution import ClosureConfig
from bridge.runtime import Runtime, bootstrap
from bridge.store import migrate, tables
from bridge_cli.demo import free_port
from bridge_cli.demo_story import Story, play
from sandbox import Sandbox
from sandbox.core.server import BackgroundServer
from sandbox.embedded import start_for
from sandbox.slack import person
from sandbox.slack.socket_mode import SOCKET_URL
from webhooks.app import create_app
from webhooks.slack.socket_mode import SocketModeLink, socket_mode_link


@dataclass
class SocketBridge:
    runtime: Runtime
    sandbox: Sandbox
    url: str
    link: SocketModeLink


@pytest.fixture
def socket_bridge(tmp_path: Path) -> Iterator[SocketBridge]:
    """The demo's bridge on the sandbox, with Slack in Socket Mode only."""
    url = f"http://127.0.0.1:{free_port()}"
    base = load_settings()
    sandbox, overrides = start_for(base, url, socket_mode=True)
    settings = base.model_copy(
        update={
            **overrides,
            "data_dir": tmp_path,
            "database_url": None,
            "public_url": url,
            "api_token": SecretStr("socket-test-token"),
            "secret_key": SecretStr(secrets.token_urlsafe(32)),
            "closure": ClosureConfig(monitoring_days=0),
        }
    )
    migrate.upgrade(settings.resolved_database_url)
    runtime = bootstrap(settings)
    app = create_app(runtime=runtime)
    server = BackgroundServer(app, port=int(url.rsplit(":", 1)[1]))
    server.start()
    link = socket_mode_link(app)
    assert link is not None
    link.start()
    try:
        yield SocketBridge(runtime, sandbox, url, link)
    finally:
        link.close()
        server.stop()
        runtime.close()
        sandbox.stop()


def test_the_demos_slack_steps_arrive_over_socket_mode_with_slack_http_off(
    socket_bridge: SocketBridge,
) -> None:
    bridge, sandbox = socket_bridge, socket_bridge.sandbox
    told: list[str] = []

    play(Story(bridge.runtime, sandbox, bridge.url, told.append))

    story = "\n".join(told)
    assert "escalation 1: triaged, level 1, urgent" in story
    assert "state: plan_accepted" in story
    assert "page says: Thank you" in story
    assert "state: closed" in story
    slack = sandbox.slack.webhooks.deliveries
    kinds = [(d.event, d.url, d.status) for d in slack]
    # /escalate, its triage form, a step's button (and a "More steps" entry), their forms:
    assert ("slash_command", SOCKET_URL, 200) in kinds
    assert ("view_submission", SOCKET_URL, 200) in kinds
    assert ("block_actions", SOCKET_URL, 200) in kinds
    assert {d.url for d in slack} == {SOCKET_URL}, "nothing went to a Slack request URL"
    assert sandbox.violations == []
    signed = requests.post(f"{bridge.url}/slack/commands", data={"text": "help"}, timeout=5)
    assert signed.status_code == 404  # no signing secret: the HTTP way in is off


def test_answers_go_back_in_the_ack_and_what_nothing_handles_is_acknowledged(
    socket_bridge: SocketBridge,
) -> None:
    sandbox = socket_bridge.sandbox
    client = sandbox.slack.app.test_client()

    client.post("/_sandbox/slash_command", json={"user_id": "U0ALICE001", "text": "help"})
    sandbox.flush_webhooks()
    press = {
        "type": "view_submission",
        "team": {"id": "T0SANDBOX1"},
        "user": {"id": "U0ALICE001"},
        "trigger_id": "1.2.sandbox",
        "view": {"id": "V0NOSUCH01", "type": "modal", "callback_id": "escalation_triage"},
    }
    client.post("/_sandbox/interaction", json={"payload": press})
    sandbox.flush_webhooks()

    client.post("/_sandbox/interaction", json={"payload": press | {"type": "shortcut"}})
    sandbox.flush_webhooks()

    command, form, unhandled = sandbox.slack.webhooks.deliveries
    assert "/escalate <ticket>" in command.answer["payload"]["text"]
    assert command.answer["payload"]["response_type"] == "ephemeral"
    assert form.answer["payload"]["response_action"] == "errors"  # the form has no answers
    # What nothing in the bridge handles is acknowledged all the same: Slack sends it once.
    assert unhandled.status == 200
    assert "payload" not in unhandled.answer


def test_the_triage_form_is_stored_before_slack_gets_the_ack(
    socket_bridge: SocketBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same invariant as over HTTP: had the bridge died before the ack, Slack would send
    the form again; once acknowledged, the request is in the inbox."""
    bridge, sandbox = socket_bridge, socket_bridge.sandbox
    socket_mode = sandbox.slack.socket_mode
    handoff = bridge.runtime.handoff
    accept = handoff.accept
    acks_when_stored: list[list[str]] = []

    def accept_and_note_the_acks(delivery: Any) -> Any:
        stored = accept(delivery)
        if delivery.event_type == "escalation_request":
            acks_when_stored.append(list(socket_mode.acknowledged))
        return stored

    monkeypatch.setattr(handoff, "accept", accept_and_note_the_acks)
    ticket = next(iter(sandbox.zendesk.tickets))
    _ticket_known(bridge, str(ticket))
    answers = person.triage_values(
        reason="critical_business_impact",
        what_happened="Orders stop syncing",
        production_down=True,
        users_affected=12,
        financial_loss="none",
        contact=("Dana Ops", "+1 555 0100", "dana@customer.example", "Mon-Fri 08:00-18:00 ET"),
    )
    person.escalate(sandbox, "U0ALICE001", f"zendesk:{ticket} orders", answers)

    [submitted] = [d for d in sandbox.slack.webhooks.deliveries if d.event == "view_submission"]
    envelope = submitted.headers["envelope_id"]
    assert submitted.status == 200 and envelope in socket_mode.acknowledged
    [acked_then] = acks_when_stored
    assert envelope not in acked_then  # stored first, acknowledged after
    with bridge.runtime.sessions() as session:
        rows = session.scalars(select(tables.InboxRow)).all()
    [requested] = [row for row in rows if row.event_type == "escalation_request"]
    assert json.loads(requested.body)["requested_by"] == "U0ALICE001"


def test_a_form_slack_sends_twice_over_the_socket_is_stored_once(
    socket_bridge: SocketBridge,
) -> None:
    bridge, sandbox = socket_bridge, socket_bridge.sandbox
    ticket = next(iter(sandbox.zendesk.tickets))
    _ticket_known(bridge, str(ticket))
    sandbox.slack.webhooks.duplicate_next(event="view_submission")
    answers = person.triage_values(
        reason="critical_business_impact",
        what_happened="Orders stop syncing",
        production_down=True,
        users_affected=12,
        financial_loss="none",
        contact=("Dana Ops", "+1 555 0100", "dana@customer.example", "Mon-Fri 08:00-18:00 ET"),
    )
    person.escalate(sandbox, "U0ALICE001", f"zendesk:{ticket} orders", answers)

    submitted = [d for d in sandbox.slack.webhooks.deliveries if d.event == "view_submission"]
    assert [d.status for d in submitted] == [200, 200]
    with bridge.runtime.sessions() as session:
        kinds = session.scalars(select(tables.InboxRow.event_type)).all()
    assert kinds.count("escalation_request") == 1


def test_the_bridge_reconnects_when_slack_refreshes_the_connection(
    socket_bridge: SocketBridge,
) -> None:
    sandbox = socket_bridge.sandbox
    socket_mode = sandbox.slack.socket_mode
    assert socket_mode.opened == 1

    socket_mode.refresh_connections()
    _wait_for(lambda: socket_mode.opened == 2 and socket_mode.connected == 1)
    sandbox.slack.app.test_client().post(
        "/_sandbox/slash_command", json={"user_id": "U0ALICE001", "text": "help"}
    )
    sandbox.flush_webhooks()

    assert sandbox.slack.webhooks.deliveries[-1].status == 200


def _ticket_known(bridge: SocketBridge, ticket: str) -> None:
    """The customer writes on the ticket, so the bridge has heard of it (as in the demo)."""
    zendesk = bridge.sandbox.urls["zendesk"]
    requests.post(
        f"{zendesk}/_sandbox/tickets/{ticket}/customer_reply",
        json={"body": "Orders stop syncing."},
        timeout=10,
    )
    Story(bridge.runtime, bridge.sandbox, bridge.url, lambda _line: None).settle()


def _wait_for(condition: Any, seconds: float = 10.0) -> None:
    done = threading.Event()
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        done.wait(0.05)
    raise AssertionError("the bridge did not reconnect")


def test_the_guards_of_slack_http_hold_on_the_socket(socket_bridge: SocketBridge) -> None:
    """A press from another workspace, and one bolt could not parse, are acknowledged (Slack
    would only send them again) and nothing is stored or done."""
    bridge, sandbox = socket_bridge, socket_bridge.sandbox
    client = sandbox.slack.app.test_client()
    press = {
        "type": "block_actions",
        "user": {"id": "U0ALICE001"},
        "channel": {"id": "C0SUPPORT01"},
        "trigger_id": "7.7.sandbox",
        "actions": [{"action_id": "escalation.raise_level", "value": "1", "action_ts": "1.0"}],
    }

    client.post("/_sandbox/interaction", json={"payload": press | {"team": {"id": "T0OTHER99"}}})
    malformed = press | {"team": {"id": "T0SANDBOX1"}, "actions": "raise_level"}
    client.post("/_sandbox/interaction", json={"payload": malformed})
    sandbox.flush_webhooks()

    assert [d.status for d in sandbox.slack.webhooks.deliveries] == [200, 200]
    with bridge.runtime.sessions() as session:
        assert session.scalars(select(tables.InboxRow)).all() == []


def test_an_event_over_the_socket_is_stored_once_however_often_slack_sends_it(
    socket_bridge: SocketBridge,
) -> None:
    bridge, sandbox = socket_bridge, socket_bridge.sandbox
    sandbox.slack.webhooks.duplicate_next(event="app_uninstalled")

    sandbox.slack.app.test_client().post(
        "/_sandbox/events", json={"event": {"type": "app_uninstalled"}}
    )
    sandbox.flush_webhooks()

    assert [d.status for d in sandbox.slack.webhooks.deliveries] == [200, 200]
    with bridge.runtime.sessions() as session:
        [row] = session.scalars(select(tables.InboxRow)).all()
    assert row.event_type == "event.app_uninstalled"
    assert json.loads(row.body)["event"] == {"type": "app_uninstalled"}
