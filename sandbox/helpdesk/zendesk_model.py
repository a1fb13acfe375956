"""Zendesk's tickets and comments as the sandbox keeps them, and their JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
# Zendesk's ticket types: an account cannot add one (an escalation is a tag or a field's value).
TICKET_TYPES = ("problem", "incident", "question", "task")
RECIPIENT = "support@company.example"
CUSTOMER_ID, AGENT_ID, ORG_ID = 20978392, 76872, 509974
ORGANIZATION = {
    "id": ORG_ID,
    "name": "Customer Corp",
    "domain_names": ["customer.example"],
    "tags": ["enterprise"],
}
TICKET_FIELDS = (
    {"id": 27642, "title": "Product area", "type": "text"},
    {"id": 27648, "title": "Escalation key", "type": "text"},
)


def seed_users(agent_email: str) -> dict[int, dict[str, Any]]:
    customer = {"id": CUSTOMER_ID, "name": "Casey Customer", "email": "casey@customer.example"}
    agent = {"id": AGENT_ID, "name": "Alice Agent", "email": agent_email}
    return {
        CUSTOMER_ID: customer | {"role": "end-user", "organization_id": ORG_ID},
        AGENT_ID: agent | {"role": "agent", "organization_id": None},
    }


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class ZendeskComment:
    id: int
    body: str
    public: bool
    author_id: int
    created_at: str = field(default_factory=now)
    via: dict[str, Any] | None = None


@dataclass
class ZendeskTicket:
    id: int
    subject: str
    description: str
    requester_id: int = CUSTOMER_ID
    organization_id: int | None = ORG_ID
    status: str = "open"
    priority: str | None = "normal"
    tags: list[str] = field(default_factory=list)
    custom_fields: dict[int, Any] = field(default_factory=dict)
    comments: list[ZendeskComment] = field(default_factory=list)
    type: str | None = "incident"
    email_cc_ids: list[int] = field(default_factory=list)
    external_id: str | None = None
    created_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)
    # The audits of updates that changed its tags or custom fields, as the ticket event
    # export lists them (``zendesk_export.py``): {"id", "created_at", "updater_id", "changes"}.
    audits: list[dict[str, Any]] = field(default_factory=list)
    # The ``Create`` child events of the audit that created it, beyond its subject: the tags
    # and custom fields it was created with (``record_creation``).
    created_with: list[dict[str, Any]] = field(default_factory=list)


def ticket_json(ticket: ZendeskTicket, url: str, fields: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "url": url,
        "external_id": ticket.external_id,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "type": ticket.type,
        "subject": ticket.subject,
        "raw_subject": ticket.subject,
        "description": ticket.description,
        "priority": ticket.priority,
        "status": ticket.status,
        "recipient": RECIPIENT,
        "requester_id": ticket.requester_id,
        "submitter_id": ticket.requester_id,
        "assignee_id": AGENT_ID,
        "organization_id": ticket.organization_id,
        "group_id": None,
        "collaborator_ids": list(ticket.email_cc_ids),
        "follower_ids": [],
        "email_cc_ids": list(ticket.email_cc_ids),
        "problem_id": None,
        "has_incidents": False,
        "is_public": True,
        "due_at": None,
        "tags": ticket.tags,
        "via": {"channel": "web"},
        "custom_fields": [
            {"id": f["id"], "value": ticket.custom_fields.get(f["id"])} for f in fields
        ],
        "satisfaction_rating": None,
        "sharing_agreement_ids": [],
        "brand_id": 1,
        "allow_attachments": True,
    }


def comment_json(comment: ZendeskComment) -> dict[str, Any]:
    return {
        "id": comment.id,
        "type": "Comment",
        "author_id": comment.author_id,
        "body": comment.body,
        "html_body": f"<p>{comment.body}</p>",
        "plain_body": comment.body,
        "public": comment.public,
        "attachments": [],
        "created_at": comment.created_at,
        "via": comment.via or {"channel": "api"},
    }


def email_via(sender: dict[str, Any], recipients: list[str]) -> dict[str, Any]:
    """The Via object of a comment that arrived by email: ``original_recipients`` holds every
    To and CC address of the mail (Zendesk's ticket audit "Via object")."""
    return {
        "channel": "email",
        "source": {
            "from": {
                "address": sender["email"],
                "name": sender["name"],
                "original_recipients": recipients,
            },
            "to": {"address": RECIPIENT, "name": "Support"},
            "rel": None,
        },
    }


def user_for(users: dict[int, dict[str, Any]], new_id: int, email: str, name: str) -> int:
    """The id of the user with ``email``, created as an end user when Zendesk has none (as
    setting an email CC does)."""
    for user_id, user in users.items():
        if user["email"].lower() == email.lower():
            return user_id
    users[new_id] = {
        "id": new_id,
        "name": name or email,
        "email": email.lower(),
        "role": "end-user",
        "organization_id": None,
    }
    return new_id
