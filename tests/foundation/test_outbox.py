"""The outbox plans each side effect once and keeps failures visible and replayable."""

from __future__ import annotations

import datetime as dt

from bridge.store.db import make_engine, session_factory
from bridge.store.guards import Guards
from bridge.store.outbox import Outbox, SideEffect

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(minutes=2)


def make_outbox(url: str) -> Outbox:
    sessions = session_factory(make_engine(url))
    return Outbox(sessions, max_attempts=2)


def add(outbox: Outbox, key: str) -> int | None:
    effect = SideEffect(key, "jira", "create_issue", {"escalation_id": 7})
    with outbox._sessions.begin() as session:
        return outbox.add(session, effect, NOW)


def test_the_same_idempotency_key_is_planned_only_once(database_url: str) -> None:
    outbox = make_outbox(database_url)
    assert add(outbox, "esc-7:ar") is not None
    assert add(outbox, "esc-7:ar") is None
    assert outbox.counts_by_status() == {"pending": 1}


def test_a_transient_failure_waits_for_its_next_attempt(database_url: str) -> None:
    outbox = make_outbox(database_url)
    row_id = add(outbox, "k")
    assert row_id is not None
    assert outbox.claim(row_id, "w", NOW, LEASE) is not None
    later = NOW + dt.timedelta(seconds=30)
    assert outbox.retry_later(row_id, "w", "HTTP 503 from Jira", later) == "pending"
    assert outbox.claim(row_id, "w", NOW + dt.timedelta(seconds=10), LEASE) is None
    assert outbox.needing_drive(NOW + dt.timedelta(seconds=10)) == []
    assert [row for row, _target in outbox.needing_drive(later)] == [row_id]
    assert outbox.claim(row_id, "w", later, LEASE) is not None
    assert outbox.retry_later(row_id, "w", "HTTP 503 from Jira", later) == "dead"


def test_dead_letters_keep_the_vendor_message_and_can_be_replayed(database_url: str) -> None:
    outbox = make_outbox(database_url)
    row_id = add(outbox, "k")
    assert row_id is not None
    outbox.claim(row_id, "w", NOW, LEASE)
    assert outbox.bury(row_id, "w", "Field 'customfield_1' is required", NOW)
    [dead] = outbox.dead_letters()
    assert dead.last_error == "Field 'customfield_1' is required"
    assert outbox.revive(None, NOW) == [row_id]
    assert outbox.counts_by_status() == {"pending": 1}
    assert outbox.claim(row_id, "w", NOW, LEASE) is not None


def test_a_successful_side_effect_records_its_result(database_url: str) -> None:
    outbox = make_outbox(database_url)
    row_id = add(outbox, "k")
    assert row_id is not None
    outbox.claim(row_id, "w", NOW, LEASE)
    assert outbox.succeed(row_id, "w", {"key": "DEV-1"}, NOW)
    assert outbox.counts_by_status() == {"done": 1}
    assert outbox.needing_drive(NOW + dt.timedelta(days=1)) == []


def test_a_guard_token_is_won_by_exactly_one_claimant(database_url: str) -> None:
    guards = Guards(session_factory(make_engine(database_url)))
    assert guards.acquire("sla-breach:1:acknowledge", "worker-a", NOW) is True
    assert guards.acquire("sla-breach:1:acknowledge", "worker-b", NOW) is False
    assert guards.taken("sla-breach:1:acknowledge")
    assert not guards.taken("sla-breach:2:acknowledge")
