"""The sandbox Freshdesk's tickets and conversations, and their JSON as Freshdesk's API v2
answers it (``type``, ``updated_at``; a conversation's ``incoming``, ``private``, ``user_id``
and ``source``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sandbox.helpdesk.freshdesk_rules import CUSTOM_FIELDS

REQUESTER_ID, AGENT_ID, COMPANY_ID = 43000001, 43000002, 43000003
AGENT_EMAIL = "agent@support.example"


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Conversation:
    id: int
    ticket_id: int
    body: str
    private: bool
    incoming: bool
    user_id: int
    source: int  # 0 reply, 2 note
    created_at: str = field(default_factory=now)


@dataclass
class FreshdeskTicket:
    id: int
    subject: str
    description: str
    status: int = 2
    priority: int = 2
    tags: list[str] = field(default_factory=list)
    type: str | None = "Incident"
    custom_fields: dict[str, Any] = field(default_factory=lambda: dict.fromkeys(CUSTOM_FIELDS))
    conversations: list[Conversation] = field(default_factory=list)
    created_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)


def ticket_json(ticket: FreshdeskTicket) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "subject": ticket.subject,
        "description": f"<div>{ticket.description}</div>",
        "description_text": ticket.description,
        "status": ticket.status,
        "priority": ticket.priority,
        "source": 2,
        "type": ticket.type,
        "requester_id": REQUESTER_ID,
        "company_id": COMPANY_ID,
        "responder_id": AGENT_ID,
        "group_id": None,
        "tags": ticket.tags,
        "custom_fields": ticket.custom_fields,
        "cc_emails": [],
        "fwd_emails": [],
        "reply_cc_emails": [],
        "fr_escalated": False,
        "spam": False,
        "is_escalated": False,
        "due_by": None,
        "fr_due_by": None,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
    }


def conversation_json(item: Conversation) -> dict[str, Any]:
    return {
        "id": item.id,
        "ticket_id": item.ticket_id,
        "body": f"<div>{item.body}</div>",
        "body_text": item.body,
        "private": item.private,
        "incoming": item.incoming,
        "user_id": item.user_id,
        "source": item.source,
        "support_email": None,
        "to_emails": [],
        "from_email": None,
        "attachments": [],
        "created_at": item.created_at,
        "updated_at": item.created_at,
    }
