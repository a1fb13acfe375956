"""The one hand-off from a receiver to the bridge: store the delivery, then queue its job.

Receivers (``webhooks/``) verify and parse; they never call a tracker. What they hand over here is
committed before they answer, so an acknowledged delivery can't be lost. Deliveries arriving
together are committed together (``GroupCommit``); the jobs for new rows are queued after the
answer, by ``JobDispatch``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import structlog

from bridge.forks import forget_in_child
from bridge.runtime import utcnow
from bridge.store.group_commit import GroupCommit
from bridge.store.inbox import Delivery, Inbox, Stored

if TYPE_CHECKING:
    import datetime as dt

    from bridge.runtime import Runtime

log = structlog.get_logger(__name__)

MAX_ROWS_PER_JOB = 64
GATHER_SECONDS = 0.01


class JobDispatch:
    """Queues ``inbox.process_rows`` jobs from a thread of its own, for all the rows committed
    since it last looked (up to ``max_rows`` a job).

    Queueing a job is a write to the job queue (a second SQLite file, or Redis). Made by the
    request's thread it delayed the answer and the next group commit, once per commit; made here
    it is off the acknowledgement. Once a row arrives, the thread gathers for ``gather``
    seconds before it queues, so under load one job covers the rows of many commits and the
    queue is written a few times a second rather than once per commit, each time competing with
    the webhooks for the GIL. If the process dies first, the rows are still in the inbox, and
    the minute sweep queues them again.
    """

    def __init__(
        self,
        enqueue: Callable[[list[int]], object],
        max_rows: int = MAX_ROWS_PER_JOB,
        gather: float = GATHER_SECONDS,
    ) -> None:
        self._enqueue = enqueue
        self._max_rows = max_rows
        self._gather = gather
        self._reset()
        forget_in_child(self)

    def _reset(self) -> None:
        self._changed = threading.Condition(threading.Lock())
        self._waiting: list[int] = []
        self._submitted = self._dispatched = 0
        self._thread: threading.Thread | None = None
        self._closed = False
        self._idle = False

    def after_fork(self) -> None:
        """A gunicorn worker has the parent's dispatch but not its thread; the rows the parent
        had waiting are the parent's to queue."""
        self._reset()

    def submit(self, row_ids: Sequence[int]) -> None:
        with self._changed:
            self._waiting.extend(row_ids)
            self._submitted += len(row_ids)
            if self._closed:
                self._dispatch_waiting()
                return
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="job-dispatch", daemon=True)
                self._thread.start()
            elif self._idle:
                self._changed.notify_all()

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until every row submitted so far has had its job queued (or failed to)."""
        with self._changed:
            target = self._submitted
            return self._changed.wait_for(lambda: self._dispatched >= target, timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Queue what is waiting and stop the thread; rows submitted later are queued at once."""
        self.drain(timeout)
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def _run(self) -> None:
        with self._changed:
            while True:
                if self._waiting:
                    if not self._closed and len(self._waiting) < self._max_rows:
                        self._changed.release()
                        time.sleep(self._gather)
                        self._changed.acquire()
                    self._dispatch_waiting()
                elif self._closed:
                    break
                else:
                    self._idle = True
                    self._changed.wait()
                    self._idle = False
            self._thread = None

    def _dispatch_waiting(self) -> None:
        """Called holding the lock; releases it while the jobs are queued."""
        rows, self._waiting = self._waiting, []
        self._changed.release()
        try:
            for start in range(0, len(rows), self._max_rows):
                self._queue(rows[start : start + self._max_rows])
        finally:
            self._changed.acquire()
        self._dispatched += len(rows)
        self._changed.notify_all()

    def _queue(self, rows: list[int]) -> None:
        try:
            self._enqueue(rows)
        except Exception as exc:  # stored is what counts; the sweep enqueues them again
            log.warning("intake.enqueue_failed", rows=len(rows), error=type(exc).__name__)


class Intake:
    def __init__(self, inbox: Inbox, enqueue: Callable[[list[int]], object]) -> None:
        self._inbox = inbox
        self.jobs = JobDispatch(enqueue)
        self._writer: GroupCommit[tuple[Delivery, dt.datetime], Stored] = GroupCommit(self._write)

    def accept(self, delivery: Delivery) -> Stored:
        """Store the delivery (returning once it is committed); its job is queued after."""
        stored = self._writer.submit((delivery, utcnow()))
        if stored.duplicate:
            log.info("intake.duplicate", source=delivery.source, delivery_id=delivery.delivery_id)
        return stored

    def close(self) -> None:
        self.jobs.close()

    def _write(self, arrivals: Sequence[tuple[Delivery, dt.datetime]]) -> list[Stored]:
        stored = self._inbox.store_many(arrivals)
        new_rows = [each.row_id for each in stored if not each.duplicate]
        if new_rows:
            self.jobs.submit(new_rows)
        return stored


def accept(runtime: Runtime, delivery: Delivery) -> Stored:
    return runtime.intake.accept(delivery)
