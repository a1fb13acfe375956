"""``POST /webhooks/gitlab``: the project webhook's issue, comment, merge request and release
events.

GitLab signs nothing: the hook's "Secret token" comes back as is in ``X-Gitlab-Token``, checked
against ``connectors.gitlab.webhook_secret`` in constant time. Each delivery names its event in
``X-Gitlab-Event`` and carries its own ``X-Gitlab-Event-UUID``, the delivery id unless the
content is what catch-up would find too (``GitLabEvents.content_key``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bridge.connectors.gitlab.events import content_key
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

TOKEN_HEADER = "X-Gitlab-Token"  # noqa: S105 - a header name
EVENT_HEADER = "X-Gitlab-Event"
UUID_HEADER = "X-Gitlab-Event-UUID"
# X-Gitlab-Event → object_kind; a confidential issue's events come under names of their own.
USED_EVENTS = {
    "Issue Hook": "issue",
    "Confidential Issue Hook": "issue",
    "Note Hook": "note",
    "Confidential Note Hook": "note",
    "Merge Request Hook": "merge_request",
    "Release Hook": "release",
}
_POSITIVE = re.compile(r"[1-9][0-9]{0,17}")
# Older payloads write "2015-05-17 17:06:40 UTC".
_UTC_WORDS = re.compile(r"^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) UTC$")


def _verify(body: bytes, headers: HeaderLookup, secrets: Sequence[bytes]) -> bool:
    return signatures.shared_secret(headers.get(TOKEN_HEADER), secrets)


def _stamp(value: Any) -> Any:
    words = _UTC_WORDS.match(value) if isinstance(value, str) else None
    return f"{words[1]}T{words[2]}+00:00" if words else value


def _number(value: Any, what: str) -> str:
    text = scalar_text(value)
    if text is None or not _POSITIVE.fullmatch(text):
        raise Malformed("bad_issue_number", f"a GitLab {what} is a positive whole number")
    return text


def _record(kind: str, payload: dict[str, Any], project: str) -> tuple[str, Any]:
    """The record the event is about, and GitLab's time of the change."""
    if kind == "release":
        tag = scalar_text(payload.get("tag"))
        if tag is None:
            raise Malformed("unexpected_payload", "release payload names no tag")
        return f"{project}@{tag}", payload.get("released_at") or payload.get("created_at")
    if kind == "merge_request":
        iid = _number(dig(payload, "object_attributes", "iid"), "merge request iid")
        return f"{project}!{iid}", dig(payload, "object_attributes", "updated_at")
    subject = "object_attributes" if kind == "issue" else "issue"
    iid = _number(dig(payload, subject, "iid"), "issue iid")
    return f"{project}#{iid}", dig(payload, "object_attributes", "updated_at")


def describe(payload: dict[str, Any], headers: HeaderLookup, body: bytes) -> Delivery | Ignored:
    event = token(headers.get(EVENT_HEADER), EVENT_HEADER, "unknown_event")
    delivery_id = token(headers.get(UUID_HEADER), UUID_HEADER)
    kind = USED_EVENTS.get(event)
    if kind is None:
        return Ignored(f"event {event!r} is not one the bridge uses")
    if kind == "note" and dig(payload, "object_attributes", "noteable_type") != "Issue":
        return Ignored("a comment on something other than an issue")
    project = scalar_text(dig(payload, "project", "path_with_namespace"))
    if project is None:
        raise Malformed("unexpected_payload", f"{event} payload names no project")
    record_key, stamp = _record(kind, payload, project)
    action = scalar_text(payload.get("action") if kind == "release" else None)
    action = action or scalar_text(dig(payload, "object_attributes", "action"))
    event_type = token(f"{kind}.{action}" if action else kind, "event", "unknown_event")
    # A merge, release, comment or close that catch-up can also find is keyed by its content,
    # so the two copies act once (docs/architecture.md, "Catch-up").
    keyed = content_key(event_type, payload)
    return Delivery(
        source="gitlab",
        delivery_id=token(keyed, "delivery id") if keyed else delivery_id,
        event_type=event_type,
        body=body,
        record_key=token(record_key, "record key"),
        provider_ts=iso_time(_stamp(stamp)),
    )


RECEIVER = Receiver(
    source="gitlab",
    max_bytes=25 * MiB,
    verify=_verify,
    describe=describe,
    required_headers=(TOKEN_HEADER, EVENT_HEADER, UUID_HEADER),
    purpose="GitLab's issue, comment, merge request and release events",
)
