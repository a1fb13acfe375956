"""A vendor down for ten minutes while escalations keep arriving (issue 17, item 4).

The vendor answers every request 503 with ``Retry-After: 30`` for eight minutes, then 429 with
``Retry-After: 60`` for two more while it comes back. The job engine runs on a clock the test
owns (``bridge.jobs.clock.utcnow``): queued jobs run at once, and every minute of that clock the
sweep re-drives due rows, as the worker's minute task does. Nothing sleeps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from bridge.domain.enums import EntryPoint, ReasonCategory
from bridge.jobs import clock
from bridge.jobs.engine import sweep
from bridge.runtime import Runtime
from bridge.services.escalation.escalations import EscalationRequest
from bridge.store import tables
from sandbox import Sandbox
from sandbox.core.faults import Fault
from tests.closure.sandboxed import Developer, served_bridge
from tests.closure.story import ENGINEER, escalate_to_accepted_plan
from tests.services.conftest import add_ticket

MINUTE = dt.timedelta(minutes=1)
OUTAGE_MINUTES = 10
LIMITED_FROM_MINUTE = 8  # the last two minutes: 429 while Jira comes back
UNAVAILABLE = {"route": "*", "status": 503, "retry_after": 30}
LIMITED = {"route": "*", "status": 429, "retry_after": 60}


class EngineClock:
    """The time the job engine reads: frozen until the test moves it. It starts a minute ahead
    of the wall clock the services stamp new rows with, so a row planned now is due now."""

    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC) + MINUTE

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass(frozen=True)
class Attempt:
    """What an outbox row looked like between two steps of the worker."""

    status: str
    attempts: int
    next_attempt_at: dt.datetime


@dataclass
class Worker:
    """The worker, driven by hand: queued jobs run at once, the sweep runs once a minute."""

    runtime: Runtime
    clock: EngineClock
    retries_seen: int = 0

    def run_queued(self) -> None:
        huey = self.runtime.huey
        while (task := huey.dequeue()) is not None:
            huey.execute(task)

    def minute(self) -> None:
        self.clock.now += MINUTE
        sweep(self.runtime, self.clock.now)
        self.run_queued()

    def rows(self) -> dict[int, Attempt]:
        with self.runtime.sessions() as session:
            return {
                row.id: Attempt(row.status, row.attempts, row.next_attempt_at)
                for row in session.scalars(select(tables.OutboxRow))
            }

    def step(self, action: Callable[[], object], fault: Fault | None) -> None:
        """Run ``action`` (a callable) and check every retry it caused kept to the fault's
        Retry-After: no row tried before its time, none due again sooner than the vendor asked."""
        before = self.rows()
        action()
        now = self.clock.now  # the worker's time while it acted
        for row_id, after in self.rows().items():
            earlier = before.get(row_id)
            if earlier is None or after.attempts == earlier.attempts:
                continue
            assert earlier.next_attempt_at <= now, f"row {row_id} tried before it was due"
            assert after.status != "dead", f"row {row_id} became a dead letter during the outage"
            if fault is not None and after.status == "pending":
                wait = after.next_attempt_at - now
                assert wait >= dt.timedelta(seconds=fault.retry_after or 0), (row_id, wait)
                self.retries_seen += 1


@pytest.fixture
def test_clock(monkeypatch: pytest.MonkeyPatch) -> EngineClock:
    frozen = EngineClock()
    monkeypatch.setattr(clock, "utcnow", frozen)
    return frozen


@pytest.fixture
def worker(
    sandbox: Sandbox,
    test_clock: EngineClock,
    isolated_settings: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Worker]:
    """A bridge on SQLite wired to the sandbox's Jira, Slack and Zendesk, its webhooks served.
    The budgets of our own rate gate run on the real clock: widened so nothing waits on them."""
    wide = ("slack:channel", "jira:requests")
    with served_bridge(sandbox, isolated_settings, monkeypatch, ("jira",), wide) as served:
        yield Worker(served.runtime, test_clock)


def escalate(worker: Worker, sandbox: Sandbox) -> int:
    """A new Zendesk ticket escalated by support and its SPAR opened, as the Slack modal does."""
    ticket = sandbox.zendesk.seed_ticket("Orders fail to sync", "Since this morning.")
    runtime, now = worker.runtime, worker.clock.now
    add_ticket(runtime, str(ticket.id))
    escalation_id = runtime.services.escalations.request(
        EscalationRequest(
            str(ticket.id),
            ReasonCategory.DATA_LOSS,
            "orders lost",
            "U0ALICE001",
            EntryPoint.SLACK,
            "test",
        ),
        now,
    )
    runtime.services.spar.open_spar(escalation_id, by=ENGINEER, cause="test", now=now)
    worker.run_queued()
    return escalation_id


def outage(
    worker: Worker, sandbox: Sandbox, vendor: str, arrivals: Mapping[int, Callable[[], object]]
) -> dict[str, int]:
    """Ten minutes of ``vendor`` down; ``arrivals[m]`` runs at minute m. Returns the outbox's
    counts in the last minute of the outage."""
    faults = sandbox.vendors[vendor].faults
    fault = faults.add(Fault.from_dict(UNAVAILABLE))
    for minute in range(OUTAGE_MINUTES):
        if minute == LIMITED_FROM_MINUTE:
            faults.clear()
            fault = faults.add(Fault.from_dict(LIMITED))
        if minute in arrivals:
            worker.step(arrivals[minute], fault)
        if minute < OUTAGE_MINUTES - 1:
            worker.step(worker.minute, fault)
    during = worker.runtime.outbox.counts_by_status()
    faults.clear()
    return during


def drain(worker: Worker) -> int:
    """Minutes after recovery until no row is left to perform."""
    for minutes in range(1, 61):
        worker.step(worker.minute, None)
        counts = worker.runtime.outbox.counts_by_status()
        if set(counts) <= {"done", "dead"}:
            return minutes
    raise AssertionError(f"the outbox did not drain: {worker.runtime.outbox.counts_by_status()}")


def records(runtime: Runtime) -> dict[int, dict[str, str]]:
    """Each escalation's filed SPAR and AR keys."""
    with runtime.sessions() as session:
        linked: dict[int, dict[str, str]] = {}
        rows = session.execute(
            select(
                tables.ActionRequest.escalation_id,
                tables.ActionRequest.kind,
                tables.ActionRequest.external_key,
            )
        ).all()
        for escalation_id, kind, key in rows:
            linked.setdefault(escalation_id, {})[kind] = key
        return linked


