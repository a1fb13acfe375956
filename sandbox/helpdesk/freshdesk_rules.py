"""The sandbox account's automation rules and the bodies their "Trigger webhook" action sends.

- On a customer reply: Freshdesk's own placeholder names under ``freshdesk_webhook``
  (``{customer_reply}``, the latest public comment).
- When an agent sets the ticket's type to ``Escalation``: the bridge's documented template
  (docs/helpdesk-webhooks.md), its triage answers read from the ticket's custom fields
  (``cf_users_affected``…), as ``{{ticket.cf_users_affected}}`` renders them.
"""

from __future__ import annotations

from typing import Any

STATUS_NAMES = {2: "Open", 3: "Pending", 4: "Resolved", 5: "Closed"}
PRIORITY_NAMES = {1: "Low", 2: "Medium", 3: "High", 4: "Urgent"}
# The account's ticket types: Freshdesk's defaults, and the one the bridge's docs say to add.
TICKET_TYPES = ("Question", "Incident", "Problem", "Feature Request", "Refund", "Escalation")
ESCALATION_TYPE = "Escalation"
TRIAGE_FIELDS = {
    "users_affected": "cf_users_affected",
    "go_live_or_upgrade_date": "cf_go_live_date",
    "go_live_effect": "cf_go_live_effect",
    "go_live_can_complete": "cf_go_live_can_complete",
    "production_down": "cf_production_down",
    "acceptable_workaround": "cf_acceptable_workaround",
    "core_functionality_severely_affected": "cf_core_functionality",
    "anticipated_financial_loss": "cf_financial_loss",
}
CONTACT_FIELDS = {
    "phone": "cf_contact_phone",
    "email": "cf_contact_email",
    "hours_of_availability": "cf_contact_hours",
}
CUSTOM_FIELDS = ("cf_escalation_key", *TRIAGE_FIELDS.values(), *CONTACT_FIELDS.values())


def rendered(value: Any) -> str:
    """A placeholder renders as text; an empty field as nothing."""
    if value is None:
        return ""
    return str(value).lower() if isinstance(value, bool) else str(value)


def customer_reply_body(ticket: Any, body: str) -> dict[str, Any]:
    return {
        "freshdesk_webhook": {
            "ticket_id": ticket.id,
            "ticket_subject": ticket.subject,
            "ticket_status": STATUS_NAMES.get(ticket.status, str(ticket.status)),
            "ticket_latest_public_comment": body,
            "triggered_event": "{customer_reply}",
        }
    }


def escalation_body(ticket: Any, requester: str, company: str, agent: str) -> dict[str, Any]:
    fields = ticket.custom_fields
    triage: dict[str, Any] = {name: rendered(fields.get(cf)) for name, cf in TRIAGE_FIELDS.items()}
    triage["contact"] = {name: rendered(fields.get(cf)) for name, cf in CONTACT_FIELDS.items()}
    return {
        "ticket": {
            "id": str(ticket.id),
            "subject": ticket.subject,
            "description": ticket.description,
            "requester": requester,
            "organization": company,
            "priority": PRIORITY_NAMES.get(ticket.priority, ""),
            "type": ticket.type or "",
            "tags": ",".join(ticket.tags),
            "status": STATUS_NAMES.get(ticket.status, ""),
            "created_at": ticket.created_at,
            "updated_at": ticket.updated_at,
        },
        "triage": triage,
        "updated_by": agent,
    }
