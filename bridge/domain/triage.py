"""Triage (rule 4, 002), the pre-escalation review (rule 5, 003) and the remote session of an
Urgent escalation (002, 3rd step).

``require_complete_triage`` and ``check_review`` are the one rule every entry point (Slack, the
API, the helpdesk) applies before it opens or triages an escalation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bridge.domain.enums import Classification, EscalationStep
from bridge.domain.errors import (
    RemoteSessionRefused,
    ReviewNotPassed,
    TriageIncomplete,
    UrgentStaysUrgent,
)
from bridge.domain.lifecycle import RESOLVED_STATES, apply_step, record_in_place
from bridge.domain.records import (
    ContactDetails,
    Escalation,
    PreEscalationReview,
    RemoteSession,
    Ticket,
    TriageAnswers,
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


# The answers no entry point may leave out (002), by the field that carries each: who to call
# and when, how many users are affected, and the go-live.
REQUIRED_ANSWERS: dict[str, str] = {
    "contact.phone": "Contact person's phone?",
    "contact.email": "Contact person's email?",
    "contact.hours_of_availability": "Contact person's hours of availability?",
    "users_affected": "How many users are affected?",
    "go_live_or_upgrade_date": "Is a go-live or upgrade date at stake (the date, or none)?",
    "go_live_effect": "How does this issue affect the go-live date?",
}


def incomplete_triage(answers: TriageAnswers | None) -> list[str]:
    """The required answers still missing, by field name (empty when the triage may go on)."""
    given = answers or TriageAnswers()
    contact = given.contact or ContactDetails()
    missing = [
        name
        for name, value in (
            ("contact.phone", contact.phone),
            ("contact.email", contact.email),
            ("contact.hours_of_availability", contact.hours_of_availability),
        )
        if not value.strip()
    ]
    if given.users_affected is None or given.users_affected < 0:
        missing.append("users_affected")
    if not given.go_live_answered:
        missing.append("go_live_or_upgrade_date")
    elif given.go_live_or_upgrade_date is not None and not given.go_live_effect.strip():
        missing.append("go_live_effect")
    return missing


def require_complete_triage(answers: TriageAnswers | None) -> TriageAnswers:
    """Refuse, naming each missing field, unless the required answers are all given."""
    missing = incomplete_triage(answers)
    if missing or answers is None:
        names = tuple(missing)
        raise TriageIncomplete(names, tuple(REQUIRED_ANSWERS[name] for name in names))
    return answers


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


REVIEW_QUESTIONS: dict[str, str] = {
    "problem_statement_correct": "Is the problem statement correct?",
    "business_impact_described": "Does the ticket describe the business impact?",
    "workaround_impractical": "If there is a workaround, is it impractical or inappropriate?",
    "critical_milestone_date": "Is a critical milestone date identified?",
}


def check_review(review: PreEscalationReview | None) -> PreEscalationReview:
    """The review of 003 must be answered, and the ticket must state the problem and its
    business impact; a usable workaround or no milestone date is recorded, not refused."""
    if review is None:
        msg = "the pre-escalation review is unanswered: " + " ".join(REVIEW_QUESTIONS.values())
        raise ReviewNotPassed(msg)
    unfixed = [
        text
        for ok, text in (
            (review.problem_statement_correct, "correct the problem statement"),
            (review.business_impact_described, "describe the business impact"),
        )
        if not ok
    ]
    if unfixed:
        msg = f"before escalating, {' and '.join(unfixed)} on the ticket"
        raise ReviewNotPassed(msg)
    return review


def review_note(review: PreEscalationReview) -> str:
    """The four answers as the timeline shows them."""

    def yes_no(value: bool) -> str:
        return "yes" if value else "no"

    workaround = (
        "there is no workaround"
        if review.workaround_impractical is None
        else yes_no(review.workaround_impractical)
    )
    milestone = (
        review.critical_milestone.isoformat() if review.critical_milestone else "none identified"
    )
    answers = (
        yes_no(review.problem_statement_correct),
        yes_no(review.business_impact_described),
        workaround,
        milestone,
    )
    return " ".join(
        f"{question} {answer}."
        for question, answer in zip(REVIEW_QUESTIONS.values(), answers, strict=True)
    )


def record_review(
    escalation: Escalation,
    review: PreEscalationReview,
    *,
    actor: str,
    cause: str,
    now: datetime,
) -> None:
    """Keep the review on the escalation and its answers in the timeline."""
    check_review(review)
    escalation.review = review
    record_in_place(
        escalation, "review", actor=actor, cause=cause, now=now, note=review_note(review)
    )


def record_remote_session(
    escalation: Escalation,
    session: RemoteSession,
    *,
    cause: str,
    now: datetime,
) -> None:
    """The remote session held to review the issue, a step of an Urgent escalation (002)."""
    if escalation.classification is not Classification.URGENT:
        shown = escalation.classification.value if escalation.classification else "not triaged"
        msg = (
            f"escalation {escalation.id} is {shown.replace('_', ' ')}: a remote session is a "
            "step of an Urgent escalation"
        )
        raise RemoteSessionRefused(msg)
    if not escalation.is_open:
        msg = f"escalation {escalation.id} is {escalation.state.value}"
        raise RemoteSessionRefused(msg)
    if session.held_at.tzinfo is None:
        msg = "say when the remote session was held with its time zone"
        raise RemoteSessionRefused(msg)
    if session.held_at > now:
        msg = f"the remote session at {session.held_at.isoformat()} is in the future"
        raise RemoteSessionRefused(msg)
    attendees = tuple(name.strip() for name in session.attendees if name.strip())
    if not attendees:
        msg = "name at least one attendee of the remote session"
        raise RemoteSessionRefused(msg)
    if not session.outcome.strip():
        msg = "say what the remote session came to"
        raise RemoteSessionRefused(msg)
    held_at = session.held_at.astimezone(UTC)
    kept = RemoteSession(held_at, attendees, session.outcome.strip(), session.recorded_by)
    escalation.remote_sessions.append(kept)
    record_in_place(
        escalation,
        "remote_session",
        actor=session.recorded_by,
        cause=cause,
        now=now,
        note=(f"held {held_at:%Y-%m-%d %H:%M} UTC with {', '.join(attendees)}: {kept.outcome}"),
    )
