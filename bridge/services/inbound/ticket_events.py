"""Helpdesk ticket events in, as a domain ``Ticket``.

The bridge's own documented trigger body (docs/helpdesk-webhooks.md: what a helpdesk's trigger
or automation is told to send, and what the generic ``/webhooks/intake`` takes) is read here:
``{"ticket": {"id", "subject", "requester", "organization", "priority", "severity", "type",
"tags", "custom_fields", "status", "region", "product", "created_at", "updated_at"},
"updated_by"}``. A delivery in a helpdesk's own shape is read by the helpdesk's package (its
``HelpdeskEvents.ticket``) into that body's words, and then read the same way.

Whether the ticket is marked for escalation is read as the helpdesk's ``escalation_entry``
(bridge.yaml) says: a tag, a custom field's value, or a ticket type.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bridge.config.helpdesks import EscalationEntry
from bridge.domain.enums import Priority, Severity
from bridge.domain.identifiers import (
    NO_RULES,
    TicketIds,
    requester_problem,
    ticket_id_problem,
)
from bridge.domain.records import Ticket
from bridge.jobs.registry import PermanentError
from bridge.services.json_body import parse_json
from bridge.services.readings import HelpdeskEvents, TicketFields

SEVERITY_BY_PRIORITY = {"urgent": 1, "high": 2, "normal": 3, "low": 4}


class UnreadableTicketEvent(PermanentError):
    """The body is not one of the understood shapes; the message names what is missing."""


@dataclass(frozen=True)
class TicketEvent:
    ticket: Ticket
    updated_by: str
    updated_at: dt.datetime | None


def _when(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _text(fields: dict[str, Any], *names: str) -> str:
    for name in names:
        value = fields.get(name)
        if value not in (None, ""):
            return str(value)
    return ""


def _priority(raw: str) -> Priority:
    try:
        return Priority(raw.strip().lower())
    except ValueError:
        return Priority.NORMAL


def _severity(fields: dict[str, Any], priority: Priority) -> Severity:
    raw = fields.get("severity")
    try:
        return Severity(int(raw))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return Severity(SEVERITY_BY_PRIORITY[priority.value])


def _tags(raw: Any) -> set[str]:
    """A trigger's ``{{ticket.tags}}`` renders space- or comma-separated, depending on the
    helpdesk; a helpdesk's own event may send a list."""
    words = raw if isinstance(raw, list) else str(raw or "").replace(",", " ").split()
    return {str(word).strip().casefold() for word in words if str(word).strip()}


def _custom_field(raw: Any, field_id: int) -> str:
    """``{"<id>": value}`` as the template writes it, or ``[{"id", "value"}]`` as the API."""
    if isinstance(raw, dict):
        return _text(raw, str(field_id))
    if isinstance(raw, list):
        for item in raw:
            if isinstance(item, dict) and str(item.get("id")) == str(field_id):
                return _text(item, "value")
    return ""


def marked_for_escalation(fields: dict[str, Any], entry: EscalationEntry) -> bool:
    if entry.tag is not None:
        return entry.tag.strip().casefold() in _tags(fields.get("tags"))
    if entry.field_id is not None:
        found = _custom_field(fields.get("custom_fields"), entry.field_id)
        return found.strip().casefold() == str(entry.value).strip().casefold()
    kind = _text(fields, "type", "ticket_type")
    return bool(kind) and kind.strip().casefold() == str(entry.type).strip().casefold()


def _fields(document: dict[str, Any], events: HelpdeskEvents | None) -> TicketFields:
    """The documented body's ``ticket`` first, else the helpdesk's own shape as its package
    reads it."""
    if isinstance(document.get("ticket"), dict):
        return TicketFields(document["ticket"], _text(document, "updated_by"))
    found = events.ticket(document) if events is not None else None
    if found is None:
        also = f" or {events.own_shape}" if events is not None else ""
        msg = f"expected a 'ticket' object{also}"
        raise UnreadableTicketEvent(msg)
    return found


def parse_ticket_event(
    body: bytes, entry: EscalationEntry, events: HelpdeskEvents | None
) -> TicketEvent:
    """``events``: how the helpdesk that sent it reads its own deliveries (None for a source
    that sends only the documented body, such as the generic intake)."""
    try:
        document = parse_json(body)
    except (ValueError, UnicodeDecodeError) as exc:
        msg = "body is not JSON"
        raise UnreadableTicketEvent(msg) from exc
    if not isinstance(document, dict):
        msg = "body is not a JSON object"
        raise UnreadableTicketEvent(msg)
    reading = _fields(document, events)
    fields = reading.fields
    number = _text(fields, "id", "ticket_id")
    if not number:
        msg = "the ticket has no id"
        raise UnreadableTicketEvent(msg)
    priority = _priority(_text(fields, "priority"))
    ticket = Ticket(
        external_id=number,
        requester=_text(fields, "requester", "requester_email", "requester_id"),
        organisation=_text(fields, "organization", "organisation", "organization_id"),
        subject=_text(fields, "subject"),
        description=_text(fields, "description"),
        severity=_severity(fields, priority),
        priority=priority,
        product=_text(fields, "product"),
        region=_text(fields, "region"),
        status=_text(fields, "status") or "open",
        ticket_type=_text(fields, "type", "ticket_type").lower(),
        escalation_marked=marked_for_escalation(fields, entry),
        opened_at=_when(fields.get("created_at")),
    )
    return TicketEvent(ticket, reading.updated_by or "helpdesk", _when(fields.get("updated_at")))


def check_ticket(helpdesk: str, ticket: Ticket, rules: Mapping[str, TicketIds] = NO_RULES) -> None:
    """Refuse a ticket the helpdesk's API could not take or a notice could not be addressed to
    (the receivers refuse these at the door; a delivery stored before they did stops here, so
    none of its side effects is queued to dead-letter)."""
    problem = ticket_id_problem(helpdesk, ticket.external_id, rules) or requester_problem(
        ticket.requester
    )
    if problem is not None:
        raise UnreadableTicketEvent(problem)
