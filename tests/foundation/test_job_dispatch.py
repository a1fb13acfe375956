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


def _queue_in_child(dispatch: JobDispatch, jobs: list[list[int]], answer) -> None:
    dispatch.submit([9])
    answer.put((dispatch.drain(timeout=5), jobs))


def test_a_forked_child_queues_its_own_rows_with_a_thread_of_its_own() -> None:
    import multiprocessing

    jobs: list[list[int]] = []
    dispatch = JobDispatch(jobs.append, gather=0)
    dispatch.submit([1])  # the parent's thread is running now
    assert dispatch.drain()
    context = multiprocessing.get_context("fork")  # as gunicorn starts its workers
    answer = context.Queue()
    child = context.Process(target=_queue_in_child, args=(dispatch, jobs, answer))
    child.start()
    drained, child_jobs = answer.get(timeout=20)
    child.join(10)
    assert drained
    assert child_jobs == [[1], [9]]  # [1] was the parent's, queued before the fork
    assert jobs == [[1]]
