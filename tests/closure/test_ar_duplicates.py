"""A duplicate moves the waiting customers to the surviving issue: its waiting list shows them,
their thread and timeline say so, and the surviving issue's ship signal tells them."""

from __future__ import annotations

import requests
from sqlalchemy import select

from bridge.jobs.clock import utcnow
from bridge.store import tables
from sandbox import Sandbox

from ..services.conftest import add_ticket
from .sandboxed import Bridge, Developer
from .story import ENGINEER, escalate_to_accepted_plan
from .test_ar_speaks import timeline
from .test_end_to_end import answer_link, escalated_with_ar, state, thread, waiting_lists


def waiting_on(bridge: Bridge) -> list[str]:
    with bridge.runtime.sessions() as session:
        return list(session.scalars(select(tables.ActionRequestLink.external_key)))


def replies(sandbox: Sandbox) -> list[str]:
    """Every thread reply in the channel, whichever escalation's thread it is in."""
    messages = sandbox.slack.world.in_channel(sandbox.credentials["slack"]["channel"])
    return [m.text for m in messages if m.thread_ts is not None]


def test_a_jira_ar_resolved_as_duplicate_moves_its_customers_to_the_surviving_issue(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    ticket, escalation_id, ar = escalated_with_ar(bridge, sandbox)
    developer = Developer(sandbox)
    survivor = developer.jira.create_issue(
        project="DEV", summary="Orders lost on sync", issuetype={"name": "Bug"}
    ).key

    requests.post(
        f"{sandbox.urls['jira']}/_sandbox/issues/{ar}/transition",
        json={"to": "Done", "resolution": "Duplicate", "duplicates": survivor},
        timeout=10,
    )
    bridge.settle()

    assert waiting_on(bridge) == [survivor]
    replies = thread(sandbox)
    expected = f"as a duplicate of jira:{survivor}: this ticket now waits on jira:{survivor}"
    assert any(expected in text for text in replies)
    assert not [text for text in replies if "needs renegotiating" in text]
    assert [step for step, note in timeline(bridge, escalation_id) if expected in note] == [
        "ar_duplicate"
    ]
    internal = [c.body for c in sandbox.zendesk.tickets[ticket].comments if not c.public]
    assert any(expected in note for note in internal)
    [listed] = waiting_lists(sandbox, survivor)
    assert f"|zendesk:{ticket} " in listed
    [emptied] = waiting_lists(sandbox, ar)[-1:]
    assert f"|zendesk:{ticket} " not in emptied

    developer.release(survivor, "4.5.0")
    bridge.settle()

    assert state(bridge, escalation_id)[0] == "awaiting_customer"
    assert answer_link(sandbox, ticket, "4.5.0", "Accept")


def test_a_duplicate_without_a_surviving_issue_is_flagged_until_one_is_linked(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    _ticket, escalation_id, ar = escalated_with_ar(bridge, sandbox)

    requests.post(
        f"{sandbox.urls['jira']}/_sandbox/issues/{ar}/transition",
        json={"to": "Done", "resolution": "Duplicate"},
        timeout=10,
    )
    bridge.settle()

    assert waiting_on(bridge) == [ar]
    [flag] = [text for text in thread(sandbox) if "needs renegotiating" in text]
    assert 'The waiting customers stay on it: it has no single "duplicates" link' in flag
    assert "plan_needs_renegotiation" in [step for step, _ in timeline(bridge, escalation_id)]

    # Linked to the surviving issue afterwards: the customers move then.
    survivor = (
        Developer(sandbox)
        .jira.create_issue(project="DEV", summary="Orders lost", issuetype={"name": "Bug"})
        .key
    )
    requests.post(
        f"{sandbox.urls['jira']}/_sandbox/issues/{ar}/link",
        json={"duplicates": survivor},
        timeout=10,
    )
    bridge.settle()
    assert waiting_on(bridge) == [survivor]
    assert any(f"this ticket now waits on jira:{survivor}" in text for text in thread(sandbox))


def test_a_github_ar_closed_as_duplicate_moves_its_customers_whichever_comes_first(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    """ "Duplicate of #N" before the close, or after it: either way the customers move."""
    ticket, escalation_id, _ = escalated_with_ar(bridge, sandbox)
    repo = sandbox.credentials["github"]["repo"]
    sandbox.register_webhook("github", f"{bridge.url}/webhooks/github")
    control = f"{sandbox.urls['github']}/_sandbox/repos/{repo}"

    def opened(title: str) -> int:
        made = requests.post(f"{control}/issues", json={"title": title}, timeout=10)
        return int(made.json()["number"])

    first, second, survivor = opened("Sync loses orders"), opened("Orders gone"), opened("Sync")
    other = sandbox.zendesk.seed_ticket("Orders gone", "Same here.").id
    add_ticket(bridge.runtime, str(other))
    joining = escalate_to_accepted_plan(bridge.runtime, str(other), utcnow())
    shipped = bridge.runtime.services.shipped
    shipped.join_ar(
        escalation_id, system="github", key=f"{repo}#{first}", by=ENGINEER, now=utcnow()
    )
    shipped.join_ar(joining, system="github", key=f"{repo}#{second}", by=ENGINEER, now=utcnow())
    bridge.settle()

    # The comment first, then "Close as duplicate".
    requests.post(
        f"{control}/issues/{first}/comments", json={"body": f"Duplicate of #{survivor}"}, timeout=10
    )
    requests.post(
        f"{control}/issues/{first}/close",
        json={"reason": "duplicate", "duplicate_of": survivor},
        timeout=10,
    )
    # Closed as duplicate first: flagged, until the comment names the surviving issue.
    requests.post(f"{control}/issues/{second}/close", json={"reason": "duplicate"}, timeout=10)
    bridge.settle()
    github = [key for key in waiting_on(bridge) if key.startswith(repo)]
    assert sorted(github) == sorted([f"{repo}#{survivor}", f"{repo}#{second}"])
    flagged = 'The waiting customers stay on it: no "Duplicate of #N" comment on it'
    assert any(flagged in text for text in replies(sandbox))
    requests.post(
        f"{control}/issues/{second}/comments",
        json={"body": f"Duplicate of #{survivor}"},
        timeout=10,
    )
    bridge.settle()

    assert [key for key in waiting_on(bridge) if key.startswith(repo)] == [
        f"{repo}#{survivor}",
        f"{repo}#{survivor}",
    ]
    moved = f"this ticket now waits on github:{repo}#{survivor}"
    assert any(moved in text for text in replies(sandbox))
    assert moved in "".join(note for _, note in timeline(bridge, joining))

    requests.post(
        f"{control}/releases",
        json={"tag_name": "v4.6.0", "body": f"Fixed: #{survivor}"},
        timeout=10,
    )
    bridge.settle()

    for customer in (ticket, other):
        comments = sandbox.zendesk.tickets[customer].comments
        assert [c for c in comments if c.public and "release v4.6.0" in c.body]
