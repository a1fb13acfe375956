"""Requests a vendor would reject are rejected in the vendor's shape and recorded."""

from __future__ import annotations

import requests
from flask import Flask, Response, request

from sandbox import Sandbox
from sandbox.core.contract import OpenApiContract
from sandbox.github.webhook_schemas import check_webhook


def _violations_since(sandbox: Sandbox, before: int) -> list[str]:
    return [str(v) for v in sandbox.violations[before:]]


def test_github_refuses_an_issue_without_a_title_with_422(sandbox: Sandbox) -> None:
    before = len(sandbox.violations)
    answer = requests.post(
        f"{sandbox.urls['github']}/repos/acme/widgets/issues",
        json={"body": "no title"},
        headers={"Authorization": f"token {sandbox.credentials['github']['token']}"},
        timeout=5,
    )
    assert answer.status_code == 422
    assert set(answer.json()) == {"message", "documentation_url"}
    assert any("title" in v for v in _violations_since(sandbox, before))


def test_jira_refuses_a_malformed_edit_with_its_error_collection(sandbox: Sandbox) -> None:
    creds = sandbox.credentials["jira"]
    before = len(sandbox.violations)
    answer = requests.put(
        f"{sandbox.urls['jira']}/rest/api/2/issue/SUP-1",
        json={"fields": "not an object"},
        auth=(creds["email"], creds["api_token"]),
        timeout=5,
    )
    assert answer.status_code == 400
    assert set(answer.json()) == {"errorMessages", "errors"}
    assert _violations_since(sandbox, before)


def test_slack_refuses_a_post_without_a_channel_with_ok_false(sandbox: Sandbox) -> None:
    before = len(sandbox.violations)
    answer = requests.post(
        f"{sandbox.urls['slack']}/api/chat.postMessage",
        json={"text": "where to?"},
        headers={"Authorization": f"Bearer {sandbox.credentials['slack']['token']}"},
        timeout=5,
    )
    assert answer.status_code == 200
    assert answer.json()["ok"] is False
    assert any("channel" in v for v in _violations_since(sandbox, before))


def test_an_answer_github_would_never_give_is_caught() -> None:
    contract = OpenApiContract("github")
    app = Flask("probe")
    with app.test_request_context("/repos/acme/widgets/issues/1", method="GET"):
        wrong = Response('{"number": "one"}', status=200, mimetype="application/json")
        assert contract.check_response(request, wrong)


def test_every_recorded_request_is_listed_by_the_control_api(sandbox: Sandbox) -> None:
    requests.get(f"{sandbox.urls['slack']}/api/auth.test", timeout=5)
    listed = requests.get(f"{sandbox.urls['slack']}/_sandbox/requests", timeout=5).json()
    assert listed[-1]["path"] == "/api/auth.test"
    assert listed[-1]["status"] == 200


def test_a_webhook_github_would_never_send_is_caught() -> None:
    assert check_webhook("issues", {"action": "opened", "issue": {"number": "one"}})
    assert check_webhook("push", {"ref": "refs/heads/main"})  # events without an action too
    assert check_webhook("deployment", {"action": "created"}) == []  # not in the trimmed copy
