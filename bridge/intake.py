"""The one hand-off from a receiver to the bridge: store the delivery, then enqueue its job.

Receivers (``webhooks/``) verify and parse; they never call a tracker. What they hand over here is
committed before they answer, so an acknowledged delivery can't be lost. Deliveries arriving
together are committed together (``GroupCommit``) and their new rows share one job.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import structlog

from bridge.runtime import utcnow
from bridge.store.group_commit import GroupCommit
from bridge.store.inbox import Delivery, Inbox, Stored

if TYPE_CHECKING:
    import datetime as dt

    from bridge.runtime import Runtime

log = structlog.get_logger(__name__)


class Intake:
    def __init__(self, inbox: Inbox, enqueue: Callable[[list[int]], object]) -> None:
        self._inbox = inbox
        self._enqueue = enqueue
        self._writer: GroupCommit[tuple[Delivery, dt.datetime], Stored] = GroupCommit(self._write)

    def accept(self, delivery: Delivery) -> Stored:
        """Store the delivery (returning once it is committed) and queue its processing."""
        stored = self._writer.submit((delivery, utcnow()))
        if stored.duplicate:
            log.info("intake.duplicate", source=delivery.source, delivery_id=delivery.delivery_id)
        return stored

    def _write(self, arrivals: Sequence[tuple[Delivery, dt.datetime]]) -> list[Stored]:
        stored = self._inbox.store_many(arrivals)
        new_rows = [each.row_id for each in stored if not each.duplicate]
        if new_rows:
            try:
                self._enqueue(new_rows)
            except Exception as exc:  # stored is what counts; the sweep enqueues them again
                log.warning("intake.enqueue_failed", rows=len(new_rows), error=type(exc).__name__)
        return stored


def accept(runtime: Runtime, delivery: Delivery) -> Stored:
    return runtime.intake.accept(delivery)
