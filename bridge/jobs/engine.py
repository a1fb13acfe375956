"""The job engine: Huey on SQLite (embedded) or Redis (distributed), and the bridge's tasks.

Tasks carry only row ids. The database is the source of truth: every minute a sweep re-drives
inbox and outbox rows whose job was lost (a worker that died mid-lease, an enqueue that never
happened), so a crash delays work but never loses it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import structlog
from huey import Huey, PriorityRedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer

from bridge.jobs import clock
from bridge.jobs.activity import ActiveRequests
from bridge.jobs.registry import Performers, PermanentError, Processors, TransientError

if TYPE_CHECKING:
    from bridge.config import Settings
    from bridge.store.inbox import Inbox
    from bridge.store.outbox import Outbox

log = structlog.get_logger(__name__)

QUEUE_NAME = "support-bridge"
REDIS_QUEUE_NAME = f"{QUEUE_NAME}.by-priority"
INBOX_LEASE = dt.timedelta(minutes=5)
OUTBOX_LEASE = dt.timedelta(minutes=2)
PENDING_GRACE = dt.timedelta(minutes=2)
MAX_BACKOFF = dt.timedelta(hours=1)


def make_huey(settings: Settings) -> Huey:
    if settings.redis_url is not None:
        # Jobs carry a priority (Slack's posts go after what customers and developers wait for),
        # which Huey keeps on Redis only in its sorted-set queue. That queue is a key of its own:
        # the list of an earlier version is left alone, and the sweep re-drives its jobs' rows.
        return PriorityRedisHuey(
            REDIS_QUEUE_NAME, url=settings.redis_url.get_secret_value(), results=False
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # The queue only says "look at row N"; the inbox and outbox are the durable record, and the
    # sweep re-drives their rows if a queued job is lost. So the queue file skips the fsync a
    # durable commit costs on every webhook (SQLite's synchronous=OFF).
    return SqliteHuey(
        QUEUE_NAME, filename=str(settings.data_dir / "jobs.db"), results=False, fsync=False
    )


class InProcessConsumer(Consumer):
    """A consumer run inside ``serve``: the web server owns the process signals."""

    def _set_signal_handlers(self) -> None:
        pass


def backoff(attempts: int, retry_after: float | None) -> dt.timedelta:
    """The vendor's Retry-After is a floor, not the schedule: taken alone, a vendor down and
    answering "30 s" had the ten attempts spent one a minute (the sweep's pace) and the row
    buried nine minutes into the outage. The doubling keeps the attempts spread over ~17
    minutes whatever the vendor says."""
    doubling = min(dt.timedelta(seconds=2 ** min(attempts, 12)), MAX_BACKOFF)
    if retry_after is None:
        return doubling
    return max(dt.timedelta(seconds=retry_after), doubling)


class JobRuntime(Protocol):
    """What the tasks read of the runtime ``bootstrap()`` builds; ``tasks`` is set here."""

    huey: Huey
    inbox: Inbox
    outbox: Outbox
    processors: Processors
    performers: Performers
    requests: ActiveRequests
    tasks: Tasks


def register_tasks(runtime: JobRuntime) -> None:
    """Register the bridge's tasks on ``runtime.huey``; web and worker processes both call this."""
    huey = runtime.huey

    @huey.task(name="inbox.process")
    def process_inbox(row_id: int) -> None:
        """Claim the row (one done already or leased to another worker is skipped), run it
        through its processor and record the outcome. A failing row goes back to pending, or
        dead after its last attempt; it never kills the worker."""
        runtime.requests.give_way()  # acknowledgements first (bridge/jobs/activity.py)
        owner = clock.worker_identity()
        row = runtime.inbox.claim(row_id, owner, clock.utcnow(), INBOX_LEASE)
        if row is None:
            return
        processor = runtime.processors.find(row.source)
        if processor is None:
            log.info("inbox.ignored", row_id=row.id, source=row.source, reason="no processor")
            note = f"no processor registered for source {row.source!r}"
            runtime.inbox.finish(row.id, owner, "ignored", clock.utcnow(), note)
            return
        try:
            outcome = processor(row)
        except PermanentError as exc:
            log.info("inbox.ignored", row_id=row.id, source=row.source, reason="permanent")
            runtime.inbox.finish(row.id, owner, "ignored", clock.utcnow(), str(exc))
            return
        except Exception as exc:  # a bad delivery must never kill the worker
            error = f"{type(exc).__name__}: {exc}"
            status = runtime.inbox.fail(row.id, owner, error, clock.utcnow())
            log.warning("inbox.failed", row_id=row.id, error=type(exc).__name__, status=status)
            return
        runtime.inbox.finish(row.id, owner, outcome, clock.utcnow())
        log.info("inbox.processed", row_id=row.id, source=row.source, outcome=outcome)

    @huey.task(name="outbox.perform")
    def perform_outbox(row_id: int) -> None:
        owner = clock.worker_identity()
        row = runtime.outbox.claim(row_id, owner, clock.utcnow(), OUTBOX_LEASE)
        if row is None:
            return
        performer = runtime.performers.find(row.target)
        if performer is None:
            runtime.outbox.bury(
                row_id, owner, f"no connector for target {row.target!r}", clock.utcnow()
            )
            log.warning("outbox.dead", row_id=row_id, target=row.target, reason="no connector")
            return
        try:
            result = performer(row)
            completion = runtime.performers.completions.get(row.operation)
            if completion is not None:
                completion(row, result)
        except TransientError as exc:
            at = clock.utcnow() + backoff(row.attempts, exc.retry_after)
            status = runtime.outbox.retry_later(row_id, owner, str(exc), at)
            log.warning("outbox.retry", row_id=row_id, target=row.target, status=status)
            return
        except Exception as exc:  # permanent, or a bug: a dead letter either way, never a crash
            runtime.outbox.bury(row_id, owner, f"{type(exc).__name__}: {exc}", clock.utcnow())
            # A connector's refusal is worded for support (what failed, and the fix): say it,
            # with the channel a Slack post was for; any other error by its type alone.
            words = {"fix": str(exc)[:300]} if isinstance(exc, PermanentError) else {}
            channel = (row.payload or {}).get("channel")
            log.error(
                "outbox.dead",
                row_id=row_id,
                target=row.target,
                operation=row.operation,
                error=type(exc).__name__,
                **words,
                **({"channel": channel} if isinstance(channel, str) else {}),
            )
            return
        runtime.outbox.succeed(row_id, owner, result, clock.utcnow())
        log.info("outbox.done", row_id=row_id, target=row.target, operation=row.operation)

    @huey.periodic_task(crontab(minute="*"), name="bridge.every_minute")
    def every_minute() -> None:
        now = clock.utcnow()
        sweep(runtime, now)
        for name, hook in runtime.performers.periodic.items():
            try:
                hook(now)
            except Exception as exc:  # one failing hook must not stop the others
                log.error("periodic.failed", hook=name, error=type(exc).__name__)

    runtime.tasks = Tasks(process_inbox, perform_outbox, every_minute)


@dataclass(frozen=True)
class Tasks:
    """The registered Huey tasks; calling one enqueues it."""

    process_inbox: Any
    perform_outbox: Any
    every_minute: Any


def enqueue_side_effect(runtime: JobRuntime, row_id: int, target: str) -> None:
    """Queue the job that performs outbox row ``row_id``, at its target's priority."""
    runtime.tasks.perform_outbox(row_id, priority=runtime.performers.priority(target))


def sweep(runtime: JobRuntime, now: dt.datetime) -> tuple[int, int]:
    """Re-drive rows whose job may be lost; returns how many inbox and outbox rows it enqueued."""
    inbox_ids = runtime.inbox.needing_drive(now, PENDING_GRACE)
    for row_id in inbox_ids:
        runtime.tasks.process_inbox(row_id)
    outbox_ids = runtime.outbox.needing_drive(now)
    for row_id, target in outbox_ids:
        enqueue_side_effect(runtime, row_id, target)
    if inbox_ids or outbox_ids:
        log.info("sweep.redriven", inbox=len(inbox_ids), outbox=len(outbox_ids))
    return len(inbox_ids), len(outbox_ids)


def drain_here(
    runtime: JobRuntime,
    *,
    rounds: int = 20,
    newest_first: bool = False,
    inbox: bool = True,
    before_each: Callable[[], None] | None = None,
) -> bool:
    """Process every stored delivery and perform every due side effect in this process, as the
    worker would, round after round until none is left (what one round does may store or plan
    more); False when ``rounds`` ran out first. ``newest_first`` takes the deliveries in reverse,
    as if they had arrived reordered; ``before_each`` runs first in every round (the demo sends
    the sandbox's webhooks there)."""
    for _ in range(rounds):
        if before_each is not None:
            before_each()
        now = clock.utcnow()
        # A negative grace: rows stored this very instant are taken too.
        deliveries = runtime.inbox.needing_drive(now, -dt.timedelta(seconds=1)) if inbox else []
        effects = runtime.outbox.needing_drive(now)
        if not deliveries and not effects:
            return True
        for row_id in sorted(deliveries, reverse=newest_first):
            runtime.tasks.process_inbox.call_local(row_id)
        for row_id, _target in effects:
            runtime.tasks.perform_outbox.call_local(row_id)
    return False
