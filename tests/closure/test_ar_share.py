"""*Share with customer*: a developer's comment reaches the customer only when someone who may
update the customer presses the button under it in the Slack thread; once, however often it is
pressed, counted as a reply the customer sees, and never heard back as the customer's message."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import select

from bridge.domain.clocks import latest
from bridge.domain.sla import ClockState, TargetKind
from bridge.store import tables
from bridge.store.clocks import clocks_of
from sandbox import Sandbox
from sandbox.embedded import SLACK_INTERACTIONS
from sandbox.slack import person

from .sandboxed import Bridge, Developer
from .test_ar_speaks import notes, timeline
from .test_end_to_end import escalated_with_ar
from .test_slack_steps import ALICE, MANAGER, told
from .test_slack_steps import slack_signing as slack_signing  # the fixture, shared
from .test_slack_steps_all import eventually

CHANNEL = "C0SUPPORT01"
HOSTILE = "Patch 4.2.1-hf2 <!channel> fixes it; see <https://evil.example|the docs> & *restart*"


@pytest.fixture
def only_the_manager_updates_customers(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Status updates, and so sharing, are the manager's (set before ``bridge`` is built)."""
    monkeypatch.setenv("BRIDGE_ROLES__STATUS_UPDATE", f'["{MANAGER}"]')
    yield


def commented(bridge: Bridge, sandbox: Sandbox) -> tuple[int, int, person.Any]:
    """An escalation with a Jira AR, a customer waiting for a reply, and a developer's comment
    heard in the thread: (ticket, escalation id, the thread reply carrying the button)."""
    sandbox.register_webhook("slack", f"{bridge.url}/slack/interactions", events=SLACK_INTERACTIONS)
    sandbox.register_webhook("zendesk", f"{bridge.url}/webhooks/zendesk")
    ticket, escalation_id, ar = escalated_with_ar(bridge, sandbox)
    url = f"{sandbox.urls['zendesk']}/_sandbox/tickets/{ticket}/customer_reply"
    requests.post(url, json={"body": "Any news on the orders?"}, timeout=10).raise_for_status()
    Developer(sandbox).jira.add_comment(ar, HOSTILE)
    bridge.settle()
    [message] = [
        m
        for m in sandbox.slack.world.in_channel(CHANNEL)
        if m.thread_ts is not None and "commented on" in m.text
    ]
    return ticket, escalation_id, message


def reply_clock(bridge: Bridge, escalation_id: int) -> ClockState:
    with bridge.runtime.sessions() as session:
        clocks = clocks_of(session, [escalation_id])[escalation_id]
    return latest(clocks)[TargetKind.REPLY].state


def thread(sandbox: Sandbox) -> list[str]:
    """The thread's replies (the channel also holds notes only one person sees)."""
    return [m.text for m in sandbox.slack.world.in_channel(CHANNEL) if m.thread_ts is not None]


def ephemeral(sandbox: Sandbox, user: str) -> list[str]:
    return [m.text for m in sandbox.slack.world.in_channel(CHANNEL) if m.ephemeral_to == user]


@pytest.mark.usefixtures("slack_signing", "only_the_manager_updates_customers")
def test_sharing_a_comment_publishes_it_once_and_meets_the_reply_clock(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    ticket, escalation_id, message = commented(bridge, sandbox)
    assert reply_clock(bridge, escalation_id) == ClockState.RUNNING  # the customer asked
    assert [b["text"]["text"] for b in message.blocks[1]["elements"]] == ["Share with customer"]
    # Only the bridge's own counting of the reply is left to meet the clock: the echo of the
    # public reply is not delivered in this test (the next test has it).
    sandbox.vendors["zendesk"].webhooks.unregister_all()

    public = notes(sandbox, ticket)[1]

    person.press_button(sandbox, ALICE, message, "escalation.share_with_customer")
    bridge.settle()
    refusal = f"Only <@{MANAGER}> may press Share with customer on escalations."
    assert eventually(lambda: [text for text in ephemeral(sandbox, ALICE) if text == refusal])
    assert notes(sandbox, ticket)[1] == public  # the customer was told nothing
    assert reply_clock(bridge, escalation_id) == ClockState.RUNNING

    person.press_button(sandbox, MANAGER, message, "escalation.share_with_customer")
    person.press_button(sandbox, MANAGER, message, "escalation.share_with_customer")
    bridge.settle()

    assert notes(sandbox, ticket)[1] == [*public, HOSTILE]  # once, the words as written
    assert reply_clock(bridge, escalation_id) == ClockState.MET
    shared = [note for step, note in timeline(bridge, escalation_id) if step == "ar_comment_shared"]
    assert shared == [
        f"Shared with the customer (a public reply on zendesk ticket {ticket}): {HOSTILE}"
    ]
    [said] = [text for text in thread(sandbox) if "shared this with the customer" in text]
    assert said.startswith(f"<@{MANAGER}> shared this with the customer")
    assert "<!channel>" not in said
    assert told(sandbox, MANAGER) == []  # no refusal


@pytest.mark.usefixtures("slack_signing")
def test_the_shared_reply_coming_back_from_the_helpdesk_is_not_the_customers_message(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    ticket, escalation_id, message = commented(bridge, sandbox)
    before = [text for text in thread(sandbox) if text.startswith("The customer wrote")]
    public = notes(sandbox, ticket)[1]

    person.press_button(sandbox, ALICE, message, "escalation.share_with_customer")
    bridge.settle()

    assert notes(sandbox, ticket)[1] == [*public, HOSTILE]
    with bridge.runtime.sessions() as session:
        echoed = session.scalars(
            select(tables.InboxRow.id).where(tables.InboxRow.source == "zendesk")
        ).all()
        row = session.get(tables.Escalation, escalation_id)
    assert len(echoed) >= 2  # the customer's message, and our reply coming back
    assert [text for text in thread(sandbox) if text.startswith("The customer wrote")] == before
    assert reply_clock(bridge, escalation_id) == ClockState.MET  # not started again
    assert row is not None and row.state == "plan_accepted"
