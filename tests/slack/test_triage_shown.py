"""The triage answers where the escalation is worked in Slack: its head message, posted after
the form is sent, and ``/escalate status``; customer text shown as typed, never as markup."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from bridge.runtime import Runtime
from sandbox import Sandbox
from tests.helpers import settle
from tests.services.conftest import add_ticket
from tests.slack.workspace import command, interaction, submission, triage_state, typed, wait_for

# Hours as a hostile customer might type them: a channel-wide ping and a script.
HOSTILE_HOURS = "<!channel> <script>alert(1)</script> & weekends"
INERT_HOURS = "&lt;!channel&gt; &lt;script&gt;alert(1)&lt;/script&gt; &amp; weekends"


@pytest.fixture
def routed_to_the_sandbox(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    channel = sandbox.credentials["slack"]["channel"]
    monkeypatch.setenv("BRIDGE_ROUTING__DEFAULT_CHANNEL", channel)


def escalated_with_hostile_hours(client: FlaskClient, runtime: Runtime, sandbox: Sandbox) -> None:
    add_ticket(runtime, "4521")
    assert command(client, "4521 exports lose data").status_code == 200
    [view] = wait_for(lambda: list(sandbox.slack.world.views.values()))
    state = triage_state(contact_hours=typed(HOSTILE_HOURS))
    assert interaction(client, submission(view, state)).status_code == 200
    settle(runtime)


def head_blocks(sandbox: Sandbox) -> dict[str, dict]:
    [head] = [m for m in sandbox.slack.world.messages if m.thread_ts is None and m.blocks]
    return {block.get("block_id", ""): block for block in head.blocks or []}


def test_the_head_message_shows_the_triage_answers_with_customer_text_inert(
    routed_to_the_sandbox: None, client: FlaskClient, runtime: Runtime, sandbox: Sandbox
) -> None:
    escalated_with_hostile_hours(client, runtime, sandbox)

    triage = head_blocks(sandbox)["triage"]["text"]
    assert triage["type"] == "mrkdwn"
    assert triage["text"].splitlines() == [
        "*Triage*",
        "*Production down:* yes · *Users affected:* 250 · *Financial loss:* about USD 40k a day",
        "*Go-live:* 2026-01-06, The go-live cannot start until exports are whole",
        f"*Contact:* +1 555 0100 · dana@customer.example · {INERT_HOURS}",
    ]
    assert "<!channel>" not in str(head_blocks(sandbox))
    assert "<script>" not in str(head_blocks(sandbox))
    assert sandbox.violations == []


def test_status_shows_the_triage_answers_with_customer_text_inert(
    routed_to_the_sandbox: None, client: FlaskClient, runtime: Runtime, sandbox: Sandbox
) -> None:
    escalated_with_hostile_hours(client, runtime, sandbox)

    text = command(client, "status 4521").json["text"]
    lines = text.splitlines()
    assert lines[4:7] == [
        "*Production down:* yes · *Users affected:* 250 · *Financial loss:* about USD 40k a day",
        "*Go-live:* 2026-01-06, The go-live cannot start until exports are whole",
        f"*Contact:* +1 555 0100 · dana@customer.example · {INERT_HOURS}",
    ]
    assert "<!channel>" not in text
    assert "<script>" not in text
