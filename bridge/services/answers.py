"""Triage answers and the pre-escalation review as Slack's modal, the API and a helpdesk trigger
send them (plain JSON), as the domain's values."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bridge.domain.errors import DomainError
from bridge.domain.records import ContactDetails, PreEscalationReview, TriageAnswers
from bridge.services.json_body import parse_json

# How a trigger's placeholders render a yes/no custom field (checkbox or drop-down).
_YES = frozenset({"true", "yes", "y", "1"})
_NO = frozenset({"false", "no", "n", "0"})
# A go-live field answered "no go-live or upgrade at stake".
_NO_DATE = frozenset({"none", "no", "n/a", "-"})


class UnreadableAnswers(DomainError):
    """A helpdesk trigger sent an answer the bridge cannot read (placeholder text that is not
    a number, a yes/no or a date); ``problems`` names each field."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        listed = "; ".join(f"{name}: {problem}" for name, problem in problems.items())
        super().__init__(f"the triage answers cannot be read: {listed}")


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _yes_no(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def triage_answers(answers: dict[str, Any]) -> TriageAnswers:
    """Unknown keys are ignored; a missing answer, or one of the wrong kind, stays unanswered
    (the domain names it). ``go_live_or_upgrade_date`` given as null answers "no go-live";
    with a date, ``go_live_can_complete`` false says it cannot complete (left out: it can)."""
    contact = answers.get("contact")
    contact = contact if isinstance(contact, dict) else {}
    users = answers.get("users_affected")
    go_live_raw = answers.get("go_live_or_upgrade_date")
    go_live = _date(go_live_raw)
    return TriageAnswers(
        production_down=bool(answers.get("production_down")),
        go_live_or_upgrade_date=go_live,
        go_live_can_complete=go_live is None or answers.get("go_live_can_complete") is not False,
        acceptable_workaround=_yes_no(answers.get("acceptable_workaround")),
        core_functionality_severely_affected=_yes_no(
            answers.get("core_functionality_severely_affected")
        ),
        core_business_seriously_affected_live=bool(
            answers.get("core_functionality_severely_affected")
        ),
        anticipated_financial_loss=str(answers.get("anticipated_financial_loss") or ""),
        users_affected=users if isinstance(users, int) and not isinstance(users, bool) else None,
        go_live_effect=str(answers.get("go_live_effect") or ""),
        contact=ContactDetails(
            phone=str(contact.get("phone") or ""),
            email=str(contact.get("email") or ""),
            hours_of_availability=str(contact.get("hours_of_availability") or ""),
        ),
        go_live_answered="go_live_or_upgrade_date" in answers
        and (go_live_raw is None or go_live is not None),
    )


def review_answers(review: Any) -> PreEscalationReview | None:
    """The four answers of the review (003); None when the review was not answered at all."""
    if not isinstance(review, dict) or not review:
        return None
    return PreEscalationReview(
        problem_statement_correct=review.get("problem_statement_correct") is True,
        business_impact_described=review.get("business_impact_described") is True,
        workaround_impractical=_yes_no(review.get("workaround_impractical")),
        critical_milestone=_date(review.get("critical_milestone_date")),
    )


# An answer the trigger left empty: as if the key were not sent.
_UNANSWERED = object()
_YES_NO_FIELDS = (
    "production_down",
    "go_live_can_complete",
    "acceptable_workaround",
    "core_functionality_severely_affected",
)


def _placeholder(name: str, value: Any, problems: dict[str, str]) -> Any:
    """One answer as a trigger's placeholder rendered it: text for every field. An empty text
    is no answer; text of the wrong kind is recorded in ``problems``."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text:
        return _UNANSWERED
    if name == "users_affected":
        if text.isascii() and text.isdigit():
            return int(text)
        problems[name] = f"{text[:40]!r} is not a whole number"
    elif name in _YES_NO_FIELDS:
        if text.lower() in _YES | _NO:
            return text.lower() in _YES
        problems[name] = f"{text[:40]!r} is not yes or no"
    elif name == "go_live_or_upgrade_date":
        if text.lower() in _NO_DATE:
            return None
        if _date(text) is not None:
            return text
        problems[name] = f"{text[:40]!r} is not a date (YYYY-MM-DD) or none"
    else:
        return text
    return _UNANSWERED


def helpdesk_triage(body: bytes) -> TriageAnswers:
    """The triage answers a helpdesk trigger sends beside its ticket (``"triage": {...}``, the
    same keys as the API's); none at all when the trigger sends none.

    A helpdesk trigger renders each answer from a custom field as text (``"250"``, ``"true"``,
    ``"2025-05-01"``): numbers, yes/no and dates are read from it, an empty text is no answer,
    and text of the wrong kind is refused (``UnreadableAnswers``, naming each field)."""
    try:
        document = parse_json(body)
    except (ValueError, UnicodeDecodeError):
        return TriageAnswers()
    triage = document.get("triage") if isinstance(document, dict) else None
    if not isinstance(triage, dict):
        return TriageAnswers()
    problems: dict[str, str] = {}
    answers: dict[str, Any] = {}
    for name, value in triage.items():
        if name == "contact" and isinstance(value, dict):
            answers[name] = value
            continue
        read = _placeholder(name, value, problems)
        if read is not _UNANSWERED:
            answers[name] = read
    if problems:
        raise UnreadableAnswers(problems)
    return triage_answers(answers)


def shown_triage(answers: TriageAnswers | None) -> dict[str, Any] | None:
    """The triage answers for the people working the escalation (the API's ``triage``, the
    Slack message, ``/escalate status``, the board): plain JSON named as the API takes them,
    an answer not given as null; None for an escalation opened without any."""
    if answers is None:
        return None
    contact = answers.contact or ContactDetails()
    due = answers.go_live_or_upgrade_date
    return {
        "production_down": answers.production_down,
        "acceptable_workaround": answers.acceptable_workaround,
        "core_functionality_severely_affected": answers.core_functionality_severely_affected,
        "anticipated_financial_loss": answers.anticipated_financial_loss or None,
        "users_affected": answers.users_affected,
        "go_live_or_upgrade_date": due.isoformat() if due else None,
        "go_live_effect": answers.go_live_effect or None,
        "contact": {
            "phone": contact.phone or None,
            "email": contact.email or None,
            "hours_of_availability": contact.hours_of_availability or None,
        },
    }
