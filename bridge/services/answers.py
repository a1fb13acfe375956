"""Triage answers as Slack's modal and the API send them (plain JSON), as the domain's value."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bridge.domain.records import ContactDetails, TriageAnswers


def triage_answers(answers: dict[str, Any]) -> TriageAnswers:
    """Unknown keys are ignored; a missing answer stays unanswered (the domain lists it)."""
    contact = answers.get("contact") or {}
    go_live = answers.get("go_live_or_upgrade_date")
    return TriageAnswers(
        production_down=bool(answers.get("production_down")),
        go_live_or_upgrade_date=dt.date.fromisoformat(go_live) if go_live else None,
        acceptable_workaround=answers.get("acceptable_workaround"),
        core_functionality_severely_affected=answers.get("core_functionality_severely_affected"),
        core_business_seriously_affected_live=bool(
            answers.get("core_functionality_severely_affected")
        ),
        anticipated_financial_loss=str(answers.get("anticipated_financial_loss") or ""),
        users_affected=answers.get("users_affected"),
        go_live_effect=str(answers.get("go_live_effect") or ""),
        contact=ContactDetails(
            phone=str(contact.get("phone", "")),
            email=str(contact.get("email", "")),
            hours_of_availability=str(contact.get("hours_of_availability", "")),
        ),
    )
