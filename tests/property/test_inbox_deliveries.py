"""Whatever mix of new, stored-before and repeated deliveries arrives, each sender gets the row
of its own delivery, and only the first copy of a delivery is new (both engines)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridge.store.db import make_engine, session_factory
from bridge.store.inbox import Delivery, Inbox
from bridge.store.tables import InboxRow

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
batches = st.lists(st.lists(st.integers(0, 12), min_size=1, max_size=10), min_size=1, max_size=6)


@pytest.fixture
def inbox(database_url: str) -> Inbox:
    return Inbox(session_factory(make_engine(database_url)))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches=batches)
def test_every_delivery_finds_its_own_row(inbox: Inbox, batches) -> None:
    run = next(RUNS)  # each example gets delivery ids of its own in the shared database
    seen: dict[str, int] = {}
    for batch in batches:
        for key in (f"{run}-{number}" for number in batch):
            result = inbox.store(Delivery("github", key, "issues", b"{}"), NOW)
            assert result.duplicate is (key in seen), key
            assert seen.setdefault(key, result.row_id) == result.row_id
    with inbox._sessions() as session:
        rows = dict(
            session.query(InboxRow.delivery_id, InboxRow.id).filter(
                InboxRow.delivery_id.like(f"{run}-%")
            )
        )
    assert rows == seen


RUNS = itertools.count()
