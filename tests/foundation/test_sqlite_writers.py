"""Threads writing one SQLite file take turns (every transaction begins IMMEDIATE, so a writer
waits for the lock at its start instead of failing on an upgrade), and a lock that is never
freed (a transaction left open) costs a wait within the busy timeout, never a lost write."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import text

from bridge.store.db import make_engine


def url_of(path: Path) -> str:
    return f"sqlite:///{path.as_posix()}"


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
        with engine.connect() as connection, connection.begin():
            connection.execute(text("INSERT INTO t VALUES (1)"))
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    # The writer waits in SQLite's busy handler, and gets the lock once the other lets go.
    assert not done.wait(0.5)
    stuck.rollback()
    stuck.close()
    writer.join(10)
    assert done.is_set()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM t")).scalar_one() == 1
