"""Nothing missed while down: a release published while the bridge heard no webhooks reaches
the waiting customer through catch-up, once, however often catch-up runs and whether or not
the webhook turns up late as well."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from bridge.jobs.clock import utcnow
from bridge.store import tables
from sandbox import Sandbox
from sandbox.core.signing import github_signature_256

from ..services.conftest import add_ticket
from .sandboxed import Bridge, Developer, served_bridge
from .story import ENGINEER, escalate_to_accepted_plan
from .test_end_to_end import escalated_with_ar


@pytest.fixture
def bridge(
    sandbox: Sandbox, isolated_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Bridge]:
    """The closure bridge with the GitHub connector configured too, so it can ask GitHub."""
    vendors = ("jira", "slack", "zendesk", "github")
    with served_bridge(sandbox, isolated_settings, monkeypatch, vendors=vendors) as served:
        yield served


def _waiting_on_issue_7(bridge: Bridge, sandbox: Sandbox) -> tuple[list[int], str, str]:
    """Three customers' tickets escalated and waiting on the repository's issue #7; catch-up
    has run once (the bridge started) and the webhooks are registered: (tickets, repo,
    control url)."""
    ticket, escalation_id, _ = escalated_with_ar(bridge, sandbox)
    repo = sandbox.credentials["github"]["repo"]
    shipped = bridge.runtime.services.shipped
    shipped.join_ar(escalation_id, system="github", key=f"{repo}#7", by=ENGINEER, now=utcnow())
    tickets = [ticket]
    for subject in ("Exports stop at 99%", "Orders sync twice"):
        other = sandbox.zendesk.seed_ticket(subject, "Same as the others.").id
        add_ticket(bridge.runtime, str(other))
        joining = escalate_to_accepted_plan(bridge.runtime, str(other), utcnow())
        shipped.join_ar(joining, system="github", key=f"{repo}#7", by=ENGINEER, now=utcnow())
        tickets.append(other)
    bridge.runtime.services.catch_up.run(utcnow())
    sandbox.register_webhook("github", f"{bridge.url}/webhooks/github")
    bridge.settle()
    return tickets, repo, f"{sandbox.urls['github']}/_sandbox"


def _notices(sandbox: Sandbox, ticket: int) -> list[str]:
    comments = sandbox.zendesk.tickets[ticket].comments
    return [c.body for c in comments if c.public and "available in" in c.body]


def _bridge_down(control: str) -> None:
    """Every webhook from now on is lost, as while the bridge is stopped."""
    answer = requests.post(
        f"{control}/webhooks/faults", json={"kind": "drop", "times": 100}, timeout=10
    )
    assert answer.status_code == 204


def _publish(control: str, repo: str) -> dict:
    made = requests.post(
        f"{control}/repos/{repo}/releases",
        json={"tag_name": "v4.2.1", "body": "Fixed: #7"},
        timeout=10,
    )
    requests.post(f"{control}/webhooks/flush", timeout=10)
    return dict(made.json())


def _late_webhook(bridge: Bridge, sandbox: Sandbox, repo: str, release: dict) -> dict:
    """GitHub's own delivery of the release, arriving after catch-up found it: its own
    delivery id, signed as GitHub signs it."""
    payload = {"action": "published", "release": release, "repository": {"full_name": repo}}
    body = json.dumps(payload).encode()
    answer = requests.post(
        f"{bridge.url}/webhooks/github",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-GitHub-Event": "release",
            "X-GitHub-Delivery": str(uuid.uuid4()),
            "X-Hub-Signature-256": github_signature_256(sandbox.webhook_secrets["github"], body),
        },
        timeout=10,
    )
    return dict(answer.json())


def _release_rows(bridge: Bridge) -> int:
    with bridge.runtime.sessions() as session:
        rows = session.scalars(
            select(tables.InboxRow.id).where(tables.InboxRow.event_type == "release.published")
        )
        return len(list(rows))


def test_a_release_published_while_down_reaches_the_customer_once_through_catch_up(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    tickets, repo, control = _waiting_on_issue_7(bridge, sandbox)
    _bridge_down(control)
    release = _publish(control, repo)
    bridge.settle()
    assert [_notices(sandbox, ticket) for ticket in tickets] == [[], [], []]

    bridge.runtime.services.catch_up.run(utcnow())
    bridge.settle()
    for ticket in tickets:
        [notice] = _notices(sandbox, ticket)
        assert f"available in {repo} release v4.2.1" in notice

    bridge.runtime.services.catch_up.run(utcnow())  # the next scheduled run
    assert _late_webhook(bridge, sandbox, repo, release)["status"] == "duplicate"
    bridge.settle()
    assert [len(_notices(sandbox, ticket)) for ticket in tickets] == [1, 1, 1]
    assert _release_rows(bridge) == 1


def test_a_release_whose_webhook_arrived_is_not_acted_on_again_by_catch_up(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    tickets, repo, control = _waiting_on_issue_7(bridge, sandbox)
    _publish(control, repo)
    bridge.settle()
    assert [len(_notices(sandbox, ticket)) for ticket in tickets] == [1, 1, 1]

    bridge.runtime.services.catch_up.run(utcnow())
    bridge.settle()
    assert [len(_notices(sandbox, ticket)) for ticket in tickets] == [1, 1, 1]
    assert _release_rows(bridge) == 1


def test_a_pr_merged_while_down_is_found_on_the_schedule_not_before(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    [ticket, *_], repo, control = _waiting_on_issue_7(bridge, sandbox)
    _bridge_down(control)
    pull = requests.post(
        f"{control}/repos/{repo}/pulls",
        json={"title": "Orders sync", "head": "fix-sync", "body": "Fixes #7"},
        timeout=10,
    ).json()
    requests.post(f"{control}/repos/{repo}/pulls/{pull['number']}/merge", json={}, timeout=10)
    bridge.settle()

    def support_heard() -> int:
        comments = sandbox.zendesk.tickets[ticket].comments
        return len([c for c in comments if not c.public and "Fixed in code" in c.body])

    assert support_heard() == 0
    catch_up = bridge.runtime.services.catch_up
    catch_up.tick(utcnow() + dt.timedelta(minutes=1))  # the minute hook, before it is due
    bridge.settle()
    assert support_heard() == 0
    catch_up.tick(utcnow() + dt.timedelta(minutes=15))  # bridge.example.yaml's default
    bridge.settle()
    assert support_heard() == 1
    catch_up.tick(utcnow() + dt.timedelta(minutes=30))
    bridge.settle()
    assert support_heard() == 1


def test_a_jira_version_released_while_down_reaches_the_customer_once(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    ticket, _, ar = escalated_with_ar(bridge, sandbox)
    bridge.runtime.services.catch_up.run(utcnow())  # the bridge started
    developer = Developer(sandbox)
    version = developer.jira.create_version("4.2.1", project="DEV")
    developer.jira.issue(ar).update(fields={"fixVersions": [{"name": "4.2.1"}]})
    requests.post(f"{developer.url}/_sandbox/webhooks/flush", timeout=10)
    bridge.settle()  # the bridge knows the AR's fix version

    _bridge_down(f"{developer.url}/_sandbox")
    requests.post(f"{developer.url}/_sandbox/versions/{version.id}/release", timeout=10)
    bridge.settle()
    assert _version_notices(sandbox, ticket) == 0

    bridge.runtime.services.catch_up.run(utcnow())
    bridge.settle()
    assert _version_notices(sandbox, ticket) == 1
    bridge.runtime.services.catch_up.run(utcnow())
    bridge.settle()
    assert _version_notices(sandbox, ticket) == 1


def _version_notices(sandbox: Sandbox, ticket: int) -> int:
    comments = sandbox.zendesk.tickets[ticket].comments
    return len([c for c in comments if c.public and "available in version 4.2.1" in c.body])


def test_a_catch_up_that_github_refused_is_asked_again_from_the_same_point(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    [ticket, *_], repo, control = _waiting_on_issue_7(bridge, sandbox)
    _bridge_down(control)
    _publish(control, repo)
    failing = {"route": "GET /repos/*/releases", "status": 503, "times": 10}
    assert requests.post(f"{control}/faults", json=failing, timeout=10).ok

    later = utcnow() + dt.timedelta(minutes=15)
    bridge.runtime.services.catch_up.tick(later)  # GitHub answers 503
    bridge.settle()
    assert _notices(sandbox, ticket) == []

    requests.delete(f"{control}/faults", timeout=10)  # GitHub is back
    bridge.runtime.services.catch_up.tick(later + dt.timedelta(minutes=15))
    bridge.settle()
    assert len(_notices(sandbox, ticket)) == 1
