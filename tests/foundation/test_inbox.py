"""The inbox stores each delivery once, even under concurrent duplicates, on both engines."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import sqlite3
import threading
import time

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from bridge.store import migrate
from bridge.store.db import make_engine, session_factory
from bridge.store.inbox import Delivery, Inbox, Stored
from bridge.store.tables import InboxRow

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(minutes=5)


def make_inbox(url: str) -> Inbox:
    return Inbox(session_factory(make_engine(url)), max_attempts=2)


def delivery(delivery_id: str = "d-1", source: str = "github") -> Delivery:
    return Delivery(source, delivery_id, "issues", b'{"action":"opened"}', record_key="repo#1")


def test_a_repeated_delivery_is_a_duplicate_of_the_first_row(database_url: str) -> None:
    inbox = make_inbox(database_url)
    first = inbox.store(delivery(), NOW)
    again = inbox.store(delivery(), NOW)
    other_source = inbox.store(delivery(source="jira"), NOW)
    assert first.duplicate is False
    assert again.duplicate is True
    assert again.row_id == first.row_id
    assert other_source.duplicate is False
    assert inbox.counts_by_status() == {"pending": 2}


def test_what_a_catch_up_found_is_stored_at_once_each_delivery_once(database_url: str) -> None:
    inbox = make_inbox(database_url)
    earlier = inbox.store(delivery("d-2"), NOW)
    found = [delivery(f"d-{n}") for n in range(1, 601)] + [delivery("d-1"), delivery("d-1", "jira")]

    stored = inbox.store_all(found, NOW)

    assert [s.duplicate for s in stored[:3]] == [False, True, False]
    assert stored[1].row_id == earlier.row_id
    assert stored[600] == Stored(stored[0].row_id, duplicate=True)  # given twice in one run
    assert stored[601].duplicate is False and stored[601].row_id != stored[0].row_id
    assert len({s.row_id for s in stored}) == 601
    assert inbox.counts_by_status() == {"pending": 601}
    assert inbox.store_all([], NOW) == []


def _insert_at_the_same_moment(url: str, barrier, results) -> None:  # type: ignore[no-untyped-def]
    inbox = make_inbox(url)
    barrier.wait()
    results.put(inbox.store(delivery("raced"), NOW).duplicate)


def test_two_processes_storing_the_same_delivery_leave_one_row(database_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results = context.Queue()
    workers = [
        context.Process(target=_insert_at_the_same_moment, args=(database_url, barrier, results))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    assert sorted(results.get(timeout=5) for _ in workers) == [False, True]
    assert make_inbox(database_url).counts_by_status() == {"pending": 1}


def test_a_claimed_row_cannot_be_claimed_again_until_its_lease_expires(database_url) -> None:
    inbox = make_inbox(database_url)
    row_id = inbox.store(delivery(), NOW).row_id
    assert inbox.claim(row_id, "worker-a", NOW, LEASE) is not None
    assert inbox.claim(row_id, "worker-b", NOW + dt.timedelta(minutes=1), LEASE) is None
    taken = inbox.claim(row_id, "worker-b", NOW + dt.timedelta(minutes=6), LEASE)
    assert isinstance(taken, InboxRow)
    assert taken.attempts == 2
    assert taken.lease_owner == "worker-b"
    # The worker that lost its lease can no longer finish the row.
    assert inbox.finish(row_id, "worker-a", "done", NOW) is False
    assert inbox.finish(row_id, "worker-b", "done", NOW) is True


def test_failures_go_back_to_pending_then_dead_after_max_attempts(database_url) -> None:
    inbox = make_inbox(database_url)
    row_id = inbox.store(delivery(), NOW).row_id
    inbox.claim(row_id, "w", NOW, LEASE)
    assert inbox.fail(row_id, "w", "ValueError: bad payload", NOW) == "pending"
    inbox.claim(row_id, "w", NOW, LEASE)
    assert inbox.fail(row_id, "w", "ValueError: bad payload", NOW) == "dead"
    assert inbox.counts_by_status() == {"dead": 1}


def test_rows_needing_a_drive_are_expired_leases_and_forgotten_pending_rows(database_url) -> None:
    inbox = make_inbox(database_url)
    grace = dt.timedelta(minutes=2)
    forgotten = inbox.store(delivery("forgotten"), NOW).row_id
    fresh = inbox.store(delivery("fresh"), NOW + dt.timedelta(minutes=9)).row_id
    held = inbox.store(delivery("held"), NOW).row_id
    orphaned = inbox.store(delivery("orphaned"), NOW).row_id
    inbox.claim(held, "alive", NOW + dt.timedelta(minutes=9), LEASE)
    inbox.claim(orphaned, "died", NOW, LEASE)
    assert inbox.needing_drive(NOW + dt.timedelta(minutes=10), grace) == [forgotten, orphaned]
    assert fresh not in inbox.needing_drive(NOW + dt.timedelta(minutes=10), grace)


def test_every_field_of_a_delivery_comes_back_with_its_claim(database_url) -> None:
    inbox = make_inbox(database_url)
    sent_at = dt.datetime(2026, 11, 23, 8, 59, 30, tzinfo=dt.UTC)
    timed = Delivery("github", "d-2", "issues", b"\x00{}", record_key="repo#2", provider_ts=sent_at)
    stored = inbox.store(timed, NOW)
    row = inbox.claim(stored.row_id, "w", NOW, LEASE)
    assert row is not None
    assert (row.source, row.delivery_id, row.event_type) == ("github", "d-2", "issues")
    assert (row.body, row.record_key, row.provider_ts) == (b"\x00{}", "repo#2", sent_at)
    assert (row.status, row.attempts, row.lease_owner) == ("processing", 1, "w")
    assert row.received_at == NOW


def test_a_delivery_that_cannot_be_stored_says_why_and_leaves_nothing(database_url) -> None:
    inbox = make_inbox(database_url)
    unnamed = Delivery("github", "d-2", None, b"{}")  # type: ignore[arg-type]
    with pytest.raises(IntegrityError) as raised:
        inbox.store(unnamed, NOW)
    assert "event_type" in str(raised.value.orig)
    assert inbox.counts_by_status() == {}
    # The pooled connection went back clean: the next delivery is stored as usual.
    assert inbox.store(delivery(), NOW).duplicate is False
    assert inbox.counts_by_status() == {"pending": 1}


def test_only_the_lease_holder_finishes_a_row(database_url) -> None:
    inbox = make_inbox(database_url)
    row_id = inbox.store(delivery(), NOW).row_id
    assert inbox.claim(row_id, "first", NOW, LEASE) is not None
    later = NOW + LEASE + dt.timedelta(seconds=1)
    assert inbox.claim(row_id, "second", later, LEASE) is not None  # the first one's lease ran out
    assert inbox.finish(row_id, "first", "done", later) is False
    assert inbox.counts_by_status() == {"processing": 1}
    assert inbox.finish(row_id, "second", "ignored", later, "nothing to do") is True
    assert inbox.counts_by_status() == {"ignored": 1}


def test_a_delivery_waits_for_another_process_holding_the_write_lock(sqlite_url: str) -> None:
    migrate.upgrade(sqlite_url)
    inbox = make_inbox(sqlite_url)
    other = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # as a worker process in the middle of its transaction
    stored: list[Stored] = []
    storing = threading.Thread(target=lambda: stored.append(inbox.store(delivery(), NOW)))
    storing.start()
    time.sleep(0.3)
    assert stored == []  # waiting on SQLite's busy timeout, not failed with "database is locked"
    other.execute("COMMIT")
    storing.join(10)
    assert len(stored) == 1
    assert inbox.counts_by_status() == {"pending": 1}


def test_a_delivery_gives_up_after_the_busy_timeout_and_says_the_database_is_locked(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate.upgrade(sqlite_url)
    monkeypatch.setattr("bridge.store.db.SQLITE_BUSY_TIMEOUT_MS", 200)
    inbox = make_inbox(sqlite_url)
    other = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    with pytest.raises(OperationalError, match="database is locked"):
        inbox.store(delivery(), NOW)
    assert 0.15 <= time.monotonic() - started < 3.0
    other.execute("ROLLBACK")
    assert inbox.store(delivery(), NOW).duplicate is False  # and the next one goes in


def test_a_repeat_on_a_fresh_connection_finds_the_first_row(database_url) -> None:
    first = make_inbox(database_url).store(delivery("d-1"), NOW)
    again = make_inbox(database_url).store(delivery("d-1"), NOW)
    assert again == Stored(first.row_id, True)
