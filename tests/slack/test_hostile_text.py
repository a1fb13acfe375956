"""What a customer types into a helpdesk ticket reaches Slack as text: never a channel-wide
ping, a mention or a disguised link (docs/security.md, "Slack: outside text is inert")."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from bridge.runtime import Runtime
from sandbox import Sandbox
from tests.helpers import settle
from tests.services.conftest import add_ticket
from tests.slack.workspace import command, interaction, submission, triage_state, wait_for

SUBJECT = "<!channel> <https://evil.example/login|Open the ticket> & more"
ORGANISATION = "<@U0ADMIN001> <!subteam^S0OPS|ops>"
ACTIVE = ("<!channel>", "<!subteam", "<@U0ADMIN001>", "<https://evil.example")


@pytest.fixture
def routed(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIDGE_ROUTING__DEFAULT_CHANNEL", sandbox.credentials["slack"]["channel"])


@pytest.fixture
def escalated(routed: None, sandbox: Sandbox, client: FlaskClient, runtime: Runtime) -> None:
    add_ticket(runtime, "4521", subject=SUBJECT, organisation=ORGANISATION)
    assert command(client, "4521 exports lose data").status_code == 200
    [view] = wait_for(lambda: list(sandbox.slack.world.views.values()))
    assert interaction(client, submission(view, triage_state())).status_code == 200
    settle(runtime)


def test_the_escalation_message_shows_the_subject_and_customer_as_typed(
    escalated: None, sandbox: Sandbox
) -> None:
    [head] = [m for m in sandbox.slack.world.messages if m.thread_ts is None and m.blocks]
    shown = str(head.blocks) + head.text
    for active in ACTIVE:
        assert active not in shown
    assert "&lt;!channel&gt; &lt;https://evil.example/login|Open the ticket&gt; &amp; more" in shown
    assert "*Customer:* &lt;@U0ADMIN001&gt; &lt;!subteam^S0OPS|ops&gt;" in shown
    assert sandbox.violations == []


def test_status_shows_the_subject_as_typed(escalated: None, client: FlaskClient) -> None:
    text = command(client, "status 4521").json["text"]
    for active in ACTIVE:
        assert active not in text
    assert text.splitlines()[0].startswith(
        "*Ticket zendesk:4521*: &lt;!channel&gt; &lt;https://evil.example/login|Open the ticket&gt;"
    )
