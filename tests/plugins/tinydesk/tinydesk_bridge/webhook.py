"""``POST /webhooks/tinydesk``: TinyDesk's webhook, signed with the shared secret.

The bridge serves this receiver for us and climbs its guard ladder first (secret configured,
size, content type, the headers named here, then ``verify``); ``describe`` then says what a
verified delivery is, and the bridge stores it in its inbox before answering 202. The body is
the documented ticket shape (``{"ticket": {...}, "updated_by"}``) the bridge's helpdesk events
are read from.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bridge.services import signatures
from bridge.services.receiving import (
    HeaderLookup,
    Ignored,
    Malformed,
    MiB,
    Receiver,
    check_requester,
    dig,
    iso_time,
    scalar_text,
    ticket_id,
    token,
)
from bridge.store.inbox import Delivery

DELIVERY_HEADER = "X-TinyDesk-Delivery"
SIGNATURE_HEADER = "X-TinyDesk-Signature"
EVENTS = ("ticket.created", "ticket.updated", "message.created")


def verify(body: bytes, headers: HeaderLookup, secrets: Sequence[bytes]) -> bool:
    """``sha256=<hex HMAC-SHA256 of the body>``, under any of the active secrets."""
    return signatures.sha256_prefixed(body, headers.get(SIGNATURE_HEADER), secrets)


def describe(payload: dict[str, Any], headers: HeaderLookup, body: bytes) -> Delivery | Ignored:
    event = token(scalar_text(payload.get("event")), "event", "unknown_event")
    if event not in EVENTS:
        return Ignored(f"TinyDesk event {event!r} says nothing the bridge uses")
    ticket = scalar_text(dig(payload, "ticket", "id"))
    if ticket is None:
        raise Malformed("unexpected_payload", "body names no ticket (ticket.id)")
    ticket_id("tinydesk", ticket)
    check_requester(payload.get("ticket"))
    return Delivery(
        source="tinydesk",
        # TinyDesk sends a delivery again with the same id: the inbox keeps one.
        delivery_id=token(headers.get(DELIVERY_HEADER), "delivery id"),
        event_type=event,
        body=body,
        record_key=f"ticket:{ticket}",
        provider_ts=iso_time(dig(payload, "ticket", "updated_at")),
    )


RECEIVER = Receiver(
    source="tinydesk",
    max_bytes=1 * MiB,
    verify=verify,
    describe=describe,
    required_headers=(DELIVERY_HEADER, SIGNATURE_HEADER),
    purpose="TinyDesk's ticket events (escalation requests, customer replies)",
)
