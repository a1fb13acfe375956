"""Side effects go through the outbox to the sandbox and survive crashes, 429 storms and
outages: nothing is lost, nothing is created twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from limits.storage import MemoryStorage
from sqlalchemy import select

from bridge.config import load_settings
from bridge.connectors.ratelimit import RateGate
from bridge.connectors.registry import register_connectors
from bridge.runtime import Runtime, bootstrap
from bridge.services import effects
from bridge.services.ports import Connector
from bridge.store import migrate
from bridge.store.outbox import SideEffect
from bridge.store.tables import OutboxRow
from bridge_cli import main
from sandbox import Sandbox
from sandbox.core.faults import Fault

REPO = "acme/widgets"


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


class WorkerKilled(BaseException):
    """The process dies: nothing after this line of the worker runs."""


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr("bridge.jobs.clock.utcnow", clock)
    return clock


@pytest.fixture
def wired(clock: Clock, sandbox: Sandbox) -> Iterator[tuple[Runtime, dict[str, Connector]]]:
    jira = sandbox.credentials["jira"]
    config = {
        "connectors": {
            "jira": {
                "url": sandbox.urls["jira"],
                "email": jira["email"],
                "api_token": jira["api_token"],
                "spar_issue_type": "Task",
            },
            "github": {
                "base_url": sandbox.urls["github"],
                "repository": REPO,
                "token": sandbox.credentials["github"]["token"],
            },
        }
    }
    Path("bridge.yaml").write_text(yaml.safe_dump(config))
    settings = load_settings()
    migrate.upgrade(settings.resolved_database_url)
    runtime = bootstrap(settings)
    connectors = register_connectors(runtime, gate=RateGate(MemoryStorage(), rates={}))
    yield runtime, connectors
    runtime.close()


def plan(runtime: Runtime, effect: SideEffect) -> int:
    with runtime.sessions.begin() as session:
        row_id = runtime.outbox.add(session, effect, runtime_now(runtime))
    assert row_id is not None
    return row_id


def runtime_now(runtime: Runtime) -> dt.datetime:
    from bridge.jobs import clock

    return clock.utcnow()


def drive(runtime: Runtime, clock: Clock, minutes: float, step_seconds: float = 30) -> None:
    """Let time pass as the sweep would, performing every row that falls due."""
    end = clock.now + dt.timedelta(minutes=minutes)
    while clock.now < end:
        clock.advance(seconds=step_seconds)
        for row_id, _target in runtime.outbox.needing_drive(clock.now):
            runtime.tasks.perform_outbox.call_local(row_id)


def rows(runtime: Runtime) -> list[OutboxRow]:
    with runtime.sessions() as session:
        return list(session.scalars(select(OutboxRow).order_by(OutboxRow.id)))


def spec(escalation: str) -> dict[str, Any]:
    return {
        "summary": f"Exports time out ({escalation})",
        "facts": {"Customer": "ACME"},
        "ticket_url": f"https://acme.zendesk.com/agent/tickets/{escalation}",
        "ticket_id": escalation,
    }


def jira_issues_for(sandbox: Sandbox, escalation: str) -> list[dict]:
    return [
        i
        for i in sandbox.jira.snapshot()["issues"]
        if i["properties"].get("support-bridge", {}).get("record") == escalation
        or f"({escalation})" in i["fields"]["summary"]
    ]


def test_a_worker_killed_between_the_jira_create_and_our_commit_leaves_one_issue(
    sandbox: Sandbox, wired: tuple[Runtime, dict[str, Connector]], clock: Clock
) -> None:
    runtime, connectors = wired
    session = connectors["jira"].client._session  # type: ignore[attr-defined]

    def die_after_create(response: Any, *args: Any, **kwargs: Any) -> None:
        request = response.request
        if request.method == "POST" and request.path_url.endswith("/rest/api/2/issue"):
            raise WorkerKilled

    session.hooks["response"].append(die_after_create)
    row_id = plan(runtime, effects.tracker_record("jira", "crash-1", "spar", spec=spec("crash-1")))
    with pytest.raises(WorkerKilled):
        runtime.tasks.perform_outbox.call_local(row_id)
    session.hooks["response"].remove(die_after_create)
    assert len(jira_issues_for(sandbox, "crash-1")) == 1
    assert rows(runtime)[-1].status == "in_flight"

    drive(runtime, clock, minutes=3)  # the lease runs out; the sweep re-drives the row

    [issue] = jira_issues_for(sandbox, "crash-1")
    [row] = [r for r in rows(runtime) if r.id == row_id]
    assert row.status == "done"
    assert row.result is not None and row.result["key"] == issue["key"]
    assert issue["properties"]["support-bridge"]["record"] == "crash-1"


def test_a_429_storm_from_github_delays_filing_but_loses_and_duplicates_nothing(
    sandbox: Sandbox, wired: tuple[Runtime, dict[str, Connector]], clock: Clock
) -> None:
    runtime, _ = wired
    storm = Fault(route=f"POST /repos/{REPO}/issues", status=429, retry_after=60, times=12)
    sandbox.github.faults.add(storm)
    names = [f"storm-{n}" for n in range(4)]
    for name in names:
        plan(runtime, effects.tracker_record("github", name, "ar", spec=spec(name)))

    drive(runtime, clock, minutes=15)

    assert storm.times <= 0  # the storm really hit
    assert {r.status for r in rows(runtime)} == {"done"}
    titles = [i["title"] for i in sandbox.github.snapshot()[REPO]["issues"]]
    assert [sum(f"({name})" in t for t in titles) for name in names] == [1, 1, 1, 1]


def test_a_ten_minute_jira_outage_loses_nothing_and_duplicates_nothing(
    sandbox: Sandbox, wired: tuple[Runtime, dict[str, Connector]], clock: Clock
) -> None:
    runtime, _ = wired
    names = [f"outage-{n}" for n in range(3)]
    sandbox.jira.faults.add(Fault(route="*", status=503))
    for name in names:
        plan(runtime, effects.tracker_record("jira", name, "spar", spec=spec(name)))

    drive(runtime, clock, minutes=10)
    assert all(jira_issues_for(sandbox, name) == [] for name in names)
    assert {r.status for r in rows(runtime)} <= {"pending", "dead"}
    sandbox.jira.faults.clear()
    drive(runtime, clock, minutes=10)
    runtime.outbox.revive(None, clock.now)  # what `support-bridge replay --dead` does
    drive(runtime, clock, minutes=1)

    assert {r.status for r in rows(runtime)} == {"done"}
    assert [len(jira_issues_for(sandbox, name)) for name in names] == [1, 1, 1]


def test_replay_of_a_dead_letter_files_the_record_once(
    sandbox: Sandbox, wired: tuple[Runtime, dict[str, Connector]], clock: Clock
) -> None:
    runtime, _ = wired
    sandbox.jira.faults.add(Fault(route="POST /rest/api/2/issue", status=400, times=1))
    row_id = plan(runtime, effects.tracker_record("jira", "dead-1", "spar", spec=spec("dead-1")))
    runtime.tasks.perform_outbox.call_local(row_id)
    [dead] = runtime.outbox.dead_letters()
    assert dead.id == row_id and "HTTP 400" in (dead.last_error or "")

    clock.advance(minutes=5)  # later, an engineer fixes the cause and replays it
    replayed = CliRunner().invoke(main, ["replay", str(row_id), "--inline"])

    assert replayed.exit_code == 0, replayed.output
    assert "done" in replayed.output
    assert len(jira_issues_for(sandbox, "dead-1")) == 1
    again = CliRunner().invoke(main, ["replay", str(row_id)])
    assert again.exit_code == 1
    assert "no dead letter to replay with id" in again.output


def test_a_create_answered_with_a_5xx_is_sent_again_only_after_looking_for_it(
    sandbox: Sandbox, wired: tuple[Runtime, dict[str, Connector]], clock: Clock
) -> None:
    runtime, _ = wired
    sandbox.github.faults.add(Fault(route=f"POST /repos/{REPO}/issues", status=502, times=1))
    sandbox.github.recorder.clear()
    row_id = plan(runtime, effects.tracker_record("github", "gw-1", "ar", spec=spec("gw-1")))
    runtime.tasks.perform_outbox.call_local(row_id)

    calls = [(r.method, r.path.rsplit("/", 1)[-1]) for r in sandbox.github.recorder.requests]
    assert calls.count(("POST", "issues")) == 1  # not repeated on the spot: it may have landed
    assert ("GET", "issues") not in calls  # a first attempt has nothing to look for
    drive(runtime, clock, minutes=1)

    calls = [(r.method, r.path.rsplit("/", 1)[-1]) for r in sandbox.github.recorder.requests]
    assert calls[-2:] == [("GET", "issues"), ("POST", "issues")]
    assert [r.status for r in rows(runtime) if r.id == row_id] == ["done"]
    titles = [i["title"] for i in sandbox.github.snapshot()[REPO]["issues"]]
    assert sum("(gw-1)" in t for t in titles) == 1
