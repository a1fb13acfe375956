"""The sandbox's `conversations.list` as Slack documents it, seen through slack_sdk's WebClient:
channel types, `exclude_archived`, `is_member`, and pages chained by
`response_metadata.next_cursor` (empty on the last page)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from sandbox import Sandbox
from tests.helpers import held_to_the_contract


@pytest.fixture(autouse=True)
def contract_checked(sandbox: Sandbox) -> Iterator[None]:
    with held_to_the_contract(sandbox):
        yield


@pytest.fixture(scope="module")
def slack(sandbox: Sandbox) -> WebClient:
    client = WebClient(
        token=sandbox.credentials["slack"]["token"], base_url=sandbox.urls["slack"] + "/api/"
    )
    for number in range(7):
        add_channel(sandbox, f"C0PAGE{number:05d}", f"page-{number}")
    add_channel(sandbox, "C0ARCHIVED1", "old-escalations", is_archived=True)
    add_channel(sandbox, "C0PRIVATE01", "sup-private", is_private=True)
    add_channel(sandbox, "C0PRIVATE02", "hr-private", is_private=True, is_member=False)
    client.chat_postMessage(channel="U0ALICE001", text="a direct message opens an im")
    return client


def add_channel(sandbox: Sandbox, channel_id: str, name: str, **flags: bool) -> None:
    answer = requests.post(
        f"{sandbox.urls['slack']}/_sandbox/channels",
        json={"id": channel_id, "name": name, **flags},
        timeout=5,
    )
    assert answer.status_code == 201


def every_page(slack: WebClient, **args: object) -> list[list[dict]]:
    pages, cursor = [], None
    while True:
        answer = slack.conversations_list(cursor=cursor, **args)
        pages.append(answer["channels"])
        cursor = answer["response_metadata"]["next_cursor"]
        if not cursor:
            return pages


def test_pages_chain_by_cursor_and_the_last_has_an_empty_one(slack: WebClient) -> None:
    pages = every_page(slack, limit=3)

    assert [len(page) for page in pages[:-1]] == [3] * (len(pages) - 1)
    assert 1 <= len(pages[-1]) <= 3
    ids = [channel["id"] for page in pages for channel in page]
    assert len(ids) == len(set(ids))
    assert ids == [channel["id"] for channel in slack.conversations_list(limit=1000)["channels"]]


def test_by_default_only_public_channels_are_listed_archived_included(
    slack: WebClient,
) -> None:
    listed = {c["name"]: c for c in slack.conversations_list()["channels"]}

    assert listed["old-escalations"]["is_archived"] is True
    assert listed["eng-triage"]["is_member"] is False
    assert listed["support-escalations"]["is_member"] is True
    assert "sup-private" not in listed
    assert not any(c["is_im"] or c["is_private"] for c in listed.values())


def test_private_channels_are_those_the_bot_is_in_and_archived_ones_can_be_left_out(
    slack: WebClient,
) -> None:
    pages = every_page(slack, types="public_channel,private_channel", exclude_archived=True)
    listed = {c["name"]: c for page in pages for c in page}

    assert listed["sup-private"]["is_private"] is True
    assert listed["sup-private"]["is_member"] is True
    assert "hr-private" not in listed  # a bot cannot see a private channel it is not in
    assert "old-escalations" not in listed
    assert not any(c["is_im"] for c in listed.values())


def test_an_archived_channel_refuses_posts_and_joins(slack: WebClient) -> None:
    for call in (
        lambda: slack.chat_postMessage(channel="C0ARCHIVED1", text="hello"),
        lambda: slack.conversations_join(channel="C0ARCHIVED1"),
    ):
        with pytest.raises(SlackApiError) as refused:
            call()
        assert refused.value.response["error"] == "is_archived"
