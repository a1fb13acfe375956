"""GitHub through the sandbox: a merged pull request is "fixed in code" (support hears of it),
the published release is "fix available" (the customer hears of it)."""

from __future__ import annotations

import requests

from bridge.runtime import utcnow
from bridge.services.shipped import join_ar
from bridge.store import tables
from sandbox import Sandbox

from .sandboxed import Bridge
from .story import ENGINEER
from .test_end_to_end import escalated_with_ar


def test_a_merged_pr_tells_support_and_the_release_tells_the_customer(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    ticket, escalation_id, _ = escalated_with_ar(bridge, sandbox)
    repo = sandbox.credentials["github"]["repo"]
    join_ar(
        bridge.runtime, escalation_id, system="github", key=f"{repo}#7", by=ENGINEER, now=utcnow()
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
