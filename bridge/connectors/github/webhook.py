"""``POST /webhooks/github``: issues, comments, pull requests, releases and milestones of linked
repos."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bridge.connectors.github.events import content_key
from bridge.domain.identifiers import POSITIVE_NUMBER, format_problem
from bridge.services import signatures
from bridge.services.receiving import (
    HeaderLookup,
    Ignored,
    Malformed,
    MiB,
    Receiver,
    dig,
    iso_time,
    scalar_text,
    token,
)
from bridge.store.inbox import Delivery

USED_EVENTS = frozenset({"issues", "issue_comment", "pull_request", "release", "milestone"})


def _verify(body: bytes, headers: HeaderLookup, secrets: Sequence[bytes]) -> bool:
    return signatures.sha256_prefixed(body, headers.get("X-Hub-Signature-256"), secrets)


def _record(event: str, payload: dict[str, Any]) -> tuple[str | None, Any]:
    """The record the event is about, and the provider's time of the change."""
    repo = scalar_text(dig(payload, "repository", "full_name"))
    if event == "milestone":
        number = scalar_text(dig(payload, "milestone", "number"))
        stamp = dig(payload, "milestone", "closed_at") or dig(payload, "milestone", "updated_at")
        return (f"{repo}@milestone:{number}" if repo and number else None), stamp
    if event == "release":
        tag = scalar_text(dig(payload, "release", "tag_name"))
        stamp = dig(payload, "release", "published_at") or dig(payload, "release", "created_at")
        return (f"{repo}@{tag}" if repo and tag else None), stamp
    subject = "pull_request" if event == "pull_request" else "issue"
    number = scalar_text(dig(payload, subject, "number"))
    problem = (
        format_problem(
            "a GitHub issue or pull request number",
            POSITIVE_NUMBER,
            "a positive whole number",
            number,
        )
        if number is not None
        else None
    )
    if problem is not None:
        raise Malformed("bad_issue_number", problem)
    stamp = dig(payload, subject, "updated_at")
    if event == "issue_comment":
        stamp = dig(payload, "comment", "updated_at") or stamp
    return (f"{repo}#{number}" if repo and number else None), stamp


def describe(payload: dict[str, Any], headers: HeaderLookup, body: bytes) -> Delivery | Ignored:
    event = token(headers.get("X-GitHub-Event"), "X-GitHub-Event", "unknown_event")
    delivery_id = token(headers.get("X-GitHub-Delivery"), "X-GitHub-Delivery")
    if event == "ping":
        return Ignored("ping: the webhook is set up")
    if event not in USED_EVENTS:
        return Ignored(f"event {event!r} is not one the bridge uses")
    record_key, stamp = _record(event, payload)
    if record_key is None:
        raise Malformed("unexpected_payload", f"{event} payload names no repository and record")
    action = scalar_text(payload.get("action"))
    event_type = token(f"{event}.{action}" if action else event, "event", "unknown_event")
    # A release or merge that catch-up can also find is keyed by its content, so the two
    # copies act once (docs/architecture.md, "Catch-up").
    keyed = content_key(event_type, payload)
    return Delivery(
        source="github",
        delivery_id=token(keyed, "delivery id") if keyed else delivery_id,
        event_type=event_type,
        body=body,
        record_key=token(record_key, "record key"),
        provider_ts=iso_time(stamp),
    )


RECEIVER = Receiver(
    source="github",
    max_bytes=25 * MiB,
    verify=_verify,
    describe=describe,
    required_headers=("X-Hub-Signature-256", "X-GitHub-Event", "X-GitHub-Delivery"),
    purpose="GitHub's issue, pull-request and release events",
)
