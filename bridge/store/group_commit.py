"""Group commit: callers arriving together share one transaction, each still waiting for it.

Every webhook is committed before it is answered. A commit has a fixed cost (the write lock, the
WAL frame, on PostgreSQL the flush to disk) that outweighs one small insert, so the deliveries
that arrive while one batch is being written are written together in the next, and each caller
wakes to its own result. A caller alone writes its own item at once: nothing waits on a timer,
and no thread is woken, so a quiet bridge answers as fast as it can.

The batches that queue up behind it are written by one thread of the group's own, not handed
to one of the waiting callers. Each call into the database lets go of the GIL, and the thread
that let go waits to get it back behind the request threads' Python work; handing the next
batch to a sleeping caller paid that wait twice per batch (once for the caller to wake, once
after the statement) while every webhook behind it queued. The writer thread goes from one
batch to the next, and leaves the writing to the callers again once nobody is waiting.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from bridge.forks import forget_in_child

Item = TypeVar("Item")
Result = TypeVar("Result")

_UNSET: object = object()


class _Slot(Generic[Item, Result]):
    __slots__ = ("_ready", "error", "item", "result")

    def __init__(self, item: Item) -> None:
        self.item = item
        self.result: Result | object = _UNSET
        self.error: BaseException | None = None
        # A held lock as a one-shot latch: every webhook waits on one, and a threading.Event
        # builds a Condition and a fresh waiter lock for each wait.
        self._ready = threading.Lock()
        self._ready.acquire()

    def wake(self) -> None:
        self._ready.release()

    def outcome(self) -> Result:
        self._ready.acquire()
        if self.error is not None:
            raise self.error
        if self.result is _UNSET:
            raise RuntimeError("the group writer stopped before writing this item")
        return self.result  # type: ignore[return-value]


class GroupCommit(Generic[Item, Result]):
    """``submit(item)`` returns once ``write`` has committed a batch holding ``item``.

    ``write`` takes the items of one batch, in arrival order, and returns one result per item.
    If a batch fails, its items are written one by one, so one bad item fails only its caller.
    """

    def __init__(
        self, write: Callable[[Sequence[Item]], Sequence[Result]], max_batch: int = 64
    ) -> None:
        self._write = write
        self._max_batch = max_batch
        self._reset()
        forget_in_child(self)

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._handed_over = threading.Condition(self._lock)
        self._waiting: list[_Slot[Item, Result]] = []
        self._busy = False  # a caller or the writer thread is writing
        self._writer: threading.Thread | None = None

    def after_fork(self) -> None:
        """A forked child (a gunicorn worker) has the parent's group but not its writer."""
        self._reset()

    def submit(self, item: Item) -> Result:
        slot: _Slot[Item, Result] = _Slot(item)
        with self._lock:
            alone = not self._busy
            self._busy = True
            if not alone:
                self._waiting.append(slot)
        if not alone:
            return slot.outcome()
        # Nobody writing: the caller writes its own item, with no thread to wake on either side.
        try:
            self._write_batch([slot])
        finally:
            with self._lock:
                if self._waiting:  # others came meanwhile: the writer thread takes them
                    self._hand_over()
                else:
                    self._busy = False
            slot.wake()
        return slot.outcome()

    def _hand_over(self) -> None:
        """Called holding the lock, with callers waiting and ``_busy`` set."""
        if self._writer is None or not self._writer.is_alive():
            self._writer = threading.Thread(target=self._run, name="group-commit", daemon=True)
            self._writer.start()
        else:
            self._handed_over.notify()

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._waiting:
                    self._busy = False
                    self._handed_over.wait()
                batch = self._waiting[: self._max_batch]
                del self._waiting[: self._max_batch]
            try:
                self._write_batch(batch)
            finally:
                for slot in batch:
                    slot.wake()

    def _write_batch(self, batch: list[_Slot[Item, Result]]) -> None:
        try:
            results = self._write([slot.item for slot in batch])
        except Exception as exc:
            if len(batch) == 1:
                batch[0].error = exc
                return
            for slot in batch:  # find the one that failed; the others still go in
                self._write_alone(slot)
            return
        for slot, result in zip(batch, results, strict=True):
            slot.result = result

    def _write_alone(self, slot: _Slot[Item, Result]) -> None:
        try:
            slot.result = self._write([slot.item])[0]
        except Exception as exc:
            slot.error = exc
