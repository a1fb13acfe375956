"""Jobs for stored rows are queued off the acknowledgement, a batch at a time, and never lost."""

from __future__ import annotations

import threading

from structlog.testing import capture_logs

from bridge.intake import JobDispatch


class SlowQueue:
    """A job queue whose first enqueue waits until the test lets it go."""

    def __init__(self) -> None:
        self.jobs: list[list[int]] = []
        self.first_started = threading.Event()
        self.release_first = threading.Event()

    def enqueue(self, rows: list[int]) -> None:
        if not self.jobs and not self.first_started.is_set():
            self.first_started.set()
            assert self.release_first.wait(10)
        self.jobs.append(list(rows))


def test_submitting_never_waits_for_the_queue() -> None:
    queue = SlowQueue()
    dispatch = JobDispatch(queue.enqueue)
    dispatch.submit([1])
    assert queue.first_started.wait(10)
    dispatch.submit([2])  # returns although the queue is still busy with row 1's job
    dispatch.submit([3, 4])
    assert queue.jobs == []
    queue.release_first.set()
    assert dispatch.drain()
    assert queue.jobs == [[1], [2, 3, 4]]  # what arrived meanwhile shares one job


def test_a_batch_larger_than_a_job_is_split() -> None:
    queue = SlowQueue()  # holds the thread on row 1, so the next five rows wait together
    dispatch = JobDispatch(queue.enqueue, max_rows=2)
    dispatch.submit([1])
    assert queue.first_started.wait(10)
    dispatch.submit([2, 3, 4, 5, 6])
    queue.release_first.set()
    assert dispatch.drain()
    assert queue.jobs == [[1], [2, 3], [4, 5], [6]]


def test_a_failing_enqueue_is_logged_and_later_rows_still_go() -> None:
    jobs: list[list[int]] = []

    def flaky(rows: list[int]) -> None:
        if rows == [1]:
            raise ConnectionError("redis went away")
        jobs.append(rows)

    dispatch = JobDispatch(flaky)
    with capture_logs() as logs:
        dispatch.submit([1])
        assert dispatch.drain()
        dispatch.submit([2])
        assert dispatch.drain()
    assert jobs == [[2]]
    assert {"event": "intake.enqueue_failed", "rows": 1, "error": "ConnectionError"}.items() <= (
        logs[0].items()
    )


def test_closing_queues_what_waits_and_later_rows_go_at_once() -> None:
    queue = SlowQueue()
    dispatch = JobDispatch(queue.enqueue)
    dispatch.submit([1])
    assert queue.first_started.wait(10)
    dispatch.submit([2])
    closer = threading.Thread(target=dispatch.close)
    closer.start()
    queue.release_first.set()
    closer.join(10)
    assert queue.jobs == [[1], [2]]
    dispatch.submit([3])
    assert queue.jobs == [[1], [2], [3]]
