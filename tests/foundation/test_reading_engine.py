"""The reading engine: a job that only looks something up never queues behind the webhooks
being stored, sees only what was committed, and cannot write by mistake."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.orm import Session

from bridge.runtime import utcnow
from bridge.store.db import WriteWhileReading, make_engine, reading_engine
from bridge.store.tables import InboxRow

ROW = {
    "source": "github",
    "delivery_id": "d-1",
    "event_type": "issues.opened",
    "body": b"{}",
}


def count_rows(reading: Engine) -> int:
    with reading.connect() as connection:
        return connection.scalar(select(func.count()).select_from(InboxRow)) or 0


def test_a_read_runs_while_a_write_is_open_and_sees_only_what_was_committed(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    writing = engine.connect()
    writing.begin()  # on SQLite this holds the process's writer lock
    writing.execute(insert(InboxRow).values(ROW | {"received_at": utcnow()}))
    try:
        with ThreadPoolExecutor(1) as pool:
            assert pool.submit(count_rows, reading_engine(engine)).result(timeout=3) == 0
    finally:
        writing.rollback()
        writing.close()
        engine.dispose()


def test_a_write_while_reading_is_refused_before_it_reaches_the_database(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    reading = reading_engine(engine)
    with reading.connect() as connection, pytest.raises(WriteWhileReading, match="Update"):
        connection.execute(update(InboxRow).values(status="done"))
    with Session(reading) as session, pytest.raises(WriteWhileReading, match="Insert"):
        session.add(InboxRow(**ROW, received_at=utcnow()))
        session.flush()
    assert count_rows(reading) == 0
    with engine.begin() as connection:  # the engine it came from still writes
        connection.execute(insert(InboxRow).values(ROW | {"received_at": utcnow()}))
    assert count_rows(reading) == 1
    engine.dispose()
