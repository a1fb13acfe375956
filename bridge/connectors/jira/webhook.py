"""``POST /webhooks/jira``: issue, comment and version events of the linked projects."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bridge.connectors.jira.events import content_key
from bridge.domain.identifiers import format_problem
from bridge.services import signatures
from bridge.services.receiving import (
    HeaderLookup,
    Ignored,
    Malformed,
    MiB,
    Receiver,
    content_hash,
    dig,
    epoch_millis,
    optional_token,
    scalar_text,
    token,
)
from bridge.store.inbox import Delivery

ISSUE_KEY = re.compile(r"[A-Z][A-Z0-9_]+-[0-9]{1,18}")

USED_PREFIXES = ("jira:issue_", "comment_", "jira:version_", "issuelink_")


def _verify(body: bytes, headers: HeaderLookup, secrets: Sequence[bytes]) -> bool:
    return signatures.sha256_prefixed(body, headers.get("X-Hub-Signature"), secrets)


def _record_key(event: str, payload: dict[str, Any]) -> str | None:
    if event.startswith("jira:version_"):
        version = scalar_text(dig(payload, "version", "id"))
        return f"version:{version}" if version else None
    if event.startswith("issuelink_"):
        link = scalar_text(dig(payload, "issueLink", "id"))
        return f"issuelink:{link}" if link else None
    key = scalar_text(dig(payload, "issue", "key"))
    problem = (
        format_problem("a Jira issue key", ISSUE_KEY, "PROJECT-123", key)
        if key is not None
        else None
    )
    if problem is not None:
        raise Malformed("bad_issue_key", problem)
    return key


def describe(payload: dict[str, Any], headers: HeaderLookup, body: bytes) -> Delivery | Ignored:
    event = token(scalar_text(payload.get("webhookEvent")), "webhookEvent", "unknown_event")
    if not event.startswith(USED_PREFIXES):
        return Ignored(f"event {event!r} is not one the bridge uses")
    record_key = _record_key(event, payload)
    if record_key is None:
        raise Malformed("unexpected_payload", f"{event} payload names no issue or version")
    # Jira repeats the identifier on its retries; a delivery without one is keyed by content.
    # A released version, which catch-up can also find, is keyed by the version instead.
    identifier = (
        content_key(event, payload)
        or headers.get("X-Atlassian-Webhook-Identifier")
        or content_hash(body)
    )
    return Delivery(
        source="jira",
        delivery_id=token(identifier, "X-Atlassian-Webhook-Identifier"),
        event_type=event,
        body=body,
        record_key=optional_token(record_key, "record key"),
        provider_ts=epoch_millis(payload.get("timestamp")),
    )


RECEIVER = Receiver(
    source="jira",
    max_bytes=25 * MiB,
    verify=_verify,
    describe=describe,
    required_headers=("X-Hub-Signature",),
    purpose="Jira's issue updates (the AR's status, the fix version released)",
)
