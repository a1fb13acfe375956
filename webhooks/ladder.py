"""The guard ladder every webhook receiver (a ``Receiver``, bridge/services/receiving.py) climbs,
then its one hand-off to the intake.

Each rung answers early with its own status and log key: not configured 404, too large 413,
wrong content type 415, missing header 400, bad signature 401, signed outside the replay window
401, unreadable body 400, ignored event 200, duplicate 200, accepted 202. The inbox row is
committed before the 2xx. Bad input never reaches a 500, and a rejection is logged and counted
with its reason, never its body.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import structlog
from flask import request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import Headers
from werkzeug.exceptions import RequestEntityTooLarge

from bridge.services.json_body import TooDeep, parse_json
from bridge.services.receiving import Ignored, Malformed, MiB, Receiver
from bridge.store.inbox import Delivery
from webhooks.context import current_metrics, current_runtime

log = structlog.get_logger("webhooks.receive")

Answer = tuple[dict[str, Any], int]


def refuse(source: str, status: int, reason: str, detail: str) -> Answer:

    current_metrics().webhook_rejections.labels(source, reason).inc()
    log.warning("webhook.rejected", source=source, reason=reason, status=status)
    return {"error": reason, "detail": detail}, status


def missing_headers(headers: Headers, receiver: Receiver) -> list[str]:
    missing = [name for name in receiver.required_headers if not headers.get(name)]
    if receiver.any_of_headers and not any(headers.get(h) for h in receiver.any_of_headers):
        missing.append(" or ".join(receiver.any_of_headers))
    return missing


def read_body(max_bytes: int) -> bytes | None:
    """The raw body, or None when it is larger than ``max_bytes`` (also when chunked)."""
    request.max_content_length = max_bytes
    try:
        return request.get_data(cache=True)
    except RequestEntityTooLarge:
        return None


def secrets_or_none(source: str) -> list[bytes]:
    secrets = current_runtime().settings.webhook_secrets(source)
    if not secrets:
        log.warning("webhook.not_configured", source=source, setting=secret_setting(source))
    return secrets


def secret_setting(source: str) -> str:
    return current_runtime().settings.webhook_secret_setting(source)


def not_configured(source: str) -> Answer:
    return refuse(
        source, 404, "not_configured", f"{source} webhooks are off: {secret_setting(source)} unset"
    )


def too_large(source: str, max_bytes: int) -> Answer:
    return refuse(source, 413, "too_large", f"body over the {max_bytes // MiB} MiB limit")


def outside_window(signed_at: dt.datetime | None) -> str | None:
    """Why a delivery signed at ``signed_at`` is refused as a replay, or None when it is fresh."""
    window = current_runtime().settings.webhooks.signature_window_seconds
    if signed_at is None:
        return "the signed timestamp is not an ISO 8601 time"
    if abs(time.time() - signed_at.timestamp()) > window:
        return f"signed more than {window} seconds from the bridge's clock: a replay is refused"
    return None


def receive(receiver: Receiver) -> Answer:
    source = receiver.source
    secrets = secrets_or_none(source)
    if not secrets:
        return not_configured(source)
    current = request._get_current_object()  # type: ignore[attr-defined]
    headers = current.headers
    if (current.content_length or 0) > receiver.max_bytes:
        return too_large(source, receiver.max_bytes)
    if current.mimetype != "application/json":
        return refuse(source, 415, "unsupported_media_type", "send Content-Type application/json")
    missing = missing_headers(headers, receiver)
    if missing:
        return refuse(source, 400, "missing_header", f"missing header {', '.join(missing)}")
    body = read_body(receiver.max_bytes)
    if body is None:
        return too_large(source, receiver.max_bytes)
    if not receiver.verify(body, headers, secrets):
        return refuse(source, 401, "bad_signature", "signature does not match")
    stale = outside_window(receiver.signed_at(headers)) if receiver.signed_at else None
    if stale:
        return refuse(source, 401, "stale_signature", stale)
    try:
        payload = parse_json(body)
    except TooDeep as exc:
        return refuse(source, 400, "json_too_deep", str(exc))
    except ValueError:
        return refuse(source, 400, "bad_json", "body is not valid JSON")
    if not isinstance(payload, dict):
        return refuse(source, 400, "bad_json", "body is not a JSON object")
    try:
        outcome = receiver.describe(payload, headers, body)
    except Malformed as problem:
        return refuse(source, 400, problem.reason, problem.detail)
    if isinstance(outcome, Ignored):
        log.info("webhook.ignored", source=source, reason=outcome.reason)
        return {"status": "ignored", "reason": outcome.reason}, 200
    return hand_off(outcome)


def hand_off(delivery: Delivery) -> Answer:
    """Store, then answer: 202 for a new delivery, 200 for one seen before."""
    try:
        stored = current_runtime().handoff.accept(delivery)
    except SQLAlchemyError as exc:
        # Not the sender's fault: 503 makes every vendor deliver again later.
        log.error("webhook.store_failed", source=delivery.source, error=type(exc).__name__)
        return {"error": "store_unavailable", "detail": "try again later"}, 503
    answer = {"delivery_id": delivery.delivery_id, "event": delivery.event_type}
    # Carried by the request's own log line: one line per delivery, not two.
    structlog.contextvars.bind_contextvars(
        source=delivery.source, event_type=delivery.event_type, duplicate=stored.duplicate
    )
    if stored.duplicate:
        return {"status": "duplicate", "reason": "delivery seen before", **answer}, 200
    return {"status": "accepted", **answer}, 202
