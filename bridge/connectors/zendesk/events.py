"""How the bridge reads a Zendesk delivery, the Zendesk package's own reading asked through
``ZendeskEvents`` (the ``HelpdeskEvents`` port): what it is keyed by in the inbox, so that a
webhook and catch-up's copy of it (the ticket event export) collide and act once; the ticket
an event subscription (``zen:event-type:ticket.…``) carries in its ``detail``; and the comment
a ``ticket.comment_added`` carries. A trigger's body is the bridge's documented one, read by
the core."""

from __future__ import annotations

from typing import Any, ClassVar

from bridge.services.json_body import addresses_in, as_object, as_text
from bridge.services.readings import HelpdeskComment, TicketFields
from bridge.services.signals import MARKED_WHILE_DOWN

COMMENT_ADDED = "ticket.comment_added"
TICKET_EVENT = "zen:event-type:ticket."


def content_key(event_type: str, payload: dict[str, Any]) -> str | None:
    ticket = as_text(payload.get("subject")).removeprefix("zen:ticket:")
    if event_type == MARKED_WHILE_DOWN:
        # The audit that marked the ticket and its change: what only the export names.
        change = as_text(payload.get("id")).removeprefix("export:")
        return f"{MARKED_WHILE_DOWN}:{ticket}:{change}" if ticket and change else None
    if event_type == COMMENT_ADDED:
        # The event subscription's own id is not in the ticket event export; the comment's is.
        comment = str(as_object(as_object(payload.get("event")).get("comment")).get("id") or "")
        return f"{COMMENT_ADDED}:{ticket}:{comment}" if ticket and comment else None
    return None


def _text(fields: dict[str, Any], *names: str) -> str:
    for name in names:
        value = fields.get(name)
        if value not in (None, ""):
            return str(value)
    return ""


def ticket(document: dict[str, Any]) -> TicketFields | None:
    """An event subscription's ``detail`` is the ticket in the API's names (``requester_id``,
    ``organization_id``, ``custom_fields`` as a list, ``tags`` as a list); its time stands in
    for a ``detail`` without ``updated_at``."""
    detail = document.get("detail")
    if not str(document.get("type", "")).startswith(TICKET_EVENT) or not isinstance(detail, dict):
        return None
    updated_by = _text(detail, "updated_by", "assignee_id") or "zendesk"
    return TicketFields(
        {**detail, "updated_at": detail.get("updated_at") or document.get("time")}, updated_by
    )


def comment(document: dict[str, Any]) -> HelpdeskComment | None:
    """The comment of a ``comment_added`` event: public by ``is_public``, the customer's when
    its author is not staff (``is_staff``); a mail reply's ``via.source.from.
    original_recipients`` lists every To and CC address of the customer's mail."""
    event = as_object(document.get("event"))
    found = event.get("comment")
    if not isinstance(found, dict):
        return None
    staff = as_object(found.get("author")).get("is_staff")
    sender = as_object(as_object(as_object(found.get("via")).get("source")).get("from"))
    return HelpdeskComment(
        public=found.get("is_public") is True,
        by_customer=not staff if isinstance(staff, bool) else None,
        text=str(found.get("body", "")),
        copied=tuple(addresses_in(sender.get("original_recipients"))),
        message_id=str(found["id"]) if str(found.get("id") or "").strip() else "",
    )


class ZendeskEvents:
    """The ``HelpdeskEvents`` port for Zendesk deliveries."""

    own_shape: ClassVar[str] = "a Zendesk ticket event with 'detail'"

    def content_key(self, event_type: str, payload: dict[str, Any]) -> str | None:
        return content_key(event_type, payload)

    def ticket(self, document: dict[str, Any]) -> TicketFields | None:
        return ticket(document)

    def comment(self, document: dict[str, Any]) -> HelpdeskComment | None:
        return comment(document)
