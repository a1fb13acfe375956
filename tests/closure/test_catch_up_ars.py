"""Nothing missed while down, development's side: what a developer said or did on an AR while
the bridge heard no webhooks reaches support through catch-up, once, and the late webhook of
the same change (or a catch-up after the webhook did arrive) adds nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bridge.jobs.clock import utcnow
from sandbox import Sandbox

from ..helpers import inbox_rows
from .sandboxed import Bridge, Developer, served_bridge
from .story import ENGINEER
from .test_ar_speaks import notes
from .test_end_to_end import escalated_with_ar, thread

SAID = "Root cause found in the export batcher"


@pytest.fixture
def bridge(
    sandbox: Sandbox, isolated_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Bridge]:
    vendors = ("jira", "slack", "zendesk", "github")
    with served_bridge(sandbox, isolated_settings, monkeypatch, vendors=vendors) as served:
        yield served


def bridge_down(vendor_url: str) -> None:
    """Every webhook of this vendor from now on is lost, as while the bridge is stopped."""
    answer = requests.post(
        f"{vendor_url}/_sandbox/webhooks/faults", json={"kind": "drop", "times": 100}, timeout=10
    )
    assert answer.status_code == 204


def late_webhooks(vendor_url: str) -> list[str]:
    """The vendor's lost deliveries arrive after all, as they were signed: their answers."""
    return [status for _, status in late_deliveries(vendor_url)]


def late_deliveries(vendor_url: str) -> list[tuple[str, str]]:
    """(body, answer) of each of the vendor's lost deliveries, arriving after all."""
    requests.delete(f"{vendor_url}/_sandbox/faults", timeout=10)
    deliveries = requests.get(f"{vendor_url}/_sandbox/webhooks/deliveries", timeout=10).json()
    answers = []
    for lost in [d for d in deliveries if d["dropped"]]:
        answer = requests.post(
            lost["url"], data=lost["body"].encode(), headers=lost["headers"], timeout=10
        )
        answers.append((str(lost["body"]), str(answer.json().get("status"))))
    return answers


def stored(bridge: Bridge, source: str) -> int:
    """How many deliveries of ``source`` the inbox holds."""
    return len([row for row in inbox_rows(bridge.runtime) if row.source == source])


def heard(sandbox: Sandbox, ticket: int) -> tuple[int, int, int]:
    """(internal notes of the comment, of the status change, thread replies of either)."""
    internal, _ = notes(sandbox, ticket)
    comment = len([n for n in internal if "commented on" in n and SAID in n])
    status = len([n for n in internal if "status of" in n and "In Progress" in n])
    replies = [t for t in thread(sandbox) if SAID in t or "*In Progress*" in t]
    return comment, status, len(replies)


def develop(sandbox: Sandbox, ar: str) -> None:
    """A developer comments on the AR and starts work on it."""
    developer = Developer(sandbox)
    developer.jira.add_comment(ar, SAID)
    requests.post(
        f"{developer.url}/_sandbox/issues/{ar}/transition", json={"to": "In Progress"}, timeout=10
    )


def test_a_jira_comment_and_status_change_made_while_down_are_heard_once(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    ticket, escalation_id, ar = escalated_with_ar(bridge, sandbox)
    deleted = (
        Developer(sandbox)
        .jira.create_issue(project="DEV", summary="Filed twice", issuetype={"name": "Bug"})
        .key
    )
    bridge.runtime.services.shipped.join_ar(
        escalation_id, system="jira", key=deleted, by=ENGINEER, now=utcnow()
    )
    bridge.settle()
    del sandbox.jira.world.issues[deleted]  # deleted in Jira: a search naming it is refused
    bridge.runtime.services.catch_up.run(utcnow())  # the bridge started
    jira = sandbox.urls["jira"]
    bridge_down(jira)
    develop(sandbox, ar)
    bridge.settle()
    assert heard(sandbox, ticket) == (0, 0, 0)

    assert bridge.runtime.services.catch_up.run(utcnow()) >= 2
    bridge.settle()
    assert heard(sandbox, ticket) == (1, 1, 2)

    answers = late_webhooks(jira)
    assert "duplicate" in answers and "accepted" not in answers
    bridge.runtime.services.catch_up.run(utcnow())
    bridge.settle()
    assert heard(sandbox, ticket) == (1, 1, 2)


def test_a_jira_change_whose_webhook_arrived_is_not_heard_again_through_catch_up(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    ticket, _, ar = escalated_with_ar(bridge, sandbox)
    bridge.runtime.services.catch_up.run(utcnow())
    develop(sandbox, ar)
    bridge.settle()
    assert heard(sandbox, ticket) == (1, 1, 2)
    delivered = stored(bridge, "jira")

    bridge.runtime.services.catch_up.run(utcnow())
    bridge.settle()
    assert stored(bridge, "jira") == delivered
    assert heard(sandbox, ticket) == (1, 1, 2)
