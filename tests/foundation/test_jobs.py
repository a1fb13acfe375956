"""Jobs run on the embedded SQLite queue and on Redis; lost jobs are found again by the sweep."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
from huey import PriorityRedisHuey, RedisHuey, SqliteHuey

from bridge.config import load_settings
from bridge.connectors.registry import CHAT_PRIORITY
from bridge.jobs.clock import utcnow
from bridge.jobs.engine import InProcessConsumer, make_huey, sweep
from bridge.runtime import Runtime, bootstrap
from bridge.store import migrate
from bridge.store.inbox import Delivery
from bridge.store.outbox import PLANNED, SideEffect
from bridge.store.tables import InboxRow, OutboxRow


def wait_for(condition: Callable[[], bool], seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def inbox_status(runtime: Runtime, row_id: int) -> str:
    with runtime.sessions() as session:
        row = session.get(InboxRow, row_id)
        assert row is not None
        return row.status


def delivery(delivery_id: str) -> Delivery:
    return Delivery("github", delivery_id, "issues", b"{}")


@pytest.fixture(params=["sqlite", "redis"])
def runtime(request: pytest.FixtureRequest) -> Iterator[Runtime]:
    settings = load_settings()
    migrate.upgrade(settings.resolved_database_url)
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        huey = PriorityRedisHuey(f"bridge-test-{uuid.uuid4().hex}", url=url, results=False)
    else:
        huey = make_huey(settings)
    runtime = bootstrap(settings, huey=huey)
    yield runtime
    runtime.huey.flush()
    runtime.close()


@pytest.fixture
def consumer(runtime: Runtime) -> Iterator[InProcessConsumer]:
    consumer = InProcessConsumer(runtime.huey, workers=2, worker_type="thread", periodic=False)
    consumer.start()
    yield consumer
    consumer.stop(graceful=True)


def test_the_queue_engine_follows_the_settings(monkeypatch, redis_url: str) -> None:
    assert isinstance(make_huey(load_settings()), SqliteHuey)
    monkeypatch.setenv("BRIDGE_REDIS_URL", redis_url)
    assert isinstance(make_huey(load_settings()), RedisHuey)


def test_an_accepted_delivery_is_processed_by_a_job(runtime: Runtime, consumer) -> None:
    seen: list[bytes] = []
    runtime.processors.register("github", lambda row: seen.append(row.body) or "done")
    stored = runtime.handoff.accept(Delivery("github", "d-1", "issues", b'{"n":1}'))
    assert wait_for(lambda: inbox_status(runtime, stored.row_id) == "done")
    assert seen == [b'{"n":1}']


def test_a_delivery_without_a_processor_is_ignored_with_the_reason(runtime, consumer) -> None:
    stored = runtime.handoff.accept(Delivery("servicenow", "s-1", "incident.updated", b"{}"))
    assert wait_for(lambda: inbox_status(runtime, stored.row_id) == "ignored")
    with runtime.sessions() as session:
        row = session.get(InboxRow, stored.row_id)
        assert row is not None
        assert row.last_error == "no processor registered for source 'servicenow'"


def test_a_processor_that_raises_leaves_the_worker_running(runtime: Runtime, consumer) -> None:
    def fragile(row: InboxRow) -> str:
        if row.delivery_id == "poison":
            raise ValueError("cannot parse")
        return "done"

    runtime.processors.register("github", fragile)  # type: ignore[arg-type]
    poison = runtime.handoff.accept(delivery("poison"))
    healthy = runtime.handoff.accept(delivery("healthy"))
    assert wait_for(lambda: inbox_status(runtime, healthy.row_id) == "done")

    def failed_once() -> bool:
        with runtime.sessions() as session:
            row = session.get(InboxRow, poison.row_id)
            return row is not None and row.status == "pending" and row.attempts == 1

    assert wait_for(failed_once)
    with runtime.sessions() as session:
        row = session.get(InboxRow, poison.row_id)
        assert row is not None
        assert row.last_error == "ValueError: cannot parse"


def test_the_sweep_redrives_a_row_whose_worker_died(runtime: Runtime, consumer) -> None:
    runtime.processors.register("github", lambda row: "done")
    long_ago = utcnow() - dt.timedelta(minutes=30)
    row_id = runtime.inbox.store(delivery("orphan"), long_ago).row_id
    # A worker took the row and died: its lease is still on the row, no job is queued.
    assert runtime.inbox.claim(row_id, "crashed-host:4242", long_ago, dt.timedelta(minutes=5))
    assert inbox_status(runtime, row_id) == "processing"
    assert sweep(runtime, utcnow()) == (1, 0)
    assert wait_for(lambda: inbox_status(runtime, row_id) == "done")
    with runtime.sessions() as session:
        row = session.get(InboxRow, row_id)
        assert row is not None
        assert row.attempts == 2
        assert row.lease_owner != "crashed-host:4242"


def test_the_sweep_redrives_due_outbox_rows_to_their_performer(runtime, consumer) -> None:
    performed: list[str] = []
    runtime.performers.register(
        "jira", lambda row: performed.append(row.idempotency_key) or {"key": "DEV-9"}
    )
    with runtime.sessions.begin() as session:
        row_id = runtime.outbox.add(
            session, SideEffect("esc-1:ar", "jira", "create_issue", {}), utcnow()
        )
        session.info.pop(PLANNED)  # its enqueue is lost: only the sweep can find the row now
    assert runtime.huey.pending_count() == 0
    assert sweep(runtime, utcnow()) == (0, 1)

    def done() -> bool:
        with runtime.sessions() as session:
            row = session.get(OutboxRow, row_id)
            return row is not None and row.status == "done"

    assert wait_for(done)
    assert performed == ["esc-1:ar"]


def test_planned_side_effects_are_queued_when_their_decision_commits(runtime: Runtime) -> None:
    effect = SideEffect("esc-2:head", "slack", "upsert_escalation_message", {})
    with runtime.sessions.begin() as session:
        runtime.outbox.add(session, effect, utcnow())
        assert runtime.huey.pending_count() == 0
    assert runtime.huey.pending_count() == 1
    other = SideEffect("esc-3:head", "slack", "upsert_escalation_message", {})
    try:
        with runtime.sessions.begin() as session:
            runtime.outbox.add(session, other, utcnow())
            raise RuntimeError("the decision failed")
    except RuntimeError:
        pass
    assert runtime.huey.pending_count() == 1
    assert runtime.outbox.counts_by_status() == {"pending": 1}


def test_an_in_process_job_waits_while_a_request_is_being_answered(
    runtime: Runtime, consumer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bridge.jobs.activity.LONGEST_WAIT_SECONDS", 30.0)
    processed: list[float] = []
    runtime.processors.register("github", lambda row: processed.append(time.monotonic()) or "done")
    runtime.requests.started()  # a webhook is being answered in this process
    stored = runtime.handoff.accept(delivery("while-busy"))
    assert wait_for(lambda: runtime.huey.pending_count() == 0)  # a job thread has taken it
    time.sleep(0.3)
    assert processed == []  # and gives way to the request before claiming the row
    assert inbox_status(runtime, stored.row_id) == "pending"
    answered = time.monotonic()
    runtime.requests.finished()
    assert wait_for(lambda: inbox_status(runtime, stored.row_id) == "done")
    assert processed[0] >= answered


def test_a_job_gives_way_no_longer_than_the_longest_wait(runtime, consumer, monkeypatch) -> None:
    monkeypatch.setattr("bridge.jobs.activity.LONGEST_WAIT_SECONDS", 0.2)
    runtime.processors.register("github", lambda row: "done")
    runtime.requests.started()  # and never finishes: a steady load
    try:
        stored = runtime.handoff.accept(delivery("under-load"))
        assert wait_for(lambda: inbox_status(runtime, stored.row_id) == "done")
    finally:
        runtime.requests.finished()


def test_queued_chat_posts_wait_while_customers_and_trackers_have_work(runtime: Runtime) -> None:
    """Slack takes a message a second per channel: a release telling many customers queues as
    many thread replies, and the customers' notices must not wait behind them."""
    performed: list[str] = []
    for target, priority in (("slack", CHAT_PRIORITY), ("zendesk", 0), ("jira", 0)):
        runtime.performers.register(
            target, lambda row: performed.append(row.idempotency_key) or {}, priority
        )
    planned = ["slack:1", "zendesk:1", "slack:2", "jira:1", "slack:3", "zendesk:2"]
    with runtime.sessions.begin() as session:
        runtime.outbox.plan(
            session,
            [SideEffect(key, key.split(":")[0], "post", {}) for key in planned],
            utcnow(),
        )
    one_at_a_time = InProcessConsumer(runtime.huey, workers=1, worker_type="thread", periodic=False)
    one_at_a_time.start()
    try:
        assert wait_for(lambda: len(performed) == len(planned))
    finally:
        one_at_a_time.stop(graceful=True)
    assert performed == ["zendesk:1", "jira:1", "zendesk:2", "slack:1", "slack:2", "slack:3"]
