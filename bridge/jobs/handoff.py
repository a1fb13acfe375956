"""The one hand-off from a receiver to the bridge: store the delivery, then queue its job.

Receivers (``webhooks/``) verify and parse; they never call a tracker. What they hand over here is
committed before they answer, so an acknowledged delivery can't be lost. Its job is queued
after the commit; if queueing fails (or the process dies first), the row is still in the inbox
and the minute sweep queues it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import structlog

from bridge.jobs import clock
from bridge.store.inbox import Delivery, Inbox, Stored

log = structlog.get_logger(__name__)


class Handoff:
    def __init__(self, inbox: Inbox, enqueue: Callable[[int], object]) -> None:
        self._inbox = inbox
        self._enqueue = enqueue

    def accept(self, delivery: Delivery) -> Stored:
        """Store the delivery (returning once it is committed) and queue its job."""
        stored = self._inbox.store(delivery, clock.utcnow())
        self._queue(delivery, stored)
        return stored

    def accept_all(self, deliveries: Sequence[Delivery]) -> list[Stored]:
        """Store the deliveries in one commit, then queue the new ones' jobs (catch-up's
        finds: one commit for a run, not one per event)."""
        answers = self._inbox.store_all(deliveries, clock.utcnow())
        for delivery, stored in zip(deliveries, answers, strict=True):
            self._queue(delivery, stored)
        return answers

    def _queue(self, delivery: Delivery, stored: Stored) -> None:
        if stored.duplicate:
            log.info("intake.duplicate", source=delivery.source, delivery_id=delivery.delivery_id)
            return
        try:
            self._enqueue(stored.row_id)
        except Exception as exc:  # stored is what counts; the sweep enqueues it again
            log.warning("intake.enqueue_failed", row_id=stored.row_id, error=type(exc).__name__)
