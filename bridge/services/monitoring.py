"""After acceptance the escalation is watched (002): the same problem again reopens it; when the
period is over the thread is told once, and the escalation manager's close is recorded."""

from __future__ import annotations

import datetime as dt

import structlog
from sqlalchemy import select

from bridge import effects
from bridge.domain.enums import Outcome
from bridge.domain.plans import activate
from bridge.domain.records import Agreement, Escalation, OutcomeRecord
from bridge.domain.resolution import Recurrence, close, report_recurrence
from bridge.runtime import Runtime, worker_identity
from bridge.services.closure import tell_trackers
from bridge.services.steps import Said, Steps
from bridge.store import tables
from bridge.store.codec import from_json
from bridge.store.guards import Guards

log = structlog.get_logger(__name__)


def same_problem(
    runtime: Runtime, escalation_id: int, *, ticket_ref: str, by: str, now: dt.datetime
) -> Recurrence:
    """A new ticket is the same problem (an explicit link or the engineer's button)."""
    cause = f"recurrence:{ticket_ref}"
    found: list[Recurrence] = []

    def decide(escalation: Escalation) -> Said:
        result = report_recurrence(escalation, actor=by, cause=cause, now=now)
        found.append(result)
        if result is Recurrence.OUTSIDE_MONITORING_PERIOD:
            return Said(
                f"Ticket {ticket_ref} reports the same problem after the monitoring period: "
                "escalate it as a resolved problem recurring."
            )
        activate(
            escalation, engineer=escalation.engineer or "unassigned", actor=by, cause=cause, now=now
        )
        return Said(
            f":rotating_light: Ticket {ticket_ref} reports the same problem during monitoring: "
            f"escalation reopened at level {int(escalation.level)}."
        )

    Steps(runtime).run(escalation_id, "recurrence", decide, cause=cause, now=now)
    if found[0] is Recurrence.REOPENED:
        with runtime.sessions.begin() as session:
            text = f"The problem recurred during monitoring (ticket {ticket_ref})."
            runtime.outbox.plan(session, tell_trackers(session, escalation_id, cause, text), now)
    return found[0]


def close_after_monitoring(
    runtime: Runtime, escalation_id: int, *, by: str, agreement: str, now: dt.datetime
) -> None:
    """The escalation manager closes on agreement once the period is over (002)."""

    def decide(escalation: Escalation) -> Said:
        close(
            escalation,
            OutcomeRecord(Outcome.CUSTOMER_SATISFIED),
            agreement=Agreement(by, agreement, now),
            actor=by,
            cause="close",
            now=now,
        )
        return Said(f"Closed by {by}: customer satisfied ({agreement}).")

    Steps(runtime).run(escalation_id, "close", decide, cause="monitoring-over", now=now)


def monitoring_tick(runtime: Runtime, now: dt.datetime) -> int:
    """Tell the thread once when an escalation's monitoring period is over."""
    with runtime.sessions() as session:
        rows = session.scalars(
            select(tables.Escalation).where(tables.Escalation.state == "monitoring")
        ).all()
        watched = [from_json(Escalation, row.document) for row in rows]
    told = 0
    for escalation in watched:
        until = escalation.monitoring_until
        if until is None or until > now:
            continue
        token = f"monitoring-over:{escalation.id}:{until.isoformat()}"
        with runtime.sessions.begin() as session:
            if not Guards.acquire_in(session, token, worker_identity(), now):
                continue
            text = (
                f"Monitoring ended {until:%Y-%m-%d} with no recurrence: close the escalation "
                "once the customer agrees."
            )
            mention = [escalation.engineer] if escalation.engineer else []
            effect = effects.thread_reply(escalation.id, token, text=text, mention=mention)
            runtime.outbox.add(session, effect, now)
            told += 1
    return told


def register(runtime: Runtime) -> None:
    from bridge.services.reminders import closure_tick

    def closure(now: dt.datetime) -> None:
        closure_tick(runtime, now)

    def monitoring(now: dt.datetime) -> None:
        monitoring_tick(runtime, now)

    runtime.performers.every_minute("closure_tick", closure)
    runtime.performers.every_minute("monitoring_tick", monitoring)
