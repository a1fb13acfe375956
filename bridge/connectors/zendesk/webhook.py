"""``POST /webhooks/zendesk``: event subscriptions (``zen:event-type:*``) and trigger webhooks.

Zendesk signs the timestamp with the body, so a delivery signed outside the replay window is
refused. A delivery is known again by what is signed, never by an unsigned header: an event
subscription by its event id, a trigger webhook (a body the Zendesk admin wrote) by its content.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from bridge.connectors.zendesk.events import content_key
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
    optional_token,
    scalar_text,
    ticket_id,
    token,
)
from bridge.store.inbox import Delivery

# How Zendesk numbers its tickets; its connector class declares the same rule.
TICKET_IDS = numbered("Zendesk")

EVENT_PREFIX = "zen:event-type:"
SIGNATURE = "X-Zendesk-Webhook-Signature"
TIMESTAMP = "X-Zendesk-Webhook-Signature-Timestamp"
WEBHOOK_ID = "X-Zendesk-Webhook-Id"


def _verify(body: bytes, headers: HeaderLookup, secrets: Sequence[bytes]) -> bool:
    return signatures.base64_of_timestamp_and_body(
        body, headers.get(SIGNATURE), headers.get(TIMESTAMP), secrets
    )


def _signed_at(headers: HeaderLookup) -> dt.datetime | None:
    return iso_time(headers.get(TIMESTAMP))


def _subscribed_event(payload: dict[str, Any]) -> tuple[str, str, str | None, Any]:
    """Event type, event id, record key and time of a ``zen:event-type:*`` envelope."""
    event_type = str(payload["type"]).removeprefix(EVENT_PREFIX)
    event_id = scalar_text(payload.get("id"))
    if event_id is None:
        raise Malformed("unexpected_payload", "Zendesk event without an id")
    subject = scalar_text(payload.get("subject"))
    record_key = subject.removeprefix("zen:") if subject else None
    if record_key is not None and record_key.startswith("ticket:"):
        ticket_id("zendesk", record_key.removeprefix("ticket:"), TICKET_IDS)
        check_requester(payload.get("detail"))
    # A comment, which catch-up can also find, is known by its id instead (signals).
    keyed = content_key(event_type, payload)
    return event_type, keyed or f"event:{event_id}", record_key, payload.get("time")


def _trigger(payload: dict[str, Any], body: bytes) -> tuple[str, str, str, Any]:
    ticket = (
        scalar_text(dig(payload, "ticket", "id"))
        or scalar_text(payload.get("ticket_id"))
        or scalar_text(payload.get("id"))
    )
    if ticket is None:
        raise Malformed("unexpected_payload", "trigger body names no ticket (ticket.id)")
    ticket_id("zendesk", ticket, TICKET_IDS)
    check_requester(payload.get("ticket"))
    stamp = dig(payload, "ticket", "updated_at") or payload.get("updated_at")
    return "trigger", content_hash(body), f"ticket:{ticket}", stamp


def describe(payload: dict[str, Any], headers: HeaderLookup, body: bytes) -> Delivery | Ignored:
    kind = payload.get("type")
    if isinstance(kind, str) and kind.startswith(EVENT_PREFIX):
        event_type, event_id, record_key, stamp = _subscribed_event(payload)
    elif kind is None or not isinstance(kind, str) or "ticket" in payload:
        event_type, event_id, record_key, stamp = _trigger(payload, body)
    else:
        return Ignored(f"type {kind[:60]!r} is not a Zendesk event the bridge uses")
    return Delivery(
        source="zendesk",
        delivery_id=token(event_id, "delivery id"),
        event_type=token(event_type, "event type", "unknown_event"),
        body=body,
        record_key=optional_token(record_key, "record key"),
        provider_ts=iso_time(stamp),
    )


RECEIVER = Receiver(
    source="zendesk",
    max_bytes=1 * MiB,
    verify=_verify,
    describe=describe,
    required_headers=(SIGNATURE, TIMESTAMP, WEBHOOK_ID),
    signed_at=_signed_at,
    purpose="Zendesk's ticket events (escalation requests, customer replies)",
)
