"""An AR keeps its waiting customers when it moves: the bridge follows the tracker's immutable
id of the issue (Jira's issue id, GitHub's issue id), whatever key the issue has now."""

from __future__ import annotations

import json

import requests
from sqlalchemy import select

from bridge.jobs.clock import utcnow
from bridge.store import tables
from sandbox import Sandbox

from .sandboxed import Bridge, Developer
from .story import ENGINEER
from .test_ar_speaks import timeline
from .test_end_to_end import answer_link, escalated_with_ar, state, thread
from .test_github_signals import post_github


def head_message(sandbox: Sandbox) -> str:
    """The escalation's message in the channel, blocks and all, as Slack shows it."""
    messages = sandbox.slack.world.in_channel(sandbox.credentials["slack"]["channel"])
    [head] = [m for m in messages if m.thread_ts is None]
    return json.dumps(head.blocks)


def stored_keys(bridge: Bridge) -> tuple[list[tuple[str, str | None]], list[str]]:
    """(key and vendor id of each AR record, key of each link)."""
    with bridge.runtime.sessions() as session:
        records = session.execute(
            select(tables.ActionRequest.external_key, tables.ActionRequest.vendor_id).where(
                tables.ActionRequest.kind == "ar"
            )
        )
        links = session.scalars(select(tables.ActionRequestLink.external_key))
        return [(key, vendor_id) for key, vendor_id in records], list(links)


def test_an_ar_moved_to_another_jira_project_still_reaches_its_customers_when_it_ships(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    ticket, escalation_id, ar = escalated_with_ar(bridge, sandbox)
    issue = sandbox.jira.world.issue(ar)
    assert issue is not None
    assert stored_keys(bridge) == ([(ar, issue.id)], [ar])  # the id is kept from the start
    jira = sandbox.urls["jira"]
    requests.post(f"{jira}/_sandbox/projects", json={"key": "OPS"}, timeout=10)

    moved = requests.post(f"{jira}/_sandbox/issues/{ar}/move", json={"project": "OPS"}, timeout=10)
    new_key = moved.json()["key"]
    bridge.settle()

    assert new_key.startswith("OPS-") and new_key != ar
    assert stored_keys(bridge) == ([(new_key, issue.id)], [new_key])
    [said] = [text for text in thread(sandbox) if "moved" in text]
    assert said == f"AR jira:{ar} moved: it is now jira:{new_key}."
    assert ("ar_moved", f"AR jira:{ar} moved: it is now jira:{new_key}.") in timeline(
        bridge, escalation_id
    )
    with bridge.runtime.sessions() as session:
        url = session.scalars(select(tables.ActionRequest.url)).all()
    assert any(link and link.endswith(f"/browse/{new_key}") for link in url)
    assert f"/browse/{new_key}|{new_key}>" in head_message(sandbox)

    Developer(sandbox).release(new_key, "4.3.0", project="OPS")
    bridge.settle()

    assert state(bridge, escalation_id)[0] == "awaiting_customer"
    assert answer_link(sandbox, ticket, "4.3.0", "Accept")


def test_an_ar_linked_by_key_alone_learns_its_id_and_follows_a_move(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    """A link made before ids were kept (or by key, as "same problem" does) learns the id from
    the first event naming both, then follows the issue to its new key."""
    _ticket, escalation_id, ar = escalated_with_ar(bridge, sandbox)
    with bridge.runtime.sessions.begin() as session:
        for table in (tables.ActionRequest, tables.ActionRequestLink):
            for row in session.scalars(select(table)):
                row.vendor_id = None
    Developer(sandbox).jira.add_comment(ar, "Looking into it")
    bridge.settle()
    issue = sandbox.jira.world.issue(ar)
    assert issue is not None
    assert stored_keys(bridge)[0] == [(ar, issue.id)]

    jira = sandbox.urls["jira"]
    requests.post(f"{jira}/_sandbox/projects", json={"key": "OPS"}, timeout=10)
    requests.post(f"{jira}/_sandbox/issues/{ar}/move", json={"project": "OPS"}, timeout=10)
    bridge.settle()
    Developer(sandbox).jira.add_comment(issue.key, "Found it")
    bridge.settle()

    assert stored_keys(bridge)[1] == [issue.key]
    heard = [text for text in thread(sandbox) if "commented on" in text]
    assert any(f"jira:{issue.key}" in text and "Found it" in text for text in heard)
    assert escalation_id


def test_a_github_ar_whose_repository_was_renamed_is_found_by_its_issue_id(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    _ticket, escalation_id, _ = escalated_with_ar(bridge, sandbox)
    repo = sandbox.credentials["github"]["repo"]
    bridge.runtime.services.shipped.join_ar(
        escalation_id, system="github", key=f"{repo}#7", by=ENGINEER, now=utcnow()
    )
    issue = {"id": 70007, "number": 7, "updated_at": "2026-11-23T10:00:00Z", "labels": []}
    developer = {"login": "dana-dev"}
    comment = {"id": 901, "body": "On it", "user": developer}
    said = {"action": "created", "issue": issue, "comment": comment, "sender": developer}
    post_github(bridge, sandbox, "issue_comment", said | {"repository": {"full_name": repo}})
    bridge.settle()

    renamed = "acme/renamed-app"
    comment = {"id": 902, "body": "Fixed on main", "user": developer}
    said = {"action": "created", "issue": issue, "comment": comment, "sender": developer}
    post_github(bridge, sandbox, "issue_comment", said | {"repository": {"full_name": renamed}})
    bridge.settle()

    assert f"{renamed}#7" in stored_keys(bridge)[1]
    replies = thread(sandbox)
    assert f"AR github:{repo}#7 moved: it is now github:{renamed}#7." in replies
    assert any("Fixed on main" in text and f"{renamed}#7" in text for text in replies)
