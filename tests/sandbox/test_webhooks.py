"""Webhooks really arrive, signed; dropped ones do not, duplicated ones arrive twice."""

from __future__ import annotations

import hashlib
import hmac
import json

import requests

from sandbox import Sandbox
from sandbox.receiver import Received, WebhookReceiver
from tests.sandbox.clients import github_client, jira_client

REPO = "acme/widgets"


def _github_hits(receiver: WebhookReceiver, title: str) -> list[Received]:
    return [
        hit
        for hit in receiver.at("/github")
        if json.loads(hit.body).get("issue", {}).get("title") == title
    ]


def test_a_duplicated_webhook_really_arrives_twice_with_one_delivery_id(
    sandbox: Sandbox, receiver: WebhookReceiver
) -> None:
    requests.post(
        f"{sandbox.urls['github']}/_sandbox/webhooks/faults",
        json={"kind": "duplicate", "event": "issues"},
        timeout=5,
    )
    github_client(sandbox).get_repo(REPO).create_issue(title="Sent twice")
    hits = _github_hits(receiver, "Sent twice")
    assert len(hits) == 2
    assert hits[0].headers["X-Github-Delivery"] == hits[1].headers["X-Github-Delivery"]
    assert hits[0].body == hits[1].body


def test_a_dropped_webhook_never_arrives_but_is_logged(
    sandbox: Sandbox, receiver: WebhookReceiver
) -> None:
    sandbox.github.webhooks.drop_next(event="issues")
    repo = github_client(sandbox).get_repo(REPO)
    repo.create_issue(title="Lost in transit")
    repo.create_issue(title="Delivered after the drop")
    assert _github_hits(receiver, "Lost in transit") == []
    assert len(_github_hits(receiver, "Delivered after the drop")) == 1
    dropped = [d for d in sandbox.github.webhooks.deliveries if d.dropped]
    assert dropped[-1].payload["issue"]["title"] == "Lost in transit"


def test_each_target_gets_deliveries_signed_with_its_own_secret(
    sandbox: Sandbox, receiver: WebhookReceiver
) -> None:
    sandbox.register_webhook("github", f"{receiver.url}/second", secret="another-secret")
    github_client(sandbox).get_repo(REPO).create_issue(title="Two targets")
    hit = next(
        h for h in receiver.at("/second") if json.loads(h.body)["issue"]["title"] == "Two targets"
    )
    expected = "sha256=" + hmac.new(b"another-secret", hit.body, hashlib.sha256).hexdigest()
    assert hit.headers["X-Hub-Signature-256"] == expected


def test_control_api_developer_actions_send_the_vendor_webhooks(
    sandbox: Sandbox, receiver: WebhookReceiver
) -> None:
    client = jira_client(sandbox)
    issue = client.create_issue(
        project="SUP", summary="Moved by a developer", issuetype={"name": "Bug"}
    )
    moved = requests.post(
        f"{sandbox.urls['jira']}/_sandbox/issues/{issue.key}/transition",
        json={"to": "In Progress"},
        timeout=5,
    )
    assert moved.json()["fields"]["status"]["name"] == "In Progress"
    updates = [
        json.loads(h.body)
        for h in receiver.at("/jira")
        if json.loads(h.body).get("issue", {}).get("key") == issue.key
        and json.loads(h.body)["webhookEvent"] == "jira:issue_updated"
    ]
    assert updates[-1]["changelog"]["items"][-1]["toString"] == "In Progress"
    released = requests.post(
        f"{sandbox.urls['github']}/_sandbox/repos/{REPO}/releases",
        json={"tag_name": "v7.0.0"},
        timeout=5,
    )
    assert released.json()["draft"] is False
    tags = [
        json.loads(h.body)["release"]["tag_name"]
        for h in receiver.at("/github")
        if h.headers["X-Github-Event"] == "release"
    ]
    assert "v7.0.0" in tags


def test_background_delivery_is_waited_for_with_flush(receiver: WebhookReceiver) -> None:
    with Sandbox(background_webhooks=True) as background:
        background.register_webhook("github", f"{receiver.url}/background")
        github_client(background).get_repo(REPO).create_issue(title="Queued")
        background.flush_webhooks()
        assert len(receiver.at("/background")) == 1
