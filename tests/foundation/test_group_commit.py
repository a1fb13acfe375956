"""Callers arriving together share one write, each still gets its own result or its own error."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest

from bridge.store.group_commit import GroupCommit

CALLERS = 12


class Recorder:
    """A write that holds its first batch until released, so the others pile up behind it."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.first_started = threading.Event()
        self.release_first = threading.Event()

    def write(self, items: Sequence[str]) -> list[str]:
        if not self.batches:
            self.first_started.set()
            self.release_first.wait(10)
        self.batches.append(list(items))
        if "poison" in items:
            raise ValueError("a bad item")
        return [item.upper() for item in items]


def submit_all(group: GroupCommit[str, str], items: Sequence[str]) -> dict[str, object]:
    outcomes: dict[str, object] = {}
    lock = threading.Lock()

    def submit(item: str) -> None:
        try:
            result: object = group.submit(item)
        except Exception as exc:
            result = exc
        with lock:
            outcomes[item] = result

    threads = [threading.Thread(target=submit, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return outcomes


def waiting(group: GroupCommit[str, str]) -> int:
    with group._lock:
        return len(group._waiting)


def pile_up_behind_the_first(recorder: Recorder, group: GroupCommit[str, str], items: list[str]):
    """Start ``first`` writing, queue ``items`` behind it, then let everything through."""
    outcomes: dict[str, object] = {}
    leader = threading.Thread(target=lambda: outcomes.update(first=group.submit("first")))
    leader.start()
    assert recorder.first_started.wait(10)
    followers = threading.Thread(target=lambda: outcomes.update(submit_all(group, items)))
    followers.start()
    while waiting(group) < len(items):
        threading.Event().wait(0.001)
    recorder.release_first.set()
    leader.join(10)
    followers.join(10)
    return outcomes


def test_a_caller_alone_is_written_at_once_in_a_batch_of_one() -> None:
    recorder = Recorder()
    recorder.release_first.set()
    group = GroupCommit(recorder.write)
    assert group.submit("a") == "A"
    assert group.submit("b") == "B"
    assert recorder.batches == [["a"], ["b"]]


def test_callers_arriving_during_a_write_share_the_next_one() -> None:
    recorder = Recorder()
    group = GroupCommit(recorder.write)
    items = [f"item-{n}" for n in range(CALLERS)]
    outcomes = pile_up_behind_the_first(recorder, group, items)
    assert outcomes == {"first": "FIRST"} | {item: item.upper() for item in items}
    assert recorder.batches[0] == ["first"]
    assert sorted(recorder.batches[1]) == sorted(items)
    assert len(recorder.batches) == 2


def test_a_batch_never_exceeds_its_limit() -> None:
    recorder = Recorder()
    group = GroupCommit(recorder.write, max_batch=5)
    items = [f"item-{n}" for n in range(CALLERS)]
    outcomes = pile_up_behind_the_first(recorder, group, items)
    assert all(outcomes[item] == item.upper() for item in items)
    assert [len(batch) for batch in recorder.batches[1:]] == [5, 5, 2]


def test_one_bad_item_fails_only_its_own_caller() -> None:
    recorder = Recorder()
    group = GroupCommit(recorder.write)
    items = ["good-1", "poison", "good-2"]
    outcomes = pile_up_behind_the_first(recorder, group, items)
    assert outcomes["good-1"] == "GOOD-1"
    assert outcomes["good-2"] == "GOOD-2"
    assert isinstance(outcomes["poison"], ValueError)
    # The shared batch failed as a whole, then each item was written alone.
    assert sorted(recorder.batches[1]) == sorted(items)
    assert sorted(map(tuple, recorder.batches[2:])) == [("good-1",), ("good-2",), ("poison",)]


def test_the_writer_is_free_again_after_a_failure() -> None:
    recorder = Recorder()
    recorder.release_first.set()
    group = GroupCommit(recorder.write)
    with pytest.raises(ValueError, match="a bad item"):
        group.submit("poison")
    assert group.submit("after") == "AFTER"


def test_every_caller_gets_an_answer_under_contention() -> None:
    recorder = Recorder()
    recorder.release_first.set()
    group = GroupCommit(recorder.write, max_batch=4)
    items = [f"item-{n}" for n in range(200)]
    outcomes = submit_all(group, items)
    assert outcomes == {item: item.upper() for item in items}
    written = [item for batch in recorder.batches for item in batch]
    assert sorted(written) == sorted(items)
    assert max(len(batch) for batch in recorder.batches) <= 4


def test_a_caller_alone_writes_on_its_own_thread_and_a_queue_goes_to_the_writer() -> None:
    threads: list[str] = []
    recorder = Recorder()
    original = recorder.write

    def write(items: Sequence[str]) -> list[str]:
        threads.append(threading.current_thread().name)
        return original(items)

    group = GroupCommit(write)
    outcomes = pile_up_behind_the_first(recorder, group, ["b", "c"])
    assert outcomes == {"first": "FIRST", "b": "B", "c": "C"}
    assert threads[0] != "group-commit"  # the first caller wrote its own item
    assert threads[1:] == ["group-commit"]  # the two that queued behind it went together
