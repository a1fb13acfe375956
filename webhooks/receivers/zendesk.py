"""``POST /webhooks/zendesk``: event subscriptions (``zen:event-type:*``) and trigger webhooks.

Event subscriptions have a fixed envelope with an event id; trigger webhooks carry a body the
Zendesk admin wrote, so their id is the invocation (or, failing that, the content).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Blueprint
from werkzeug.datastructures import Headers

from bridge.store.inbox import Delivery
from webhooks import verify
from webhooks.ladder import Answer, Ignored, MiB, Receiver, receive
from webhooks.payload import (
    Malformed,
    content_hash,
    dig,
    iso_time,
    optional_token,
    scalar_text,
    token,
)

EVENT_PREFIX = "zen:event-type:"
SIGNATURE = "X-Zendesk-Webhook-Signature"
TIMESTAMP = "X-Zendesk-Webhook-Signature-Timestamp"
WEBHOOK_ID = "X-Zendesk-Webhook-Id"
INVOCATION_ID = "X-Zendesk-Webhook-Invocation-Id"


def _verify(body: bytes, headers: Headers, secrets: Sequence[bytes]) -> bool:
    return verify.zendesk(body, headers.get(SIGNATURE), headers.get(TIMESTAMP), secrets)


def _subscribed_event(payload: dict[str, Any]) -> tuple[str, str, str | None, Any]:
    """Event type, event id, record key and time of a ``zen:event-type:*`` envelope."""
    event_type = str(payload["type"]).removeprefix(EVENT_PREFIX)
    event_id = scalar_text(payload.get("id"))
    if event_id is None:
        raise Malformed("unexpected_payload", "Zendesk event without an id")
    subject = scalar_text(payload.get("subject"))
    record_key = subject.removeprefix("zen:") if subject else None
    return event_type, event_id, record_key, payload.get("time")


def _trigger(payload: dict[str, Any], headers: Headers, body: bytes) -> tuple[str, str, str, Any]:
    ticket = (
        scalar_text(dig(payload, "ticket", "id"))
        or scalar_text(payload.get("ticket_id"))
        or scalar_text(payload.get("id"))
    )
    if ticket is None:
        raise Malformed("unexpected_payload", "trigger body names no ticket (ticket.id)")
    invocation = headers.get(INVOCATION_ID) or content_hash(body)
    stamp = dig(payload, "ticket", "updated_at") or payload.get("updated_at")
    return "trigger", invocation, f"ticket:{ticket}", stamp


def describe(payload: dict[str, Any], headers: Headers, body: bytes) -> Delivery | Ignored:
    kind = payload.get("type")
    if isinstance(kind, str) and kind.startswith(EVENT_PREFIX):
        event_type, event_id, record_key, stamp = _subscribed_event(payload)
    elif kind is None or not isinstance(kind, str) or "ticket" in payload:
        event_type, event_id, record_key, stamp = _trigger(payload, headers, body)
    else:
        return Ignored(f"type {kind[:60]!r} is not a Zendesk event the bridge uses")
    webhook_id = token(headers.get(WEBHOOK_ID), WEBHOOK_ID)
    return Delivery(
        source="zendesk",
        delivery_id=token(f"{webhook_id}:{event_id}", "delivery id"),
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
)
blueprint = Blueprint("zendesk_webhooks", __name__)


@blueprint.post("/webhooks/zendesk")
def zendesk_webhook() -> Answer:
    return receive(RECEIVER)
