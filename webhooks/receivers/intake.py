"""``POST /webhooks/intake``: the generic signed JSON intake.

For helpdesks without a connector and for email-to-ticket gateways. The body::

    {"event": "ticket.updated", "id": "optional delivery id",
     "occurred_at": "2026-01-05T10:00:00Z", "ticket": {"id": "1234", ...}}

signed with ``X-Bridge-Signature-256: sha256=<hex HMAC-SHA256 of the body>`` or, from a
gateway that cannot sign, carrying the secret itself in ``X-Bridge-Webhook-Secret``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Blueprint

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
from webhooks.ladder import Answer, receive

SECRET_HEADER = "X-Bridge-Webhook-Secret"  # noqa: S105 - a header name
SIGNATURE_HEADER = "X-Bridge-Signature-256"
DELIVERY_HEADER = "X-Bridge-Delivery"
TICKET_EVENTS = frozenset(
    {"ticket.created", "ticket.updated", "ticket.commented", "escalation.requested"}
)
EVENTS = TICKET_EVENTS | {"email.received"}


def _verify(body: bytes, headers: HeaderLookup, secrets: Sequence[bytes]) -> bool:
    return signatures.sha256_prefixed(body, headers.get(SIGNATURE_HEADER), secrets) or (
        signatures.shared_secret(headers.get(SECRET_HEADER), secrets)
    )


def describe(payload: dict[str, Any], headers: HeaderLookup, body: bytes) -> Delivery | Ignored:
    event = scalar_text(payload.get("event"))
    if event not in EVENTS:
        known = ", ".join(sorted(EVENTS))
        raise Malformed("unknown_event", f"event must be one of {known}")
    ticket = scalar_text(dig(payload, "ticket", "id"))
    if ticket is None and event in TICKET_EVENTS:
        raise Malformed("unexpected_payload", f"{event} names no ticket (ticket.id)")
    if ticket is not None:
        ticket_id("intake", ticket)
        check_requester(payload.get("ticket"))
    delivery_id = (
        headers.get(DELIVERY_HEADER) or scalar_text(payload.get("id")) or content_hash(body)
    )
    return Delivery(
        source="intake",
        delivery_id=token(delivery_id, "delivery id"),
        event_type=event,
        body=body,
        record_key=token(f"ticket:{ticket}", "record key") if ticket else None,
        provider_ts=iso_time(payload.get("occurred_at")),
    )


RECEIVER = Receiver(
    source="intake",
    max_bytes=1 * MiB,
    verify=_verify,
    describe=describe,
    any_of_headers=(SIGNATURE_HEADER, SECRET_HEADER),
)
blueprint = Blueprint("intake_webhooks", __name__)


@blueprint.post("/webhooks/intake")
def intake_webhook() -> Answer:
    return receive(RECEIVER)
