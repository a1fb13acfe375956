"""Injected faults and vendor limits look, to the real clients, like the vendors' own."""

from __future__ import annotations

import github
import jira
import pytest
import requests
from slack_sdk.errors import SlackApiError

from sandbox import Sandbox
from sandbox.core.faults import Fault
from tests.sandbox.clients import github_client, jira_client, slack_client

REPO = "acme/widgets"


def test_github_429_with_retry_after_reaches_pygithub_as_githubs_429(sandbox: Sandbox) -> None:
    gh = github_client(sandbox)
    requests.post(
        f"{sandbox.urls['github']}/_sandbox/faults",
        json={"route": "GET /repos/*", "status": 429, "retry_after": 2, "times": 1},
        timeout=5,
    )
    with pytest.raises(github.GithubException) as limited:
        gh.get_repo(REPO)
    assert limited.value.status == 429
    assert limited.value.headers["retry-after"] == "2"
    assert limited.value.headers["x-ratelimit-remaining"] == "0"
    assert gh.get_repo(REPO).full_name == REPO  # the fault was for one request only


def test_jira_429_carries_retry_after_and_jiras_rate_limit_headers(sandbox: Sandbox) -> None:
    client = jira_client(sandbox)
    sandbox.jira.faults.add(Fault(route="GET /rest/api/2/myself", status=429, retry_after=2))
    with pytest.raises(jira.JIRAError) as limited:
        client.myself()
    assert limited.value.status_code == 429
    assert limited.value.response.headers["Retry-After"] == "2"
    assert "X-RateLimit-Limit" in limited.value.response.headers


def test_slack_429_is_ratelimited_with_retry_after(sandbox: Sandbox) -> None:
    sandbox.slack.faults.add(Fault(route="POST /api/chat.postMessage", status=429, retry_after=2))
    with pytest.raises(SlackApiError) as limited:
        slack_client(sandbox).chat_postMessage(channel="C0SUPPORT01", text="hi")
    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["Retry-After"] == "2"
    assert limited.value.response["error"] == "ratelimited"


def test_a_5xx_fault_fails_only_the_requests_it_was_set_for(sandbox: Sandbox) -> None:
    gh = github_client(sandbox)
    sandbox.github.faults.add(Fault(route="GET /repos/*", status=502, times=1))
    with pytest.raises(github.GithubException) as failed:
        gh.get_repo(REPO)
    assert failed.value.status == 502
    assert gh.get_repo(REPO).full_name == REPO


def test_latency_longer_than_the_client_timeout_is_a_timeout(sandbox: Sandbox) -> None:
    client = jira_client(sandbox, timeout=0.1)
    sandbox.jira.faults.add(Fault(route="GET /rest/api/2/myself", latency=0.4, times=1))
    with pytest.raises(requests.exceptions.Timeout):
        client.myself()


def test_slack_limits_messages_per_channel_when_asked(sandbox: Sandbox) -> None:
    assert sandbox.slack.limits.defaults["post_per_channel"] == "1/second"
    sandbox.slack.limits.enable("post_per_channel", "1/minute")  # a wide window: no flakes
    slack = slack_client(sandbox)
    slack.chat_postMessage(channel="C0SUPPORT01", text="first")
    with pytest.raises(SlackApiError) as limited:
        slack.chat_postMessage(channel="C0SUPPORT01", text="second, too soon")
    assert limited.value.response.status_code == 429
    assert int(limited.value.response.headers["Retry-After"]) >= 1
    requests.post(
        f"{sandbox.urls['slack']}/_sandbox/channels",
        json={"id": "C0OTHERCHAN", "name": "other"},
        timeout=5,
    )
    assert slack.chat_postMessage(channel="C0OTHERCHAN", text="other channel is fine")["ok"]


def test_github_content_creation_limit_answers_with_a_secondary_rate_limit(
    sandbox: Sandbox,
) -> None:
    answer = requests.post(
        f"{sandbox.urls['github']}/_sandbox/limits",
        json={"name": "content", "rate": "2/minute"},
        timeout=5,
    )
    assert answer.status_code == 201
    repo = github_client(sandbox).get_repo(REPO)
    repo.create_issue(title="one")
    repo.create_issue(title="two")
    with pytest.raises(github.GithubException) as limited:
        repo.create_issue(title="three")
    assert limited.value.status == 429
    assert "secondary rate limit" in limited.value.data["message"]
    assert int(limited.value.headers["retry-after"]) > 0


def test_jira_request_limit_is_off_until_asked(sandbox: Sandbox) -> None:
    client = jira_client(sandbox)
    for _ in range(5):
        client.myself()
    sandbox.jira.limits.enable("requests", "2/minute")
    client.myself()
    client.myself()
    with pytest.raises(jira.JIRAError) as limited:
        client.myself()
    assert limited.value.status_code == 429


def test_faults_set_through_the_control_api_can_be_listed_and_cleared(sandbox: Sandbox) -> None:
    base = f"{sandbox.urls['jira']}/_sandbox/faults"
    requests.post(base, json={"route": "*", "status": 503}, timeout=5)
    assert requests.get(base, timeout=5).json()[0]["status"] == 503
    requests.delete(base, timeout=5)
    assert requests.get(base, timeout=5).json() == []
    assert jira_client(sandbox).server_info()["deploymentType"] == "Cloud"
