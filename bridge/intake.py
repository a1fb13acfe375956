"""The one hand-off from a receiver to the bridge: store the delivery, then enqueue its job.

Receivers (``webhooks/``) verify and parse; they never call a tracker. What they hand over here is
committed before they answer, so an acknowledged delivery can't be lost.
"""

from __future__ import annotations

import structlog

from bridge.runtime import Runtime, utcnow
from bridge.store.inbox import Delivery, Stored

log = structlog.get_logger(__name__)


def accept(runtime: Runtime, delivery: Delivery) -> Stored:
    stored = runtime.inbox.store(delivery, utcnow())
    if stored.duplicate:
        log.info("intake.duplicate", source=delivery.source, delivery_id=delivery.delivery_id)
        return stored
    try:
        runtime.tasks.process_inbox(stored.row_id)
    except Exception as exc:  # stored is what counts; the sweep enqueues it again
        log.warning("intake.enqueue_failed", row_id=stored.row_id, error=type(exc).__name__)
    return stored
