"""Triage (rule 4, 002) and the pre-escalation review (rule 5, 003)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bridge.domain.enums import Classification, EscalationState, EscalationStep
from bridge.domain.errors import UrgentStaysUrgent
from bridge.domain.lifecycle import apply_step, record_in_place
from bridge.domain.records import Escalation, Ticket, TriageAnswers

# "Resolved" for rule 4: the customer accepted the fix, or the matter is over.
RESOLVED_STATES = frozenset(
    {EscalationState.MONITORING, EscalationState.CLOSED, EscalationState.DE_ESCALATED}
)


def go_live_imminent(answers: TriageAnswers, today: date) -> bool:
    """A go-live or upgrade due today or tomorrow that cannot complete (002)."""
    due = answers.go_live_or_upgrade_date
    if due is None or answers.go_live_can_complete:
        return False
    return today <= due <= today + timedelta(days=1)


def classify(answers: TriageAnswers, today: date) -> Classification:
    """Urgent for the three circumstances of 002; otherwise High Priority."""
    urgent = (
        answers.production_down
        or go_live_imminent(answers, today)
        or answers.core_business_seriously_affected_live
    )
    return Classification.URGENT if urgent else Classification.HIGH_PRIORITY


def missing_answers(answers: TriageAnswers) -> list[str]:
    """The triage questions of 002 still unanswered, to ask the customer for."""
    missing: list[str] = []
    if answers.acceptable_workaround is None:
        missing.append("Is there an acceptable workaround?")
    if answers.core_functionality_severely_affected is None:
        missing.append("Is core business functionality severely affected?")
    if not answers.anticipated_financial_loss:
        missing.append("What is the anticipated financial loss to the business?")
    if answers.users_affected is None:
        missing.append("How many users are affected?")
    if answers.go_live_or_upgrade_date is not None and not answers.go_live_effect:
        missing.append("How does this issue affect the go-live date?")
    contact = answers.contact
    if contact is None or not (contact.phone and contact.email and contact.hours_of_availability):
        missing.append("Contact person's phone, email and hours of availability?")
    return missing


def triage(
    escalation: Escalation,
    answers: TriageAnswers,
    *,
    today: date,
    actor: str,
    cause: str,
    now: datetime,
) -> Classification:
    """Record the answers, classify, and move `requested -> triaged`."""
    classification = classify(answers, today)
    apply_step(
        escalation,
        EscalationStep.TRIAGE,
        actor=actor,
        cause=cause,
        now=now,
        note=classification.value,
    )
    escalation.triage = answers
    escalation.classification = classification
    return classification


def reclassify(
    escalation: Escalation,
    classification: Classification,
    *,
    actor: str,
    cause: str,
    now: datetime,
) -> None:
    """Change the classification; an Urgent escalation stays Urgent until it is resolved."""
    current = escalation.classification
    if current is classification:
        return
    if current is Classification.URGENT and escalation.state not in RESOLVED_STATES:
        msg = (
            f"escalation {escalation.id} is Urgent and stays Urgent until it is resolved "
            f"(it is {escalation.state.value})"
        )
        raise UrgentStaysUrgent(msg)
    escalation.classification = classification
    record_in_place(
        escalation,
        "reclassify",
        actor=actor,
        cause=cause,
        now=now,
        note=f"{current.value if current else 'none'} -> {classification.value}",
    )


@dataclass(frozen=True)
class ReviewFinding:
    question: str
    satisfied: bool


def review_before_escalating(
    ticket: Ticket, *, workaround_impractical: bool | None, milestone: date | None
) -> list[ReviewFinding]:
    """The checklist of 003 and 002: what to fix on the ticket before escalating it."""
    return [
        ReviewFinding("Is the problem statement correct?", bool(ticket.subject.strip())),
        ReviewFinding(
            "Does the ticket describe the business impact?", bool(ticket.description.strip())
        ),
        ReviewFinding(
            "If there is a workaround, is it impractical or inappropriate?",
            workaround_impractical is not False,
        ),
        ReviewFinding("Is a critical milestone date identified?", milestone is not None),
        ReviewFinding("Does the ticket describe a single problem?", len(ticket.problems) <= 1),
    ]
