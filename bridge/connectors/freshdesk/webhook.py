"""``POST /webhooks/freshdesk``: the "Trigger webhook" action of a Freshdesk automation rule.

Freshdesk signs nothing and sends the body the admin wrote, so the rule adds our secret as a
header (or an HMAC of the body, from a gateway that can sign), and the content is the id: a
customer's reply by its ticket and text (``EventKeys.content_key``), which catch-up's copy
from the conversations listing shares, anything else by its bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bridge.connectors.freshdesk.events import content_key
from bridge.domain.identifiers import numbered
from bridge.services import signatures
from bridge.services.receiving import (
    HeaderLookup,
    Ignored,
    Malformed,
    MiB,
    Receiver,
    check_requester,
    content_hash,
    dig,
    iso_time,
    scalar_text,
    ticket_id,
    token,
)
from bridge.store.inbox import Delivery

# How Freshdesk numbers its tickets; its connector class declares the same rule.
TICKET_IDS = numbered("Freshdesk")

SECRET_HEADER = "X-Freshdesk-Webhook-Secret"  # noqa: S105 - a header name
SIGNATURE_HEADER = "X-Freshdesk-Signature-256"


def _verify(body: bytes, headers: HeaderLookup, secrets: Sequence[bytes]) -> bool:
    return signatures.shared_secret(headers.get(SECRET_HEADER), secrets) or (
        signatures.sha256_prefixed(body, headers.get(SIGNATURE_HEADER), secrets)
    )


def describe(payload: dict[str, Any], headers: HeaderLookup, body: bytes) -> Delivery | Ignored:
    # Freshdesk's own placeholder wrapper, or a flat body the admin wrote.
    fields = payload.get("freshdesk_webhook")
    fields = fields if isinstance(fields, dict) else payload
    ticket = scalar_text(fields.get("ticket_id")) or scalar_text(dig(fields, "ticket", "id"))
    if ticket is None:
        raise Malformed("unexpected_payload", "body names no ticket (ticket_id)")
    ticket_id("freshdesk", ticket, TICKET_IDS)
    check_requester(fields)
    check_requester(fields.get("ticket"))
    event = scalar_text(fields.get("triggered_event")) or scalar_text(fields.get("event"))
    stamp = fields.get("ticket_updated_at") or fields.get("updated_at")
    event_type = token(event or "ticket.updated", "event", "unknown_event")
    keyed = content_key(event_type, payload)
    return Delivery(
        source="freshdesk",
        delivery_id=token(keyed, "delivery id") if keyed else content_hash(body),
        event_type=event_type,
        body=body,
        record_key=token(f"ticket:{ticket}", "record key"),
        provider_ts=iso_time(stamp),
    )


RECEIVER = Receiver(
    source="freshdesk",
    max_bytes=1 * MiB,
    verify=_verify,
    describe=describe,
    any_of_headers=(SECRET_HEADER, SIGNATURE_HEADER),
    purpose="Freshdesk's ticket events (escalation requests, customer replies)",
)
