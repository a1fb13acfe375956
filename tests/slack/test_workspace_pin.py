"""Only the pinned Slack workspace (connectors.slack.team_id / enterprise_id) is served: the
app's signing secret is the same in every workspace it is installed in, so a request signed
with it can still come from another workspace or Enterprise Grid org."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from structlog.testing import capture_logs

from bridge.runtime import Runtime
from sandbox import Sandbox
from tests.slack.workspace import (
    CHANNEL,
    TEAM,
    add_escalation,
    add_ticket,
    button,
    command,
    event,
    interaction,
    submission,
)
from webhooks.app import create_app
from webhooks.slack import step_forms

STRANGER = "T0STRANGER"
ACME_ORG = "E0ACMEORG1"
REFUSAL = "Support Bridge does not serve this Slack workspace; nothing was done."
MESSAGE_EVENT = {
    "type": "event_callback",
    "event_id": "Ev0FOREIGN1",
    "event_time": 1767603600,
    "event": {
        "type": "message",
        "channel": "C0SUPPORT01",
        "user": "U0ALICE001",
        "text": "secret customer details",
        "ts": "1767603600.000200",
    },
}


def escalated_ticket(runtime: Runtime, number: str) -> int:
    with runtime.sessions.begin() as session:
        escalation = add_escalation(session, add_ticket(session, number))
        session.flush()
        return escalation.id


def refusals_logged(logs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [entry for entry in logs if entry["event"] == "slack.foreign_workspace"]


@pytest.mark.parametrize("pinned", [{"team_id": TEAM}])
def test_a_command_from_another_workspace_is_refused_and_lists_nothing(
    client: FlaskClient, runtime: Runtime
) -> None:
    escalated_ticket(runtime, "4521")
    with capture_logs() as logs:
        answer = command(client, "list", team=STRANGER)
        status = command(client, "status #4521", team=STRANGER, trigger="2.2.b")
    assert answer.status_code == 200
    assert answer.json == {"response_type": "ephemeral", "text": REFUSAL}
    assert status.json == {"response_type": "ephemeral", "text": REFUSAL}
    [listed, asked] = refusals_logged(logs)
    assert listed == {
        "event": "slack.foreign_workspace",
        "log_level": "warning",
        "reason": "another workspace",
        "kind": "command",
        "team_id": STRANGER,
        "enterprise_id": None,
    }
    assert "4521" not in str(asked)  # what was typed is never logged

    own = command(client, "list", trigger="3.3.c").json["text"]
    assert "zendesk:4521" in own  # the pinned workspace is served as before


@pytest.mark.parametrize("pinned", [{"team_id": TEAM}])
def test_buttons_forms_and_events_from_another_workspace_are_acknowledged_and_not_acted_on(
    client: FlaskClient, sandbox: Sandbox, inbox
) -> None:
    foreign = {"team": {"id": STRANGER}}
    assert interaction(client, button("raise_level") | foreign).status_code == 200
    assert interaction(client, button("propose_plan", trigger="4.4.d") | foreign).status_code == 200
    form = step_forms.modal("close", "7", CHANNEL) | {"id": "V0FOREIGN1"}
    state = {"values": {"agreement": {"value": {"type": "plain_text_input", "value": "ok"}}}}
    assert interaction(client, submission(form, state) | foreign).status_code == 200
    assert event(client, MESSAGE_EVENT | {"team_id": STRANGER}).status_code == 200
    assert event(client, MESSAGE_EVENT | {"event_id": "Ev0NOTEAM1"}).status_code == 200
    assert inbox() == []
    assert sandbox.slack.world.views == {}  # no form opened for them

    assert interaction(client, button("raise_level", trigger="5.5.e")).status_code == 200
    assert event(client, MESSAGE_EVENT | {"team_id": TEAM}).status_code == 200
    assert [row.event_type for row in inbox()] == ["button.raise_level", "event.message"]


@pytest.mark.parametrize("pinned", [{"enterprise_id": ACME_ORG}])
def test_an_enterprise_pin_serves_every_workspace_of_that_org_only(
    client: FlaskClient, runtime: Runtime
) -> None:
    escalated_ticket(runtime, "4521")
    in_org = command(client, "list", team="T0ACMEEU01", enterprise=ACME_ORG)
    assert "zendesk:4521" in in_org.json["text"]
    with capture_logs() as logs:
        other_org = command(client, "list", trigger="6.6.f", enterprise="E0OTHERORG")
        no_org = command(client, "list", trigger="7.7.g")
    assert other_org.json["text"] == no_org.json["text"] == REFUSAL
    assert [entry["reason"] for entry in refusals_logged(logs)] == [
        "another enterprise",
        "no enterprise named",
    ]


def test_unpinned_any_workspace_is_served_and_the_start_warns_once(
    runtime: Runtime, sandbox: Sandbox
) -> None:
    escalated_ticket(runtime, "4521")
    with capture_logs() as logs:
        client = create_app(runtime=runtime).test_client()
    warnings = [entry for entry in logs if entry["event"] == "slack.workspace_not_pinned"]
    assert len(warnings) == 1
    assert "connectors.slack.team_id" in warnings[0]["fix"]
    assert "zendesk:4521" in command(client, "list", team=STRANGER).json["text"]


@pytest.mark.parametrize("pinned", [{"team_id": TEAM}])
def test_a_pinned_bridge_starts_without_the_warning(runtime: Runtime, sandbox: Sandbox) -> None:
    with capture_logs() as logs:
        create_app(runtime=runtime)
    assert "slack.workspace_not_pinned" not in [entry["event"] for entry in logs]
