"""Triage answers and the pre-escalation review as Slack's modal, the API and a helpdesk trigger
send them (plain JSON), as the domain's values."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bridge.domain.records import ContactDetails, PreEscalationReview, TriageAnswers
from bridge.services.json_body import parse_json


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
    (the domain names it). ``go_live_or_upgrade_date`` given as null answers "no go-live"."""
    contact = answers.get("contact")
    contact = contact if isinstance(contact, dict) else {}
    users = answers.get("users_affected")
    go_live_raw = answers.get("go_live_or_upgrade_date")
    go_live = _date(go_live_raw)
    return TriageAnswers(
        production_down=bool(answers.get("production_down")),
        go_live_or_upgrade_date=go_live,
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


def helpdesk_triage(body: bytes) -> TriageAnswers:
    """The triage answers a helpdesk trigger sends beside its ticket (``"triage": {...}``, the
    same keys as the API's); none at all when the trigger sends none."""
    try:
        document = parse_json(body)
    except (ValueError, UnicodeDecodeError):
        return TriageAnswers()
    triage = document.get("triage") if isinstance(document, dict) else None
    return triage_answers(triage if isinstance(triage, dict) else {})
