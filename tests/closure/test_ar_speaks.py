"""Development speaks back: a developer's comment or resolution on the AR reaches support (the
Slack thread, an internal note on the ticket, the timeline), through the sandbox's trackers and
their signed webhooks; the bridge's own writes on the AR never come back as news."""

from __future__ import annotations

import requests
from sqlalchemy import select

from bridge.jobs.clock import utcnow
from bridge.services import effects
from bridge.store import tables
from sandbox import Sandbox

from .sandboxed import Bridge, Developer
from .story import ENGINEER
from .test_end_to_end import escalated_with_ar, thread
from .test_github_signals import post_github

HOSTILE = "Root cause found <!channel> see <https://evil.example|the docs> & retry"


def notes(sandbox: Sandbox, ticket: int) -> tuple[list[str], list[str]]:
    """(internal notes, public replies) on the Zendesk ticket."""
    comments = sandbox.zendesk.tickets[ticket].comments
    return [c.body for c in comments if not c.public], [c.body for c in comments if c.public]


def timeline(bridge: Bridge, escalation_id: int) -> list[tuple[str, str]]:
    with bridge.runtime.sessions() as session:
        rows = session.execute(
            select(tables.AuditEvent.step, tables.AuditEvent.note)
            .where(
                tables.AuditEvent.record_type == "escalation",
                tables.AuditEvent.record_id == str(escalation_id),
            )
            .order_by(tables.AuditEvent.id)
        )
        return [(step, note) for step, note in rows]


def test_a_developer_comment_on_the_jira_ar_is_heard_once_and_our_own_comment_not_at_all(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    ticket, escalation_id, ar = escalated_with_ar(bridge, sandbox)
    with bridge.runtime.sessions.begin() as session:
        ours = effects.tracker_comment("jira", ar, "test", text="Support asks: any news?")
        bridge.runtime.outbox.plan(session, [ours], utcnow())
    bridge.settle()  # our comment's webhook comes back to the bridge

    Developer(sandbox).jira.add_comment(ar, HOSTILE)
    bridge.settle()

    internal, public = notes(sandbox, ticket)
    heard = [note for note in internal if "commented on" in note]
    assert len(heard) == 1 and HOSTILE in heard[0]
    assert not [reply for reply in public if "Root cause" in reply]
    [reply] = [text for text in thread(sandbox) if "commented on" in text]
    assert "&lt;!channel&gt;" in reply and "<!channel>" not in reply
    assert "&lt;https://evil.example|the docs&gt; &amp; retry" in reply
    assert [step for step, note in timeline(bridge, escalation_id) if HOSTILE in note] == [
        "ar_comment"
    ]


def test_a_jira_ar_resolved_wont_do_flags_the_plan_for_renegotiation(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    ticket, escalation_id, ar = escalated_with_ar(bridge, sandbox)

    requests.post(
        f"{sandbox.urls['jira']}/_sandbox/issues/{ar}/transition",
        json={"to": "Done", "resolution": "Won't Do"},
        timeout=10,
    )
    bridge.settle()

    [flag] = [text for text in thread(sandbox) if "needs renegotiating" in text]
    assert f"jira:{ar}" in flag and "Won't Do" in flag
    internal, public = notes(sandbox, ticket)
    assert any("resolved" in note and "Won't Do" in note for note in internal)
    assert not [reply for reply in public if "Won't Do" in reply]
    steps = [step for step, _ in timeline(bridge, escalation_id)]
    assert "plan_needs_renegotiation" in steps and "ar_status" in steps
    with bridge.runtime.sessions() as session:
        row = session.get(tables.Escalation, escalation_id)
        assert row is not None and row.state == "plan_accepted"  # flagged, not moved


def test_a_github_comment_and_a_close_as_not_planned_reach_support(
    bridge: Bridge, sandbox: Sandbox
) -> None:
    ticket, escalation_id, _ = escalated_with_ar(bridge, sandbox)
    repo = sandbox.credentials["github"]["repo"]
    bridge.runtime.services.shipped.join_ar(
        escalation_id, system="github", key=f"{repo}#7", by=ENGINEER, now=utcnow()
    )
    issue = {"number": 7, "updated_at": "2026-11-23T10:00:00Z", "labels": []}
    developer = {"login": "dana-dev"}
    comment = {"id": 901, "body": HOSTILE, "user": developer}
    said = {"action": "created", "issue": issue, "comment": comment, "sender": developer}
    post_github(bridge, sandbox, "issue_comment", said | {"repository": {"full_name": repo}})
    closed = issue | {"state": "closed", "state_reason": "not_planned"}
    closed |= {"closed_at": "2026-11-23T11:00:00Z"}
    post_github(
        bridge,
        sandbox,
        "issues",
        {"action": "closed", "issue": closed, "sender": developer}
        | {"repository": {"full_name": repo}},
    )
    bridge.settle()

    internal, _ = notes(sandbox, ticket)
    assert len([note for note in internal if "commented on" in note]) == 1
    assert any("dana-dev resolved" in note and "Not planned" in note for note in internal)
    replies = thread(sandbox)
    assert any("needs renegotiating" in text and f"{repo}#7" in text for text in replies)
    steps = [step for step, _ in timeline(bridge, escalation_id)]
    assert steps.count("ar_comment") == 1 and "plan_needs_renegotiation" in steps
