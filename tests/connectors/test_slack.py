"""The Slack connector keeps one head message per escalation, replies in its thread, and paces
itself per channel, through slack-sdk's WebClient against the sandbox."""

from __future__ import annotations

from typing import Any

import pytest
from limits.storage import MemoryStorage

from bridge.connectors.ratelimit import RateGate
from bridge.connectors.registry import Context, performer_for
from bridge.connectors.slack import SlackConnector
from bridge.connectors.slack.settings import SlackSettings
from bridge.runtime import Runtime
from bridge.services import effects
from bridge.services.ports import ConnectorError, IdempotencyKey
from bridge.store.outbox import SideEffect
from bridge.store.tables import OutboxRow
from sandbox import Sandbox

CHANNEL = "C0SUPPORT01"
SUMMARY = {
    "ticket": "812",
    "ticket_url": "https://acme.zendesk.com/agent/tickets/812",
    "customer": "ACME",
    "severity": "S1",
    "classification": "defect",
    "level": 2,
    "sla_due": {"response": "10:30 UTC"},
    "spar": {"key": "SUP-1", "url": "https://jira.example/browse/SUP-1"},
}


def make_slack(sandbox: Sandbox, context: Context) -> SlackConnector:
    settings = SlackSettings(
        base_url=sandbox.urls["slack"] + "/api/",
        bot_token=sandbox.credentials["slack"]["token"],
    )
    return SlackConnector(settings, context)


@pytest.fixture
def slack_runtime(runtime: Runtime, sandbox: Sandbox, context: Context) -> Runtime:
    runtime.performers.register("slack", performer_for(make_slack(sandbox, context)))
    return runtime


def run(runtime: Runtime, effect: SideEffect) -> OutboxRow:
    with runtime.sessions.begin() as session:
        row_id = runtime.outbox.add(session, effect, runtime_now())
    assert row_id is not None
    runtime.tasks.perform_outbox.call_local(row_id)
    with runtime.sessions() as session:
        row = session.get(OutboxRow, row_id)
        assert row is not None
        return row


def runtime_now() -> Any:
    from bridge.jobs.clock import utcnow

    return utcnow()


