"""slack_sdk's WebClient, pointed at the sandbox, sees Slack's Web API."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest
import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier

from sandbox import Sandbox
from sandbox.receiver import WebhookReceiver

SUPPORT = "C0SUPPORT01"
MODAL = {"type": "modal", "title": {"type": "plain_text", "text": "Escalate"}, "blocks": []}


def _messages(sandbox: Sandbox, channel: str) -> list[dict]:
    answer = requests.get(
        f"{sandbox.urls['slack']}/_sandbox/channels/{channel}/messages", timeout=5
    )
    return answer.json()


def test_auth_test_names_the_bot_and_its_team(slack: WebClient) -> None:
    answer = slack.auth_test()
    assert (answer["user_id"], answer["team_id"]) == ("U0BRIDGEBOT", "T0SANDBOX1")


def test_a_wrong_token_is_invalid_auth(sandbox: Sandbox) -> None:
    client = WebClient(token="xoxb-wrong", base_url=sandbox.urls["slack"] + "/api/")
    with pytest.raises(SlackApiError) as refused:
        client.auth_test()
    assert refused.value.response["error"] == "invalid_auth"


def test_a_posted_message_keeps_its_blocks_thread_and_metadata(
    slack: WebClient, sandbox: Sandbox
) -> None:
    parent = slack.chat_postMessage(channel=SUPPORT, text="SUP-1 escalated")
    reply = slack.chat_postMessage(
        channel=SUPPORT,
        text="Fix is in review",
        thread_ts=parent["ts"],
        blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "*Fix* in review"}}],
        metadata={"event_type": "bridge_notice", "event_payload": {"spar": "SUP-1"}},
    )
    stored = next(m for m in _messages(sandbox, SUPPORT) if m["ts"] == reply["ts"])
    assert stored["thread_ts"] == parent["ts"]
    assert stored["blocks"][0]["text"]["text"] == "*Fix* in review"
    assert stored["metadata"]["event_payload"] == {"spar": "SUP-1"}


def test_a_message_can_be_updated_in_place(slack: WebClient, sandbox: Sandbox) -> None:
    posted = slack.chat_postMessage(channel=SUPPORT, text="Status: open")
    slack.chat_update(channel=SUPPORT, ts=posted["ts"], text="Status: fixed")
    stored = next(m for m in _messages(sandbox, SUPPORT) if m["ts"] == posted["ts"])
    assert stored["text"] == "Status: fixed"


def test_updating_an_unknown_message_is_message_not_found(slack: WebClient) -> None:
    with pytest.raises(SlackApiError) as refused:
        slack.chat_update(channel=SUPPORT, ts="1700000000.000001", text="nope")
    assert refused.value.response["error"] == "message_not_found"


def test_an_ephemeral_message_is_only_for_its_user(slack: WebClient, sandbox: Sandbox) -> None:
    answer = slack.chat_postEphemeral(channel=SUPPORT, user="U0ALICE001", text="Only you")
    stored = next(m for m in _messages(sandbox, SUPPORT) if m["ts"] == answer["message_ts"])
    assert stored["ephemeral_to"] == "U0ALICE001"


def test_posting_needs_membership_until_the_bot_joins(slack: WebClient, sandbox: Sandbox) -> None:
    requests.post(
        f"{sandbox.urls['slack']}/_sandbox/channels",
        json={"id": "C0JOINTEST1", "name": "join-test", "is_member": False},
        timeout=5,
    )
    with pytest.raises(SlackApiError) as refused:
        slack.chat_postMessage(channel="C0JOINTEST1", text="hello")
    assert refused.value.response["error"] == "not_in_channel"
    assert slack.conversations_join(channel="C0JOINTEST1")["channel"]["is_member"] is True
    assert slack.chat_postMessage(channel="C0JOINTEST1", text="hello")["ok"] is True


def test_conversations_are_listed_and_described(slack: WebClient) -> None:
    names = {c["name"] for c in slack.conversations_list()["channels"]}
    assert "support-escalations" in names
    assert slack.conversations_info(channel=SUPPORT)["channel"]["name"] == "support-escalations"


def test_users_are_found_by_id_and_by_email(slack: WebClient) -> None:
    assert slack.users_info(user="U0ALICE001")["user"]["profile"]["email"] == "alice@example.com"
    assert slack.users_lookupByEmail(email="bob@example.com")["user"]["id"] == "U0BOBDEV01"
    with pytest.raises(SlackApiError) as refused:
        slack.users_lookupByEmail(email="nobody@example.com")
    assert refused.value.response["error"] == "users_not_found"


def test_a_modal_opens_and_updates_with_its_hash(slack: WebClient) -> None:
    opened = slack.views_open(trigger_id="12345.98765.abcd", view=MODAL)["view"]
    updated = slack.views_update(
        view_id=opened["id"], hash=opened["hash"], view=MODAL | {"callback_id": "escalate"}
    )["view"]
    assert updated["id"] == opened["id"]
    assert updated["callback_id"] == "escalate"
    with pytest.raises(SlackApiError) as refused:
        slack.views_update(view_id=opened["id"], hash=opened["hash"], view=MODAL)
    assert refused.value.response["error"] == "hash_conflict"


def test_response_url_posts_are_recorded(sandbox: Sandbox) -> None:
    minted = requests.post(f"{sandbox.urls['slack']}/_sandbox/response_urls", timeout=5)
    url = minted.json()["response_url"]
    requests.post(url, json={"text": "Escalated as SUP-7", "response_type": "ephemeral"}, timeout=5)
    posts = requests.get(f"{sandbox.urls['slack']}/_sandbox/response_posts", timeout=5).json()
    assert posts[-1]["body"]["text"] == "Escalated as SUP-7"


def test_a_slash_command_reaches_the_app_signed_as_slack_signs(
    sandbox: Sandbox, receiver: WebhookReceiver
) -> None:
    sent = requests.post(
        f"{sandbox.urls['slack']}/_sandbox/slash_command",
        json={"command": "/escalate", "text": "ZD-812 exports fail", "user_id": "U0ALICE001"},
        timeout=5,
    ).json()
    hit = next(h for h in receiver.at("/slack") if sent["trigger_id"].encode() in h.body)
    verifier = SignatureVerifier(sandbox.credentials["slack"]["signing_secret"])
    assert verifier.is_valid(
        hit.body, hit.headers["X-Slack-Request-Timestamp"], hit.headers["X-Slack-Signature"]
    )
    form = parse_qs(hit.body.decode())
    assert form["command"] == ["/escalate"]
    assert form["text"] == ["ZD-812 exports fail"]
    assert form["response_url"][0].startswith(sandbox.urls["slack"])


def test_an_interaction_arrives_as_a_signed_payload_form_field(
    sandbox: Sandbox, receiver: WebhookReceiver
) -> None:
    payload = {"type": "block_actions", "actions": [{"action_id": "accept_fix"}]}
    requests.post(
        f"{sandbox.urls['slack']}/_sandbox/interaction", json={"payload": payload}, timeout=5
    )
    hit = next(h for h in receiver.at("/slack") if b"accept_fix" in h.body)
    verifier = SignatureVerifier(sandbox.credentials["slack"]["signing_secret"])
    assert verifier.is_valid(
        hit.body, hit.headers["X-Slack-Request-Timestamp"], hit.headers["X-Slack-Signature"]
    )
    assert json.loads(parse_qs(hit.body.decode())["payload"][0]) == payload