def created_in_jira(sandbox: Sandbox) -> int:
    """Issues Jira says it created: each a POST /issue answered 201."""
    return sum(
        1
        for r in sandbox.jira.recorder.requests
        if r.method == "POST" and r.path.rstrip("/").endswith("/issue") and r.status == 201
    )


def test_escalations_during_a_ten_minute_jira_outage_are_all_filed_once_after_it(
    worker: Worker, sandbox: Sandbox
) -> None:
    arrivals = {minute: (lambda: escalate(worker, sandbox)) for minute in range(5)}

    during = outage(worker, sandbox, "jira", arrivals)

    # While Jira was down: the SPARs wait, none given up on, each retry paced by Jira's answer.
    assert during.get("dead", 0) == 0
    assert during.get("pending", 0) >= 5
    assert worker.retries_seen >= 20
    assert created_in_jira(sandbox) == 0
    minutes = drain(worker)

    assert worker.runtime.outbox.counts_by_status().get("dead", 0) == 0
    filed = records(worker.runtime)
    assert len(filed) == 5
    assert all(set(keys) == {"spar", "ar"} for keys in filed.values())
    world = sandbox.jira.world
    assert sorted(k for k in world.issues if k.startswith("SUP-")) == sorted(
        keys["spar"] for keys in filed.values()
    )
    assert len([k for k in world.issues if k.startswith("DEV-")]) == 5
    assert created_in_jira(sandbox) == 10  # every SPAR and AR exactly once
    messages = sandbox.slack.world.in_channel(sandbox.credentials["slack"]["channel"])
    assert len([m for m in messages if m.thread_ts is None]) == 5
    replies = [m.text for m in messages if m.thread_ts is not None]
    for keys in filed.values():
        assert sum(f"AR {keys['ar']} filed" in text for text in replies) == 1
        ar = world.issue(keys["ar"])
        assert ar is not None
        waiting = [c for c in ar.comments if "Tickets waiting on this AR" in c.body]
        assert len(waiting) == 1
    inbox = worker.runtime.inbox.counts_by_status()
    assert set(inbox) <= {"done", "ignored"}, inbox
    assert minutes <= 5  # on the test's clock: the backlog goes as soon as rows fall due


def notices(sandbox: Sandbox, ticket: int) -> list[str]:
    """The public replies telling the customer the fix is out."""
    comments = sandbox.zendesk.tickets[ticket].comments
    return [c.body for c in comments if c.public and "available in version 4.2.1" in c.body]


@pytest.mark.parametrize("down", ["jira", "zendesk"])
def test_a_release_webhook_during_an_outage_is_processed_at_once_and_the_customer_told_once(
    worker: Worker, sandbox: Sandbox, down: str
) -> None:
    runtime, now = worker.runtime, worker.clock.now
    ticket = sandbox.zendesk.seed_ticket("Orders fail to sync", "Since this morning.").id
    add_ticket(runtime, str(ticket))
    escalation_id = escalate_to_accepted_plan(runtime, str(ticket), now)
    runtime.services.spar.open_spar(escalation_id, by=ENGINEER, cause="test", now=now)
    worker.run_queued()
    ar = records(runtime)[escalation_id]["ar"]
    developer = Developer(sandbox)
    version = developer.jira.create_version("4.2.1", project="DEV")
    developer.jira.issue(ar).update(fields={"fixVersions": [{"name": "4.2.1"}]})
    worker.run_queued()
    seen: dict[str, object] = {}

    def release() -> None:
        """Development releases the version; Jira's webhook reaches the bridge."""
        url = f"{sandbox.urls['jira']}/_sandbox/versions/{version.id}/release"
        assert requests.post(url, timeout=10).status_code == 200
        worker.run_queued()
        with runtime.sessions() as session:
            [row] = session.scalars(
                select(tables.InboxRow).where(tables.InboxRow.event_type == "jira:version_released")
            )
            seen["delivery"] = (row.status, row.attempts)
        seen["told"] = len(notices(sandbox, ticket))

    outage(worker, sandbox, down, {3: release})
    drain(worker)

    # The delivery needs no vendor to be processed: done at its first attempt, outage or not.
    assert seen["delivery"] == ("done", 1)
    # Jira's outage does not hold up the customer's notice; Zendesk's holds it until it is back.
    assert seen["told"] == (1 if down == "jira" else 0)
    assert len(notices(sandbox, ticket)) == 1
    assert runtime.outbox.counts_by_status() == {"done": len(worker.rows())}
    with runtime.sessions() as session:
        escalation = session.get(tables.Escalation, escalation_id)
        assert escalation is not None and escalation.state == "awaiting_customer"
    channel = sandbox.credentials["slack"]["channel"]
    thread = [m.text for m in sandbox.slack.world.in_channel(channel) if m.thread_ts is not None]
    assert sum("The customer was told that the fix is available" in t for t in thread) == 1
