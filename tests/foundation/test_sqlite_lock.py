"""Threads of one process writing one SQLite file take turns on the writer lock, and a lock
that is never freed (a transaction left open) costs a wait, never a lost write."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import text

from bridge.store.db import make_engine
from bridge.store.sqlite_lock import writer_lock


def url_of(path: Path) -> str:
    return f"sqlite:///{path.as_posix()}"


def test_engines_on_one_file_share_its_lock_and_other_files_have_their_own(tmp_path) -> None:
    first = make_engine(url_of(tmp_path / "a.db"), create=True)
    second = make_engine(url_of(tmp_path / "a.db"), create=True)
    other = make_engine(url_of(tmp_path / "b.db"), create=True)
    with first.begin() as connection:
        lock = connection.connection.dbapi_connection.writer
        assert lock.locked()
        with second.connect() as again:
            assert again.connection.dbapi_connection.writer is lock
        with other.begin() as elsewhere:  # another file: nothing to wait for
            assert elsewhere.connection.dbapi_connection.writer is not lock
    assert not lock.locked()
    assert writer_lock(str((tmp_path / "a.db").resolve())) is lock


def test_the_lock_is_freed_by_commit_rollback_and_close(tmp_path) -> None:
    engine = make_engine(url_of(tmp_path / "bridge.db"), create=True)
    lock = writer_lock(str((tmp_path / "bridge.db").resolve()))
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
        assert lock.locked()
    assert not lock.locked()
    connection = engine.connect()
    transaction = connection.begin()
    assert lock.locked()
    transaction.rollback()
    assert not lock.locked()
    connection.begin()
    connection.close()  # a connection returned mid-transaction: the pool rolls it back
    assert not lock.locked()
    raw = engine.raw_connection()
    raw.dbapi_connection.take_writer()
    raw.dbapi_connection.execute("BEGIN IMMEDIATE")
    assert lock.locked()
    raw.dbapi_connection.close()
    assert not lock.locked()
    raw.invalidate()


def test_concurrent_writers_all_commit_in_turn(tmp_path) -> None:
    engine = make_engine(url_of(tmp_path / "bridge.db"), create=True, pool_size=10)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
    inside = 0
    most_inside = 0
    guard = threading.Lock()

    def write(n: int) -> None:
        nonlocal inside, most_inside
        for _ in range(20):
            with engine.begin() as connection:
                with guard:
                    inside += 1
                    most_inside = max(most_inside, inside)
                connection.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
                with guard:
                    inside -= 1

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM t")).scalar_one() == 160
    assert most_inside == 1


def test_a_transaction_left_open_delays_other_writers_but_never_loses_them(tmp_path) -> None:
    engine = make_engine(url_of(tmp_path / "bridge.db"), create=True)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
    stuck = engine.connect()
    stuck.begin()
    done = threading.Event()

    def write() -> None:
        with engine.connect() as connection:
            connection.connection.dbapi_connection.wait_seconds = 0.1
            with connection.begin():
                connection.execute(text("INSERT INTO t VALUES (1)"))
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    # Past the lock's wait, the writer queues on SQLite's own lock, which it gets on rollback.
    assert not done.wait(0.5)
    stuck.rollback()
    stuck.close()
    writer.join(10)
    assert done.is_set()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM t")).scalar_one() == 1
