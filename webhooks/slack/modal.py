"""The triage modal ``/escalate`` opens: the questions of docs/domain.md rules 4 and 5.

Each question is one input block; its ``block_id`` is the answer's name, so validation errors
(``response_action: errors``) point at the right block.
"""

from __future__ import annotations

import json
from typing import Any

from bridge.services.block_text import plain
from bridge.services.mrkdwn import REASON_LABELS
from bridge.store.queries import TicketView

CALLBACK_ID = "escalation_triage"
ACTION = "value"  # every input element uses this action id; the block id names the answer
GO_LIVE_CAN_COMPLETE = "go_live_can_complete"
# Filled in to escalate although the bridge advises against it (rule 3); the modal asks for it
# again, with the advice, when it is empty and the advice is against.
OVERRIDE_JUSTIFICATION = "override_justification"

REVIEW_CHECKS = {
    "problem_statement_correct": "The problem statement on the ticket is correct",
    "business_impact_described": "The business impact is described on the ticket",
}
# "If there is a workaround, is it impractical or inappropriate?" (003)
WORKAROUND_REVIEW = {
    "none": "There is no workaround",
    "impractical": "Yes: impractical or inappropriate",
    "practical": "No: the customer can use it",
}


def _text(value: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": value[:150]}


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": _text(label), "value": value}


def _input(
    block_id: str, label: str, element: dict[str, Any], optional: bool = False, hint: str = ""
) -> dict[str, Any]:
    block = {
        "type": "input",
        "block_id": block_id,
        "label": _text(label),
        "element": {"action_id": ACTION, **element},
        "optional": optional,
    }
    if hint:
        block["hint"] = _text(hint)
    return block


def _yes_no(block_id: str, label: str, optional: bool = False) -> dict[str, Any]:
    options = [_option("yes", "Yes"), _option("no", "No")]
    return _input(block_id, label, {"type": "radio_buttons", "options": options}, optional)


def _plain(
    block_id: str, label: str, multiline: bool = False, initial: str = "", optional: bool = False
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "multiline": multiline}
    if initial:
        element["initial_value"] = initial[:3000]
    return _input(block_id, label, element, optional=optional)


def triage_modal(ticket: TicketView, reason: str, channel_id: str | None) -> dict[str, Any]:
    reasons = [_option(reason.value, label) for reason, label in REASON_LABELS.items()]
    review = [_option(value, label) for value, label in REVIEW_CHECKS.items()]
    workaround = [_option(value, label) for value, label in WORKAROUND_REVIEW.items()]
    metadata = {"ticket": ticket.ref, "ticket_id": ticket.id, "channel": channel_id}
    blocks = [
        {"type": "section", "text": plain(f"Escalating ticket {ticket.ref}: {ticket.subject}")},
        _input("reason_category", "Why escalate?", {"type": "static_select", "options": reasons}),
        _plain("reason_text", "What happened", multiline=True, initial=reason),
        _yes_no("production_down", "Is a production system down?"),
        _yes_no("acceptable_workaround", "Is there an acceptable workaround?"),
        _yes_no(
            "core_functionality_severely_affected",
            "Is core business functionality severely affected?",
        ),
        _plain("anticipated_financial_loss", "Anticipated financial loss"),
        _input(
            "users_affected",
            "Users affected",
            {"type": "number_input", "is_decimal_allowed": False, "min_value": "0"},
        ),
        _input(
            "go_live_or_upgrade_date",
            "Go-live or upgrade date",
            {"type": "datepicker"},
            optional=True,
        ),
        _yes_no(
            GO_LIVE_CAN_COMPLETE, "Can the go-live or upgrade still complete on that date?", True
        ),
        _plain("go_live_effect", "Effect on the go-live (if there is a date)", optional=True),
        _plain("contact_name", "Customer contact: name"),
        _plain("contact_phone", "Contact phone"),
        _input("contact_email", "Contact email", {"type": "email_text_input"}),
        _plain("contact_hours", "Contact hours of availability"),
        _input(
            "review",
            "Before escalating, I checked",
            {"type": "checkboxes", "options": review},
            hint="Both must be true; fix the ticket first if not.",
        ),
        _input(
            "workaround_impractical",
            "If there is a workaround, is it impractical or inappropriate?",
            {"type": "radio_buttons", "options": workaround},
        ),
        _input(
            "critical_milestone_date",
            "Critical milestone date on the ticket",
            {"type": "datepicker"},
            optional=True,
            hint="Leave empty if the ticket identifies none.",
        ),
        _input(
            OVERRIDE_JUSTIFICATION,
            "Escalate anyway — justification",
            {"type": "plain_text_input", "multiline": True},
            optional=True,
            hint="Only when the bridge advises against escalating: why escalate all the same.",
        ),
    ]
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": _text("Escalate ticket"),
        "submit": _text("Escalate"),
        "close": _text("Cancel"),
        "private_metadata": json.dumps(metadata),
        "blocks": blocks,
    }
