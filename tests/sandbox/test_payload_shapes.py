"""Outgoing webhooks have the shape of the vendors' captured deliveries in tests/fixtures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from sandbox import Sandbox
from sandbox.receiver import WebhookReceiver
from tests.sandbox.clients import github_client, jira_client

FIXTURES = Path(__file__).parents[1] / "fixtures"
# Captured from one customer's instance, or dropped by Atlassian for Cloud privacy (GDPR).
INSTANCE_SPECIFIC = {"key", "name"}


def _fixture(relative: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / relative).read_text())
    return loaded


def _missing(expected: dict[str, Any], actual: dict[str, Any]) -> set[str]:
    wanted = {k for k in expected if not k.startswith("customfield_")} - INSTANCE_SPECIFIC
    return wanted - set(actual)


@pytest.fixture(scope="module")
def jira_deliveries(sandbox: Sandbox, receiver: WebhookReceiver) -> dict[str, dict[str, Any]]:
    client = jira_client(sandbox)
    issue = client.create_issue(project="SUP", summary="Shape", issuetype={"name": "Bug"})
    client.transition_issue(issue, "31", fields={"resolution": {"name": "Done"}})
    client.add_comment(issue, "Shape comment")
    creds = sandbox.credentials["jira"]
    version = requests.post(  # the library would sleep a second after creating a version
        f"{sandbox.urls['jira']}/rest/api/2/version",
        json={"name": "9.9", "project": "SUP"},
        auth=(creds["email"], creds["api_token"]),
        timeout=5,
    ).json()
    requests.post(f"{sandbox.urls['jira']}/_sandbox/versions/{version['id']}/release", timeout=5)
    found: dict[str, dict[str, Any]] = {}
    for hit in receiver.at("/jira"):
        payload = json.loads(hit.body)
        found.setdefault(payload["webhookEvent"], payload)
    return found


@pytest.mark.parametrize(
    ("event", "fixture", "parts"),
    [
        (
            "jira:issue_updated",
            "jira/webhooks/jira_issue_updated.resolved.json",
            ("issue", "changelog", "user"),
        ),
        ("comment_created", "jira/webhooks/comment_created.json", ("issue", "comment")),
        ("jira:version_released", "jira/webhooks/jira_version_released.json", ("version",)),
    ],
)
def test_jira_webhooks_carry_every_field_of_the_captured_delivery(
    jira_deliveries: dict[str, dict[str, Any]], event: str, fixture: str, parts: tuple[str, ...]
) -> None:
    expected, actual = _fixture(fixture), jira_deliveries[event]
    assert set(actual) == set(expected)
    for part in parts:
        assert _missing(expected[part], actual[part]) == set(), part
    if "issue" in parts:
        assert _missing(expected["issue"]["fields"], actual["issue"]["fields"]) == set()


def test_jira_changelog_items_have_the_captured_item_shape(
    jira_deliveries: dict[str, dict[str, Any]],
) -> None:
    expected = _fixture("jira/webhooks/jira_issue_updated.resolved.json")["changelog"]["items"]
    actual = jira_deliveries["jira:issue_updated"]["changelog"]["items"]
    assert [set(item) for item in actual] == [set(item) for item in expected]
    assert [item["field"] for item in actual] == [item["field"] for item in expected]


@pytest.mark.parametrize(
    ("event", "fixture"),
    [
        ("issues", "github/webhooks/issues/opened.json"),
        ("issue_comment", "github/webhooks/issue_comment/created.json"),
        ("release", "github/webhooks/release/published.json"),
    ],
)
def test_github_webhooks_have_the_top_level_shape_of_the_octokit_examples(
    sandbox: Sandbox, receiver: WebhookReceiver, event: str, fixture: str
) -> None:
    repo = github_client(sandbox).get_repo("acme/widgets")
    repo.create_issue(title="Shape").create_comment("Shape comment")
    repo.create_git_release(f"v-shape-{event}", "shape", "notes")
    payload = next(
        json.loads(h.body) for h in receiver.at("/github") if h.headers["X-Github-Event"] == event
    )
    expected = _fixture(fixture)
    assert set(payload) == set(expected)
    assert payload["action"] == expected["action"]
    checked = [v for v in sandbox.github.recorder.violations if v.direction == "webhook"]
    assert checked == []  # every delivery was also held to GitHub's x-webhooks schemas
