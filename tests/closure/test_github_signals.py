"""GitHub through the sandbox: a merged pull request is "fixed in code" (support hears of it),
the published release is "fix available" (the customer hears of it)."""

from __future__ import annotations

import json
import uuid

import requests

from bridge.jobs.clock import utcnow
from bridge.store import tables
from sandbox import Sandbox
from sandbox.core.signing import github_signature_256

from .sandboxed import Bridge
from .story import ENGINEER
from .test_end_to_end import escalated_with_ar


def test_a_merged_pr_tells_support_and_the_release_tells_the_customer(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    ticket, escalation_id, _ = escalated_with_ar(bridge, sandbox)
    repo = sandbox.credentials["github"]["repo"]
    bridge.runtime.services.shipped.join_ar(
        escalation_id, system="github", key=f"{repo}#7", by=ENGINEER, now=utcnow()
    )
    sandbox.register_webhook("github", f"{bridge.url}/webhooks/github")
    control = f"{sandbox.urls['github']}/_sandbox/repos/{repo}"

    pull = requests.post(
        f"{control}/pulls",
        json={"title": "Orders sync", "head": "fix-sync", "body": "Fixes #7 on release/4.2"},
        timeout=10,
    ).json()
    requests.post(f"{control}/pulls/{pull['number']}/merge", json={}, timeout=10)
    bridge.settle()

    comments = sandbox.zendesk.tickets[ticket].comments
    assert not [c for c in comments if c.public and "available in" in c.body]
    assert any("Fixed in code" in c.body for c in comments if not c.public)

    requests.post(
        f"{control}/releases", json={"tag_name": "v4.2.1", "body": "Fixed: #7"}, timeout=10
    )
    bridge.settle()

    [notice] = [c.body for c in comments if c.public and "available in" in c.body]
    assert f"available in {repo} release v4.2.1" in notice
    with bridge.runtime.sessions() as session:
        row = session.get(tables.Escalation, escalation_id)
        assert row is not None and row.state == "awaiting_customer"


def post_github(bridge: Bridge, sandbox: Sandbox, event: str, payload: dict) -> None:
    """A delivery signed as GitHub signs it, as a developer's action sends it."""
    body = json.dumps(payload).encode()
    secret = sandbox.webhook_secrets["github"]
    answer = requests.post(
        f"{bridge.url}/webhooks/github",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": str(uuid.uuid4()),
            "X-Hub-Signature-256": github_signature_256(secret, body),
        },
        timeout=10,
    )
    assert answer.status_code == 202, answer.text


def test_closing_the_milestone_that_holds_the_ar_is_a_ship_signal(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    ticket, escalation_id, _ = escalated_with_ar(bridge, sandbox)
    repo = sandbox.credentials["github"]["repo"]
    bridge.runtime.services.shipped.join_ar(
        escalation_id, system="github", key=f"{repo}#7", by=ENGINEER, now=utcnow()
    )
    milestone = {"number": 3, "title": "4.2.1", "state": "open"}
    developer = {"login": "dana-dev"}
    post_github(
        bridge,
        sandbox,
        "issues",
        {
            "action": "milestoned",
            "issue": {"number": 7, "milestone": milestone, "updated_at": "2026-11-23T10:00:00Z"},
            "milestone": milestone,
            "repository": {"full_name": repo},
            "sender": developer,
        },
    )
    post_github(
        bridge,
        sandbox,
        "milestone",
        {
            "action": "closed",
            "milestone": milestone | {"state": "closed", "closed_at": "2026-11-23T11:00:00Z"},
            "repository": {"full_name": repo},
            "sender": developer,
        },
    )
    bridge.settle()

    notes = [c.body for c in sandbox.zendesk.tickets[ticket].comments if not c.public]
    assert any(f"Fixed in code: {repo} milestone 4.2.1" in note for note in notes)
