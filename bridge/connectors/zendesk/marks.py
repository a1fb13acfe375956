"""A ticket marked for escalation while the bridge heard no webhooks, as the incremental ticket
event export shows it: an ``Audit`` whose ``Change`` child event added the configured
``escalation_entry`` (the tag, or the drop-down field taking the value).

The trigger's webhook carries the triage answers the export does not have, so catch-up cannot
open the escalation: it hands over ``MARKED_WHILE_DOWN``, keyed by the audit and its change,
and support is asked to triage the ticket (``bridge/services/missed_marks.py``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bridge.config.helpdesks import EscalationEntry
from bridge.services.ports import MissedEvent
from bridge.services.signals import MARKED_WHILE_DOWN


def _words(value: Any) -> set[str]:
    words = value if isinstance(value, list) else str(value or "").split()
    return {str(word).strip().casefold() for word in words if str(word).strip()}


def marks(change: Any, entry: EscalationEntry) -> bool:
    """Whether this child event put the mark on the ticket (not merely kept it)."""
    if not isinstance(change, dict) or change.get("event_type") not in ("Change", "Create"):
        return False
    name = str(change.get("field_name") or "")
    if entry.tag is not None and name == "tags":
        tag = entry.tag.strip().casefold()
        if "added_tags" in change:
            return tag in _words(change.get("added_tags"))
        return tag in _words(change.get("value")) and tag not in _words(
            change.get("previous_value")
        )
    if entry.field_id is not None and name == str(entry.field_id):
        wanted = str(entry.value).strip().casefold()
        now = str(change.get("value") or "").strip().casefold()
        before = str(change.get("previous_value") or "").strip().casefold()
        return now == wanted and before != wanted
    return False


def envelope(
    kind: str, ticket: dict[str, Any], audit: dict[str, Any], event_id: object
) -> tuple[dict[str, Any], dt.datetime]:
    """A Zendesk event subscription's envelope of ``kind`` as the export lets it be rebuilt:
    ``detail`` is the ticket now, stamped with the audit's time; its id names the audit and
    the event, so ``events.content_key`` keys every copy of it alike."""
    at = dt.datetime.fromisoformat(str(audit["created_at"]).replace("Z", "+00:00"))
    stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    payload = {
        "type": f"zen:event-type:{kind}",
        "id": f"export:{audit.get('id')}:{event_id}",
        "time": stamp,
        "zendesk_event_version": "2022-11-06",
        "subject": f"zen:ticket:{ticket['id']}",
        "detail": {
            "id": str(ticket["id"]),
            "subject": ticket.get("subject"),
            "status": str(ticket.get("status") or "").upper(),
            "priority": str(ticket.get("priority") or "").upper(),
            "type": str(ticket.get("type") or "").upper(),
            "requester_id": str(ticket.get("requester_id") or ""),
            "organization_id": str(ticket.get("organization_id") or 0),
            "tags": ticket.get("tags") or [],
            "updated_at": stamp,
        },
    }
    return payload, at


def marked_while_down(
    ticket: dict[str, Any], audit: dict[str, Any], change: dict[str, Any], marked_by: str
) -> MissedEvent:
    """The tag or field change that marked the ticket, as its ``ticket.*_changed`` event."""
    field = "tags" if change.get("field_name") == "tags" else "custom_field"
    payload, at = envelope(f"ticket.{field}_changed", ticket, audit, change.get("id"))
    payload["detail"] |= {"created_at": ticket.get("created_at"), "updated_by": marked_by}
    payload["event"] = {
        "field_name": change.get("field_name"),
        "value": change.get("value"),
        "previous_value": change.get("previous_value"),
    }
    return MissedEvent("zendesk", MARKED_WHILE_DOWN, f"ticket:{ticket['id']}", payload, at)
