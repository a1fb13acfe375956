"""After acceptance the escalation is watched (002) for the configured period or the one agreed
with the customer: the same problem again reopens it; when the period is over the thread is told
once, and the escalation manager's close is recorded."""

from __future__ import annotations

import datetime as dt

import structlog

from bridge.domain import resolution
from bridge.domain.clocks import ClockEvent
from bridge.domain.plans import activate
from bridge.domain.records import Agreement, Escalation
from bridge.domain.resolution import Recurrence, report_recurrence
from bridge.services import effects
from bridge.services.closing.closure import tell_trackers
from bridge.services.collaborators import Collaborators, Service
from bridge.services.mrkdwn import escaped
from bridge.services.workflow import procedure
from bridge.services.workflow.steps import Said, Steps
from bridge.store.escalations import EscalationStore

log = structlog.get_logger(__name__)


def agree_monitoring_period(
    steps: Steps,
    escalation_id: int,
    *,
    until: dt.datetime,
    agreement: str,
    by: str,
    cause: str,
    now: dt.datetime,
) -> None:
    """The period the fix is monitored for, as agreed with the customer (002), in place of
    ``closure.monitoring_days``; the customer is told on the ticket until when. A step of
    Slack's form and of the API alike."""

    def decide(escalation: Escalation) -> Said:
        agreed = Agreement(by, agreement, now)
        end = resolution.agree_monitoring_period(
            escalation, until=until, agreement=agreed, cause=cause, now=now
        )
        when = f"{end:%Y-%m-%d %H:%M} UTC"
        return Said(
            f"Monitoring until {when}, agreed with the customer ({procedure.mention(by)}): "
            f"{escaped(agreement.strip())}",
            customer=f"As agreed with you, we monitor the fix until {when}; then, with your "
            "agreement, the escalation is closed.",
        )

    steps.run(escalation_id, "monitoring-period", decide, cause=cause, now=now)


class Monitoring(Service):
    def __init__(self, collaborators: Collaborators, steps: Steps) -> None:
        super().__init__(collaborators)
        self.steps = steps

    def same_problem(
        self, escalation_id: int, *, ticket_ref: str, by: str, now: dt.datetime
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
            engineer = escalation.engineer or "unassigned"
            activate(escalation, engineer=engineer, actor=by, cause=cause, now=now)
            return Said(
                f":rotating_light: Ticket {ticket_ref} reports the same problem during "
                f"monitoring: escalation reopened at level {int(escalation.level)}.",
                clocks=(ClockEvent.CUSTOMER_WROTE,),  # the customer is owed a reply again
            )

        self.steps.run(escalation_id, "recurrence", decide, cause=cause, now=now)
        if found[0] is Recurrence.REOPENED:
            with self.transactions.begin() as session:
                text = f"The problem recurred during monitoring (ticket {ticket_ref})."
                self.outbox.plan(session, tell_trackers(session, escalation_id, cause, text), now)
        return found[0]

    def close_after_monitoring(
        self, escalation_id: int, *, by: str, agreement: str, now: dt.datetime
    ) -> None:
        """The escalation manager closes on agreement once the period is over (002)."""
        procedure.close_after_monitoring(
            self.steps, escalation_id, agreement=agreement, by=by, cause="monitoring-over", now=now
        )

    def monitoring_tick(self, now: dt.datetime) -> int:
        """Tell the thread once when an escalation's monitoring period is over."""
        with self.transactions() as session:
            watched = EscalationStore(session).escalations(states=("monitoring",))
        told = 0
        for escalation in watched:
            until = escalation.monitoring_until
            if until is None or until > now:
                continue
            token = f"monitoring-over:{escalation.id}:{until.isoformat()}"
            with self.transactions.begin() as session:
                if not self.claim(session, token, now):
                    continue
                text = (
                    f"Monitoring ended {until:%Y-%m-%d} with no recurrence: close the escalation "
                    "once the customer agrees."
                )
                mention = [escalation.engineer] if escalation.engineer else []
                effect = effects.thread_reply(escalation.id, token, text=text, mention=mention)
                self.outbox.add(session, effect, now)
                told += 1
        return told
