"""The fix ships once; every customer waiting on the AR hears of it exactly once."""

from __future__ import annotations

import re
from typing import Any

from bridge.runtime import Runtime
from bridge.store.escalations import EscalationStore

from ..services.conftest import MONDAY_10AM, add_ticket
from .conftest import deliver, planned, state_of
from .story import WORKAROUND, escalate_to_accepted_plan, wait_on_ar

AR = "acme/app#12"


def merged_pr(number: int = 40, body: str = "Fixes #12 (orders sync)") -> dict[str, Any]:
    return {
        "action": "closed",
        "repository": {"full_name": "acme/app"},
        "pull_request": {"number": number, "merged": True, "title": "Sync fix", "body": body},
    }


def release(tag: str = "v4.2.1", notes: str = "Bug fixes: acme/app#12") -> dict[str, Any]:
    return {
        "action": "published",
        "repository": {"full_name": "acme/app"},
        "release": {"tag_name": tag, "name": tag, "body": notes},
    }


def three_customers_on_one_ar(runtime: Runtime) -> list[int]:
    ids = []
    for number in ("501", "502", "503"):
        add_ticket(runtime, number)
        ids.append(escalate_to_accepted_plan(runtime, number, MONDAY_10AM))
    wait_on_ar(runtime, ids, "github", AR, MONDAY_10AM)
    return ids


def resolution_replies(runtime: Runtime) -> dict[str, str]:
    return {
        row.payload["ticket"]: row.payload["text"]
        for row in planned(runtime, "public_reply")
        if "available in" in row.payload["text"]
    }


def test_fix_shipped_asks_every_linked_customer_to_accept(runtime: Runtime) -> None:
    ids = three_customers_on_one_ar(runtime)

    assert deliver(runtime, "github", "release.published", release()) == "done"

    replies = resolution_replies(runtime)
    assert set(replies) == {"501", "502", "503"}
    for ticket, text in replies.items():
        assert f"your ticket {ticket}" in text
        assert "acme/app release v4.2.1" in text
        assert WORKAROUND in text
        accept, broken = re.findall(r"(?:Accept|Still broken): (\S+)", text)
        assert accept.endswith("answer=accept") and broken.endswith("answer=still_broken")
    assert {state_of(runtime, i) for i in ids} == {"awaiting_customer"}


def test_duplicated_and_reordered_webhooks_send_one_notice_per_ticket(runtime: Runtime) -> None:
    three_customers_on_one_ar(runtime)

    deliver(runtime, "github", "release.published", release())
    deliver(runtime, "github", "release.published", release())
    deliver(runtime, "github", "pull_request.closed", merged_pr())  # arrives after the release
    deliver(runtime, "github", "release.published", release("v4.2.2", "Also acme/app#12"))

    texts = [row.payload["text"] for row in planned(runtime, "public_reply")]
    assert len([t for t in texts if "available in" in t]) == 3


def test_a_merged_pr_is_only_fixed_in_code_so_the_customer_waits_for_the_release(
    runtime: Runtime,
) -> None:
    [first, *_] = three_customers_on_one_ar(runtime)

    deliver(runtime, "github", "pull_request.closed", merged_pr(body="closes acme/app#12"))

    assert resolution_replies(runtime) == {}
    assert state_of(runtime, first) == "fix_shipped"
    notes = [row.payload["text"] for row in planned(runtime, "internal_note")]
    assert any("Fixed in code: acme/app PR #40" in text for text in notes)

    deliver(runtime, "github", "release.published", release())
    assert set(resolution_replies(runtime)) == {"501", "502", "503"}


def test_a_release_that_names_no_waiting_ar_changes_nothing(runtime: Runtime) -> None:
    [first, *_] = three_customers_on_one_ar(runtime)

    assert deliver(runtime, "github", "release.published", release(notes="see #99")) == "ignored"
    assert state_of(runtime, first) == "plan_accepted"


def test_jira_version_release_notifies_the_tickets_whose_ar_has_that_fix_version(
    runtime: Runtime,
) -> None:
    add_ticket(runtime, "601")
    escalation_id = escalate_to_accepted_plan(runtime, "601", MONDAY_10AM)
    with runtime.sessions.begin() as session:
        EscalationStore(session).link_record(
            escalation_id, None, "ar", {"system": "jira", "key": "DEV-7"}, MONDAY_10AM
        )
    in_progress = {"name": "In Progress", "statusCategory": {"key": "indeterminate"}}
    updated = {
        "webhookEvent": "jira:issue_updated",
        "issue": {
            "key": "DEV-7",
            "fields": {"status": in_progress, "fixVersions": [{"id": "10001", "name": "4.3"}]},
        },
    }
    assert deliver(runtime, "jira", "jira:issue_updated", updated) == "ignored"
    released = {
        "webhookEvent": "jira:version_released",
        "version": {"id": "10001", "name": "4.3", "projectId": 10000},
    }
    assert deliver(runtime, "jira", "jira:version_released", released) == "done"

    assert "available in version 4.3" in resolution_replies(runtime)["601"]


def test_an_issue_nobody_escalated_is_settled_without_touching_any_escalation(
    runtime: Runtime,
) -> None:
    """Most of a repository's issue traffic concerns no AR: its delivery is ignored and no
    escalation moves."""
    [first, *_] = three_customers_on_one_ar(runtime)
    closed = {"number": 5, "title": "4.2.1", "state": "closed"}
    unrelated = {
        "action": "milestoned",
        "repository": {"full_name": "acme/app"},
        "issue": {"number": 99, "milestone": closed},
    }
    assert deliver(runtime, "github", "issues.milestoned", unrelated) == "ignored"
    assert state_of(runtime, first) == "plan_accepted"
    assert resolution_replies(runtime) == {}

    # The same event for the AR the customers wait on is the milestone's close for them.
    waited_on = unrelated | {"issue": {"number": 12, "milestone": closed}}
    assert deliver(runtime, "github", "issues.milestoned", waited_on) == "done"
    assert state_of(runtime, first) == "fix_shipped"
