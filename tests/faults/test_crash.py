"""A worker process killed (SIGKILL) after the vendor did the work and before the outbox row was
finished: once its lease runs out, a new worker performs the row again and the vendor still
holds exactly one issue, one Slack message, one helpdesk comment.

The sandbox's ``hold`` fault lets the request take effect and holds its answer, so the kill
lands in that window: the vendor has the write, the bridge has not heard of it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bridge.connectors import helpdesk
from bridge.jobs.clock import utcnow
from bridge.runtime import Runtime
from bridge.services import effects
from bridge.store.outbox import SideEffect
from bridge.store.tables import OutboxRow
from sandbox import Sandbox
from sandbox.core.faults import Fault
from sandbox.runner import DEFAULT_CHANNEL, DEFAULT_REPO
from tests.faults.processes import BridgeProcess, expire_leases, wait_until

HELD = 120.0  # seconds the vendor holds its answer: far longer than the test needs
NOTE = "Escalated: escalation crash-1 is open for this ticket."


@dataclass(frozen=True)
class Case:
    """One kind of side effect: what the vendor is asked, and how many of it the vendor holds."""

    vendor: str
    route: str
    effect: Callable[[Sandbox], SideEffect]
    count: Callable[[Sandbox], int]


def _record_spec() -> dict[str, Any]:
    return {"summary": "Exports time out (crash-1)", "facts": {"Customer": "ACME"}}


def _jira_issues(sandbox: Sandbox) -> int:
    issues = sandbox.jira.snapshot()["issues"]
    return sum("(crash-1)" in issue["fields"]["summary"] for issue in issues)


def _github_issues(sandbox: Sandbox) -> int:
    issues = sandbox.github.snapshot()[DEFAULT_REPO]["issues"]
    return sum("(crash-1)" in issue["title"] for issue in issues)


def _slack_messages(sandbox: Sandbox) -> int:
    key = "chat:crash-1:head:opened"
    messages = sandbox.slack.world.in_channel(DEFAULT_CHANNEL)
    return sum(((m.metadata or {}).get("event_payload") or {}).get("key") == key for m in messages)


def _zendesk_ticket(sandbox: Sandbox) -> int:
    return min(sandbox.zendesk.tickets)


def _zendesk_notes(sandbox: Sandbox) -> int:
    ticket = sandbox.zendesk.tickets[_zendesk_ticket(sandbox)]
    return sum(c.body == helpdesk.signed(NOTE) for c in ticket.comments)


def _freshdesk_ticket(sandbox: Sandbox) -> int:
    return min(sandbox.freshdesk.tickets)


def _freshdesk_replies(sandbox: Sandbox) -> int:
    ticket = sandbox.freshdesk.tickets[_freshdesk_ticket(sandbox)]
    return sum(c.body == NOTE for c in ticket.conversations)


CASES = {
    "jira-issue": Case(
        "jira",
        "POST /rest/api/2/issue",
        lambda _: effects.tracker_record("jira", "crash-1", "spar", spec=_record_spec()),
        _jira_issues,
    ),
    "github-issue": Case(
        "github",
        f"POST /repos/{DEFAULT_REPO}/issues",
        lambda _: effects.tracker_record("github", "crash-1", "ar", spec=_record_spec()),
        _github_issues,
    ),
    "slack-post": Case(
        "slack",
        "POST /api/chat.postMessage",
        lambda _: effects.escalation_message(
            "crash-1", "opened", channel=DEFAULT_CHANNEL, summary={"ticket": "4711"}
        ),
        _slack_messages,
    ),
    "zendesk-note": Case(
        "zendesk",
        "PUT /api/v2/tickets/*",
        lambda sb: effects.helpdesk_note("zendesk", str(_zendesk_ticket(sb)), "crash", text=NOTE),
        _zendesk_notes,
    ),
    "freshdesk-reply": Case(
        "freshdesk",
        "POST /api/v2/tickets/*/reply",
        lambda sb: effects.helpdesk_note(
            "freshdesk", str(_freshdesk_ticket(sb)), "crash", text=NOTE, public=True
        ),
        _freshdesk_replies,
    ),
}


@pytest.fixture
def workers(isolated_settings: Path, env: dict[str, str]) -> Iterator[Callable[[], BridgeProcess]]:
    started: list[BridgeProcess] = []

    def start() -> BridgeProcess:
        name = f"worker-{len(started) + 1}"
        process = BridgeProcess(name, ["worker", "--threads", "1"], env, isolated_settings)
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


def _row(runtime: Runtime, key: str) -> OutboxRow:
    with runtime.sessions() as session:
        row = session.scalars(select(OutboxRow).where(OutboxRow.idempotency_key == key)).one()
        session.expunge(row)
        return row


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_worker_killed_after_the_vendor_acted_leaves_one_write_once_the_row_is_redone(
    case: Case,
    sandbox: Sandbox,
    runtime: Runtime,
    workers: Callable[[], BridgeProcess],
) -> None:
    vendor = sandbox.vendors[case.vendor]
    vendor.faults.add(Fault(route=case.route, hold=HELD, times=1))
    first = workers()
    effect = case.effect(sandbox)
    with runtime.sessions.begin() as session:  # enqueued for the worker when this commits
        runtime.outbox.add(session, effect, utcnow())

    wait_until(lambda: case.count(sandbox) == 1, f"{case.vendor} has the write", [first])
    first.kill()  # the vendor acted; the worker never heard its answer
    assert _row(runtime, effect.idempotency_key).status == "in_flight"

    assert expire_leases(runtime, first) == 1
    sandbox.reset_faults()
    second = workers()  # it re-drives what the dead worker left, as it starts
    wait_until(
        lambda: _row(runtime, effect.idempotency_key).status not in ("in_flight", "pending"),
        "the side effect is finished",
        [first, second],
    )

    row = _row(runtime, effect.idempotency_key)
    assert (row.status, row.attempts, row.last_error) == ("done", 2, None)
    assert case.count(sandbox) == 1, f"{case.vendor} holds the write more than once"
    assert "resumed 0 delivery(ies) and 1 side effect(s)" in second.output()
