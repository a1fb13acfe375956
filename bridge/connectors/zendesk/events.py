"""What a Zendesk delivery is keyed by in the inbox, so that a webhook and catch-up's copy of
it (the ticket event export) collide and act once: the Zendesk package's own reading, asked by
the bridge through ``ZendeskEvents`` (the ``EventKeys`` port)."""

from __future__ import annotations

from typing import Any

from bridge.services.json_body import as_object, as_text
from bridge.services.signals import MARKED_WHILE_DOWN

COMMENT_ADDED = "ticket.comment_added"


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


class ZendeskEvents:
    """The ``EventKeys`` port for Zendesk deliveries."""

    def content_key(self, event_type: str, payload: dict[str, Any]) -> str | None:
        return content_key(event_type, payload)
