"""Group commit: callers arriving together share one transaction, each still waiting for it.

Every webhook is committed before it is answered. A commit has a fixed cost (the write lock, the
WAL frame, on PostgreSQL the flush to disk) that outweighs one small insert, so when several
requests arrive at once the first to find the writer free writes everything waiting in one
transaction, and the others wake to their own result. A caller alone commits at once: nothing
waits on a timer, so a quiet bridge answers as fast as before.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

_UNSET: object = object()


class _Slot(Generic[Item, Result]):
    __slots__ = ("error", "item", "lead", "ready", "result")

    def __init__(self, item: Item) -> None:
        self.item = item
        self.result: Result | object = _UNSET
        self.error: BaseException | None = None
        self.lead = False
        self.ready = threading.Event()

    def outcome(self) -> Result:
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
        self._lock = threading.Lock()
        self._waiting: list[_Slot[Item, Result]] = []
        self._busy = False

    def submit(self, item: Item) -> Result:
        slot: _Slot[Item, Result] = _Slot(item)
        with self._lock:
            self._waiting.append(slot)
            leading = not self._busy
            self._busy = True
        if not leading:
            slot.ready.wait()
            if not slot.lead:
                return slot.outcome()
        self._lead()
        return slot.outcome()

    def _lead(self) -> None:
        """Write what is waiting (this caller's own item first among them), then pass the lead
        to the first caller who arrived meanwhile, or leave the writer free."""
        with self._lock:
            batch = self._waiting[: self._max_batch]
            del self._waiting[: self._max_batch]
        try:
            self._write_batch(batch)
        finally:
            with self._lock:
                if self._waiting:
                    successor = self._waiting[0]
                    successor.lead = True
                    successor.ready.set()
                else:
                    self._busy = False
            for slot in batch:
                slot.ready.set()

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
