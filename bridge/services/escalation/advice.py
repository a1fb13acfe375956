"""The "when not to escalate" advice (rule 3, 001) for a mirrored ticket, as ``request`` gives
it; Slack's triage modal asks for it before it closes, so that the person can justify an
override in the form they are still looking at."""

from __future__ import annotations

import datetime as dt

from bridge.config import Settings
from bridge.domain.enums import ReasonCategory
from bridge.domain.opening import Advice, advise
from bridge.domain.records import AdviceOverride, Ticket
from bridge.services.collaborators import Service
from bridge.services.escalation.policy import snapshot
from bridge.services.mrkdwn import inert
from bridge.store.escalations import AmbiguousTicket, EscalationStore

NO_ADVICE = Advice(frozenset())


def ticket_advice(
    settings: Settings, ticket: Ticket, reason: ReasonCategory, now: dt.datetime
) -> Advice:
    """Support replies within one business day of the ticket's region (000)."""
    calendar = snapshot(settings, ticket.region).calendar
    return advise(ticket, reason, now, reasonable_time=calendar.business_day, calendar=calendar)


def advised_against(advice: Advice) -> str:
    """The advice as the person escalating reads it, with how to go on all the same."""
    return (
        f"The bridge advises against escalating: {'; '.join(advice.explain())}. "
        "To escalate anyway, give a justification."
    )


def override_text(override: AdviceOverride) -> str:
    """The override as the escalation's thread shows it: who, against what, and why."""
    against = "; ".join(Advice(override.advice).explain())
    by, why = inert(override.by), inert(override.justification.strip())
    return f"Escalated against the advice ({against}) by {by}: {why}"


class Advisor(Service):
    def advice(self, ticket_ref: str, reason: ReasonCategory, now: dt.datetime) -> Advice:
        """The advice for the ticket ``ticket_ref`` names; none for a ticket that is unknown or
        ambiguous (the request itself refuses it, saying which)."""
        with self.transactions() as session:
            store = EscalationStore(session)
            try:
                row = store.find_ticket(ticket_ref)
            except AmbiguousTicket:
                return NO_ADVICE
            if row is None:
                return NO_ADVICE
            return ticket_advice(self.settings, store.ticket_of(row), reason, now)
