"""How the bridge reads a Freshdesk delivery, the Freshdesk package's own reading asked
through ``FreshdeskEvents`` (the ``HelpdeskEvents`` port): what it is keyed by in the inbox,
so that a webhook and catch-up's copy of it (the tickets and conversations listings) collide
and act once; the ticket an automation sends in Freshdesk's own placeholder names under
``freshdesk_webhook``; and the customer's reply its reply rule sends. An automation that sends
the bridge's documented body is read by the core."""

from __future__ import annotations

import hashlib
import html
import re
from typing import Any, ClassVar

from bridge.services.json_body import addresses_in, as_object, as_text
from bridge.services.readings import HelpdeskComment, TicketFields
from bridge.services.signals import MARKED_WHILE_DOWN

# The reply rule names its event so (``{{triggered_event}}``); catch-up's copy of a reply too.
CUSTOMER_REPLY = "{customer_reply}"
_TAG = re.compile(r"<[^>]*>")


def content_key(event_type: str, payload: dict[str, Any]) -> str | None:
    """A customer's reply by its ticket and its text: the reply rule's body carries no
    conversation id (Freshdesk has no placeholder for one), the conversations listing the
    same text; markup and spacing, which the two render differently, are left out. A mark by
    its ticket and the entry: the listing shows the ticket's type now, not when it changed."""
    fields = as_object(payload.get("freshdesk_webhook"))
    raw = fields.get("ticket_id")
    ticket = str(raw) if isinstance(raw, (str, int)) and not isinstance(raw, bool) else ""
    if not ticket:
        return None
    if event_type == MARKED_WHILE_DOWN:
        mark = as_text(payload.get("marked"))
        return f"{MARKED_WHILE_DOWN}:{ticket}:{mark}" if mark else None
    if event_type == CUSTOMER_REPLY:
        text = " ".join(
            html.unescape(
                _TAG.sub(" ", as_text(fields.get("ticket_latest_public_comment")))
            ).split()
        )
        digest = hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:32]
        return f"{CUSTOMER_REPLY}:{ticket}:{digest}" if text else None
    return None


def ticket(document: dict[str, Any]) -> TicketFields | None:
    """Freshdesk's placeholders in the bridge's names: ``{{ticket.id}}`` arrives as
    ``ticket_id``, ``{{ticket.subject}}`` as ``ticket_subject``…, the contact's address as
    the requester and the company as the organisation."""
    fields = document.get("freshdesk_webhook")
    if not isinstance(fields, dict):
        return None
    named = {
        name.removeprefix("ticket_"): value
        for name, value in fields.items()
        if name.startswith("ticket_")
    } | {
        "requester": fields.get("ticket_contact_email", ""),
        "organization": fields.get("ticket_company_name", ""),
    }
    return TicketFields(named, "freshdesk")


def comment(document: dict[str, Any]) -> HelpdeskComment | None:
    """A ``{customer_reply}``: the customer's latest public comment, and the addresses the
    reply copied (``{{ticket.cc_email}}``). Other events carry no comment of Freshdesk's."""
    fields = document.get("freshdesk_webhook")
    if not isinstance(fields, dict) or fields.get("triggered_event") != CUSTOMER_REPLY:
        return None
    return HelpdeskComment(
        public=True,
        by_customer=True,
        text=str(fields.get("ticket_latest_public_comment", "")),
        copied=tuple(addresses_in(fields.get("ticket_cc_email") or fields.get("ticket_cc_emails"))),
    )


class FreshdeskEvents:
    """The ``HelpdeskEvents`` port for Freshdesk deliveries."""

    own_shape: ClassVar[str] = "a Freshdesk 'freshdesk_webhook'"

    def content_key(self, event_type: str, payload: dict[str, Any]) -> str | None:
        return content_key(event_type, payload)

    def ticket(self, document: dict[str, Any]) -> TicketFields | None:
        return ticket(document)

    def comment(self, document: dict[str, Any]) -> HelpdeskComment | None:
        return comment(document)
