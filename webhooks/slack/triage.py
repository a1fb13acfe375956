"""Reading and checking a submitted triage modal.

``read_triage(values)`` returns the answers (JSON-ready, named like ``TriageAnswers``) or the
errors to show in the modal, keyed by block id, as Slack's ``response_action: errors`` wants;
``advice_against`` the bridge's advice against escalating, until a justification overrides it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from bridge.domain.enums import ReasonCategory
from bridge.services.escalation.advice import Advisor, advised_against
from bridge.services.mrkdwn import REASON_LABELS
from bridge.services.receiving import dig
from webhooks.slack.modal import (
    ACTION,
    GO_LIVE_CAN_COMPLETE,
    OVERRIDE_JUSTIFICATION,
    REVIEW_CHECKS,
    WORKAROUND_REVIEW,
)

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9 ()./-]{6,30}(?:\s*(?:x|ext\.?)\s*[0-9]{1,6})?$")
MAX_USERS = 10_000_000
MAX_TEXT = 3_000


@dataclass
class _Reader:
    values: Any
    errors: dict[str, str] = field(default_factory=dict)

    def element(self, block: str) -> Any:
        return dig(self.values, block, ACTION)

    def text(self, block: str, required: str | None = None) -> str:
        value = dig(self.element(block), "value")
        text = value.strip()[:MAX_TEXT] if isinstance(value, str) else ""
        if not text and required:
            self.errors[block] = required
        return text

    def choice(self, block: str) -> str | None:
        value = dig(self.element(block), "selected_option", "value")
        return value if isinstance(value, str) else None

    def yes_no(self, block: str, missing: str = "Answer yes or no.") -> bool | None:
        answer = self.choice(block)
        if answer not in ("yes", "no"):
            self.errors[block] = missing
            return None
        return answer == "yes"

    def checked(self, block: str) -> set[str]:
        options = dig(self.element(block), "selected_options")
        if not isinstance(options, list):
            return set()
        return {value for option in options if isinstance(value := dig(option, "value"), str)}


def _reason(reader: _Reader) -> str | None:
    chosen = reader.choice("reason_category")
    valid = {reason.value for reason in REASON_LABELS}
    if chosen not in valid:
        reader.errors["reason_category"] = "Pick the reason for the escalation."
        return None
    return ReasonCategory(chosen).value


def _users(reader: _Reader) -> int | None:
    text = reader.text("users_affected", "Say how many users are affected.")
    if not text:
        return None
    if not text.isdigit() or int(text) > MAX_USERS:
        reader.errors["users_affected"] = "Give a whole number of users (0 or more)."
        return None
    return int(text)


def _date(reader: _Reader, block: str) -> str | None:
    value = dig(reader.element(block), "selected_date")
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat() if isinstance(value, str) else None
    except ValueError:
        reader.errors[block] = "Pick a date from the calendar."
        return None


def _go_live(reader: _Reader) -> dict[str, Any]:
    """The go-live date, and with a date its effect and whether it can still complete (a go-live
    today or tomorrow that cannot is Urgent, 002); without one those answers mean nothing."""
    due = _date(reader, "go_live_or_upgrade_date")
    if not due:
        return {"go_live_or_upgrade_date": due, "go_live_effect": ""}
    effect = reader.text("go_live_effect", "Say how the issue affects the go-live on that date.")
    can_complete = reader.yes_no(
        GO_LIVE_CAN_COMPLETE, "Say whether the go-live or upgrade can still complete on that date."
    )
    return {
        "go_live_or_upgrade_date": due,
        "go_live_effect": effect,
        GO_LIVE_CAN_COMPLETE: can_complete,
    }


def _review(reader: _Reader) -> dict[str, Any]:
    """The four questions of the pre-escalation review (003)."""
    review = reader.checked("review")
    if not set(REVIEW_CHECKS) <= review:
        reader.errors["review"] = (
            "Correct the problem statement and describe the business impact on the ticket "
            "before escalating (both boxes)."
        )
    workaround = reader.choice("workaround_impractical")
    if workaround not in WORKAROUND_REVIEW:
        reader.errors["workaround_impractical"] = "Say whether there is a usable workaround."
    return {
        **{check: check in review for check in REVIEW_CHECKS},
        "workaround_impractical": {"impractical": True, "practical": False}.get(workaround or ""),
        "critical_milestone_date": _date(reader, "critical_milestone_date"),
    }


def _contact(reader: _Reader) -> dict[str, str]:
    name = reader.text("contact_name", "Name the customer's contact person.")
    phone = reader.text("contact_phone", "Give the contact's phone number.")
    if phone and not PHONE.match(phone):
        reader.errors["contact_phone"] = "That does not look like a phone number."
    email = reader.text("contact_email", "Give the contact's email address.")
    if email and not EMAIL.match(email):
        reader.errors["contact_email"] = "That does not look like an email address."
    hours = reader.text("contact_hours", "When can the contact be reached?")
    return {"name": name, "phone": phone, "email": email, "hours_of_availability": hours}


def read_triage(values: Any) -> tuple[dict[str, Any] | None, dict[str, str]]:
    reader = _Reader(values)
    answers: dict[str, Any] = {
        "reason_category": _reason(reader),
        "reason_text": reader.text("reason_text", "Describe what happened."),
        "production_down": reader.yes_no("production_down"),
        "acceptable_workaround": reader.yes_no("acceptable_workaround"),
        "core_functionality_severely_affected": reader.yes_no(
            "core_functionality_severely_affected"
        ),
        "anticipated_financial_loss": reader.text(
            "anticipated_financial_loss", "Estimate the financial loss (or say none)."
        ),
        "users_affected": _users(reader),
        **_go_live(reader),
        "contact": _contact(reader),
        "review": _review(reader),
        OVERRIDE_JUSTIFICATION: reader.text(OVERRIDE_JUSTIFICATION),
    }
    if reader.errors:
        return None, reader.errors
    return answers, {}


def advice_against(
    advisor: Advisor, ticket: str, answers: dict[str, Any], now: dt.datetime
) -> dict[str, str]:
    """The bridge's advice against escalating, as an error on the justification field, unless
    a justification is given. The request is judged again when it is taken."""
    if answers[OVERRIDE_JUSTIFICATION]:
        return {}
    advice = advisor.advice(ticket, ReasonCategory(answers["reason_category"]), now)
    return {} if advice.proceed else {OVERRIDE_JUSTIFICATION: advised_against(advice)}