def messages(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [m for m in sandbox.slack.snapshot()["messages"] if m["channel"] == CHANNEL]


def test_the_head_message_is_posted_once_and_then_updated_in_place(
    sandbox: Sandbox, slack_runtime: Runtime
) -> None:
    before = len(messages(sandbox))
    first = run(
        slack_runtime, effects.escalation_message("e1", "opened", channel=CHANNEL, summary=SUMMARY)
    )
    raised = SUMMARY | {"level": 3}
    second = run(
        slack_runtime, effects.escalation_message("e1", "level-3", channel=CHANNEL, summary=raised)
    )

    assert (first.status, second.status) == ("done", "done")
    assert second.result == first.result
    posted = messages(sandbox)[before:]
    assert len(posted) == 1
    head = posted[0]
    assert head["edited"] is True
    assert "*Level:* 3" in str(head["blocks"])
    actions = next(b for b in head["blocks"] if b["type"] == "actions")
    assert {e["action_id"] for e in actions["elements"]} >= {
        "escalation.acknowledge",
        "escalation.raise_level",
        "escalation.mark_resolved",
    }
    assert head["metadata"]["event_payload"]["key"] == "chat:e1:head:opened"


def test_a_reply_goes_into_the_thread_and_mentions_the_level_owner(
    sandbox: Sandbox, slack_runtime: Runtime
) -> None:
    head = run(
        slack_runtime, effects.escalation_message("e2", "opened", channel=CHANNEL, summary=SUMMARY)
    )
    reply = run(
        slack_runtime, effects.thread_reply("e2", "l2", text="Now level 2", mention=["U0BOBDEV01"])
    )

    assert reply.status == "done"
    [posted] = [m for m in messages(sandbox) if m["ts"] == reply.result["ts"]]
    assert posted["thread_ts"] == head.result["ts"]
    assert posted["text"] == "<@U0BOBDEV01> Now level 2"


def test_a_reply_before_its_head_message_waits_instead_of_failing(
    slack_runtime: Runtime,
) -> None:
    reply = run(slack_runtime, effects.thread_reply("e3", "l2", text="Now level 2"))

    assert reply.status == "pending"
    assert "no Slack message yet" in (reply.last_error or "")


def test_posts_to_one_channel_are_paced_so_slack_never_answers_429(
    sandbox: Sandbox, runtime: Runtime
) -> None:
    sandbox.slack.limits.enable("post_per_channel", "1/second")
    sandbox.slack.recorder.clear()
    gate = RateGate(MemoryStorage(), rates={"slack:channel": "1/second"})
    connector = make_slack(sandbox, Context(gate=gate, earlier=None))  # type: ignore[arg-type]
    for n in range(2):
        connector.post(CHANNEL, f"update {n}", [], key=f"chat:post:pace-{n}")  # type: ignore[arg-type]

    statuses = [r.status for r in sandbox.slack.recorder.requests if r.path.endswith("postMessage")]
    assert statuses == [200, 200]


def test_our_messages_are_recognised_as_our_own_writes(sandbox: Sandbox, context: Context) -> None:
    connector = make_slack(sandbox, context)
    ref = connector.post(CHANNEL, "hello", [], key="chat:post:own")  # type: ignore[arg-type]
    [ours] = [m for m in messages(sandbox) if m["ts"] == ref.id]
    event = {"type": "message", "channel": CHANNEL, "ts": ref.id, "metadata": ours["metadata"]}
    person = {"type": "message", "channel": CHANNEL, "user": "U0ALICE001", "text": "thanks"}

    assert connector.is_own_write({"event": event}) is True
    assert connector.is_own_write({"event": person}) is False


def test_a_channel_post_carries_its_blocks_and_our_metadata(
    sandbox: Sandbox, slack_runtime: Runtime
) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Daily digest*"}}]
    row = run(
        slack_runtime,
        effects.channel_post("digest-1", channel=CHANNEL, text="Digest", blocks=blocks),
    )

    [posted] = [m for m in messages(sandbox) if m["ts"] == row.result["ts"]]
    assert posted["blocks"] == blocks
    assert posted["metadata"]["event_type"] == "support_bridge_write"


def test_a_post_whose_result_was_lost_is_found_again_not_posted_twice(
    sandbox: Sandbox, context: Context
) -> None:
    connector = make_slack(sandbox, context)
    payload = {"channel": CHANNEL, "text": "Daily digest: 2 open escalations"}
    first = connector.perform("channel_post", payload, IdempotencyKey("chat:post:lost", fresh=True))
    before = len(messages(sandbox))
    # The worker died before committing: the next attempt is not fresh and must look first.
    again = connector.perform("channel_post", payload, IdempotencyKey("chat:post:lost"))
    assert again["ts"] == first["ts"]
    assert len(messages(sandbox)) == before


def test_a_direct_message_goes_to_the_users_dm_channel_once(
    sandbox: Sandbox, context: Context
) -> None:
    connector = make_slack(sandbox, context)
    payload = {"user": "U0BOBDEV01", "text": "You own level 2 of escalation 7"}
    first = connector.perform(
        "direct_message", payload, IdempotencyKey("chat:dm:7:bob", fresh=True)
    )
    again = connector.perform("direct_message", payload, IdempotencyKey("chat:dm:7:bob"))
    assert again == first
    dms = [m for m in sandbox.slack.snapshot()["messages"] if m["channel"] == "D0BOBDEV01"]
    assert [m["text"] for m in dms] == ["You own level 2 of escalation 7"]


def test_people_and_channels_are_named_as_slack_shows_them(
    sandbox: Sandbox, context: Context
) -> None:
    connector = make_slack(sandbox, context)

    assert connector.display_name("U0BOBDEV01") == "bob"
    assert connector.channel_name(CHANNEL) == "#support-escalations"
    with pytest.raises(ConnectorError, match="channel_not_found"):
        connector.channel_name("C0NOSUCH01")
