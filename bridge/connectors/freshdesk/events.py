"""What a Freshdesk delivery is keyed by in the inbox, so that a webhook and catch-up's copy of
it (the tickets and conversations listings) collide and act once: the Freshdesk package's own
reading, asked by the bridge through ``FreshdeskEvents`` (the ``EventKeys`` port)."""

from __future__ import annotations

import hashlib
import html
import re
from typing import Any

from bridge.services.json_body import as_object, as_text
from bridge.services.signals import CUSTOMER_REPLY, MARKED_WHILE_DOWN

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


class FreshdeskEvents:
    """The ``EventKeys`` port for Freshdesk deliveries."""

    def content_key(self, event_type: str, payload: dict[str, Any]) -> str | None:
        return content_key(event_type, payload)
