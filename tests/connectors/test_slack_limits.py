"""Slack's documented message limits, enforced by the sandbox as Slack answers them (at most 50
blocks and a section's text of 3,000 characters, else invalid_blocks; a ``text`` of 40,000
characters, else msg_too_long), and the bridge's longest messages staying within them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bridge.connectors.registry import Context, performer_for
from bridge.runtime import Runtime
from bridge.services import effects
from sandbox import Sandbox

from .test_slack import CHANNEL, SUMMARY, make_slack, messages, run

LONG = "x" * 45_000


@pytest.fixture
def slack_runtime(runtime: Runtime, sandbox: Sandbox, context: Context) -> Runtime:
    runtime.performers.register("slack", performer_for(make_slack(sandbox, context)))
    return runtime


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


@pytest.fixture
def web(sandbox: Sandbox) -> WebClient:
    return WebClient(
        token=sandbox.credentials["slack"]["token"], base_url=sandbox.urls["slack"] + "/api/"
    )


def refusal(call: Callable[[], Any]) -> str:
    with pytest.raises(SlackApiError) as refused:
        call()
    return str(refused.value.response["error"])


@pytest.mark.parametrize(
    ("message", "error"),
    [
        ({"text": "x" * 40_001}, "msg_too_long"),
        ({"text": "fits", "blocks": [section("one")] * 51}, "invalid_blocks"),
        ({"text": "fits", "blocks": [section("x" * 3001)]}, "invalid_blocks"),
    ],
    ids=["text past 40,000", "51 blocks", "a section past 3,000"],
)
def test_the_sandbox_refuses_a_message_past_slacks_limits(
    web: WebClient, sandbox: Sandbox, message: dict[str, Any], error: str
) -> None:
    posted = web.chat_postMessage(channel=CHANNEL, text="the head")
    before = len(messages(sandbox))

    assert refusal(lambda: web.chat_postMessage(channel=CHANNEL, **message)) == error
    assert refusal(lambda: web.chat_update(channel=CHANNEL, ts=posted["ts"], **message)) == error
    assert len(messages(sandbox)) == before
    assert [m["text"] for m in messages(sandbox) if m["ts"] == posted["ts"]] == ["the head"]


def test_the_sandbox_takes_a_message_at_exactly_slacks_limits(web: WebClient) -> None:
    answer = web.chat_postMessage(
        channel=CHANNEL, text="x" * 40_000, blocks=[section("x" * 3000)] * 50
    )
    assert answer["ok"] is True


def test_a_thread_reply_past_40000_characters_is_cut_with_an_ellipsis(
    sandbox: Sandbox, slack_runtime: Runtime
) -> None:
    run(
        slack_runtime,
        effects.escalation_message("lim1", "opened", channel=CHANNEL, summary=SUMMARY),
    )

    reply = run(
        slack_runtime, effects.thread_reply("lim1", "long", text=LONG, mention=["U0BOBDEV01"])
    )

    assert reply.status == "done", reply.last_error
    [posted] = [m for m in messages(sandbox) if m["ts"] == reply.result["ts"]]
    assert posted["text"].startswith("<@U0BOBDEV01> xxx")
    assert (len(posted["text"]), posted["text"][-1]) == (40_000, "…")


def test_a_channel_post_of_many_blocks_keeps_49_and_says_how_many_more(
    sandbox: Sandbox, slack_runtime: Runtime
) -> None:
    blocks = [section(f"escalation {number}") for number in range(1, 61)]

    post = run(
        slack_runtime, effects.channel_post("lim-digest", channel=CHANNEL, text=LONG, blocks=blocks)
    )

    assert post.status == "done", post.last_error
    [posted] = [m for m in messages(sandbox) if m["ts"] == post.result["ts"]]
    assert len(posted["blocks"]) == 50
    assert posted["blocks"][48] == section("escalation 49")
    assert posted["blocks"][49]["elements"][0]["text"] == "… 11 more not shown"
    assert len(posted["text"]) == 40_000


def test_the_longest_head_message_stays_within_every_limit(
    sandbox: Sandbox, slack_runtime: Runtime
) -> None:
    """Every field of the escalation's head message as long as a customer can make it."""
    longest = {
        **SUMMARY,
        "ticket": "9" * 41_000,
        "title": LONG,
        "customer": LONG,
        "reason": {"category": "data_loss", "text": LONG},
        "triage": {"impact": LONG, "workaround": LONG},
        "sla_due": {f"clock {n}": LONG for n in range(5)},
        "spar": {"key": LONG, "url": "https://jira.example/browse/SUP-1"},
        "ar": {"key": LONG, "url": "https://jira.example/browse/DEV-1"},
    }

    head = run(
        slack_runtime,
        effects.escalation_message("lim3", "opened", channel=CHANNEL, summary=longest),
    )

    assert head.status == "done", head.last_error
    [posted] = [m for m in messages(sandbox) if m["ts"] == head.result["ts"]]
    assert len(posted["text"]) == 40_000 and posted["text"].endswith("…")
    assert len(posted["blocks"]) <= 50
    sections = [
        b["text"]["text"] for b in posted["blocks"] if b["type"] == "section" and "text" in b
    ]
    assert sections and all(len(text) <= 3000 for text in sections)
