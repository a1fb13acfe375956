"""Read sessions: a job that only looks something up never queues behind the webhooks being
stored, sees one consistent snapshot, and cannot write by mistake."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bridge.runtime import utcnow
from bridge.store.db import WriteInReadSession, make_engine, read_session_factory
from bridge.store.tables import InboxRow


def _add_row(session: Session, delivery_id: str) -> None:
    session.add(
        InboxRow(
            source="github",
            delivery_id=delivery_id,
            event_type="issues.opened",
            body=b"{}",
            received_at=utcnow(),
        )
    )


def count_rows(reads: sessionmaker[Session]) -> int:
    with reads() as session:
        return session.scalar(select(func.count()).select_from(InboxRow)) or 0


def test_a_read_runs_while_a_write_is_open_and_sees_only_what_was_committed(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    reads = read_session_factory(engine)
    writing = engine.connect()
    writing.begin()  # on SQLite this holds the process's writer lock
    writing.execute(
        InboxRow.__table__.insert().values(
            source="github",
            delivery_id="uncommitted",
            event_type="issues.opened",
            body=b"{}",
            received_at=utcnow(),
        )
    )
    try:
        with ThreadPoolExecutor(1) as pool:
            assert pool.submit(count_rows, reads).result(timeout=3) == 0
    finally:
        writing.rollback()
        writing.close()
        engine.dispose()


def test_a_write_in_a_read_session_is_refused_before_it_reaches_the_database(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    reads = read_session_factory(engine)
    with reads() as session, pytest.raises(WriteInReadSession, match="Update"):
        session.execute(update(InboxRow).values(status="done"))
    with reads() as session, pytest.raises(WriteInReadSession, match="flush"):
        _add_row(session, "by-mistake")
        session.flush()
    with reads() as session:
        assert session.scalar(select(func.count()).select_from(InboxRow)) == 0
    engine.dispose()
