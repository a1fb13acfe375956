"""Errors the domain raises; the API and Slack turn each into a clear message.

DomainError
├── IllegalTransition        a lifecycle step the record's state does not allow
├── UnknownTicket            an escalation that names no existing ticket (rule 1)
├── AlreadyEscalated         a second escalation for a ticket whose escalation is open
├── RuleViolation            a seed rule refuses the command
│   ├── AdviceNotOverridden      "when not to escalate" advice was not overridden (rule 3)
│   ├── TicketNeedsSplit         several problems in one ticket (rule 5)
│   ├── TriageIncomplete         a required triage answer is missing (rule 4), named by field
│   ├── ReviewNotPassed          the pre-escalation review is missing or fails (rule 5)
│   ├── RemoteSessionRefused     a remote session on an escalation that is not Urgent (002)
│   ├── UrgentStaysUrgent        downgrade of an unresolved Urgent escalation (rule 4)
│   ├── LevelCeilingReached      no level above 3 (rule 6)
│   ├── DeEscalationBlocked      a rule-10 precondition is missing
│   ├── MonitoringNotOver        close before the agreed monitoring period ends
│   ├── OutcomeIncomplete        an outcome without the detail rule 11 asks for
│   └── PlanNotFound             no such action plan on the escalation
└── InvalidCalendar          business hours or instants the SLA engine cannot use
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the domain raises."""


class IllegalTransition(DomainError):
    def __init__(self, kind: str, record_id: str, state: str, step: str) -> None:
        self.kind = kind
        self.record_id = record_id
        self.state = state
        self.step = step
        msg = f"{kind} {record_id} is {state!r}: step {step!r} is not allowed from there"
        super().__init__(msg)


class UnknownTicket(DomainError):
    def __init__(self, ticket_ref: str) -> None:
        self.ticket_ref = ticket_ref
        shown = ticket_ref or "(none given)"
        msg = (
            f"no ticket {shown}: an escalation must name an existing ticket; "
            "open a ticket first, then escalate it"
        )
        super().__init__(msg)


class AlreadyEscalated(DomainError):
    """One escalation per ticket at a time: a second one would run a second set of clocks and
    tell the customer everything twice."""

    def __init__(self, ticket_ref: str, escalation_id: str) -> None:
        self.ticket_ref = ticket_ref
        self.escalation_id = escalation_id
        msg = (
            f"ticket {ticket_ref} is already escalated: escalation {escalation_id} is open; "
            "follow it there, or raise its level if it needs more attention"
        )
        super().__init__(msg)


class RuleViolation(DomainError):
    """A command is well formed but a rule of the escalation procedure refuses it."""


class AdviceNotOverridden(RuleViolation):
    pass


class TicketNeedsSplit(RuleViolation):
    pass


class TriageIncomplete(RuleViolation):
    """Answers every entry point needs before an escalation is opened or triaged; ``missing``
    names each by its field (``contact.phone``, ``users_affected``…)."""

    def __init__(self, missing: tuple[str, ...], questions: tuple[str, ...]) -> None:
        self.missing = missing
        self.questions = questions
        msg = (
            f"the triage is incomplete: missing {', '.join(missing)} "
            f"(ask the customer: {' '.join(questions)})"
        )
        super().__init__(msg)


class ReviewNotPassed(RuleViolation):
    pass


class RemoteSessionRefused(RuleViolation):
    pass


class UrgentStaysUrgent(RuleViolation):
    pass


class LevelCeilingReached(RuleViolation):
    pass


class EscalationClosed(RuleViolation):
    pass


class AlreadyAtLevel(RuleViolation):
    """Asked to raise to a level the escalation has already reached."""


class DeEscalationBlocked(RuleViolation):
    def __init__(self, escalation_id: str, missing: tuple[str, ...]) -> None:
        self.escalation_id = escalation_id
        self.missing = missing
        msg = f"escalation {escalation_id} cannot be de-escalated yet: {'; '.join(missing)}"
        super().__init__(msg)


class MonitoringNotOver(RuleViolation):
    pass


class MonitoringPeriodRefused(RuleViolation):
    """A monitoring period agreed outside monitoring, without the agreement, or ending before
    now."""


class OutcomeIncomplete(RuleViolation):
    pass


class PlanNotFound(RuleViolation):
    pass


class InvalidCalendar(DomainError):
    pass
