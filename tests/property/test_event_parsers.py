"""Every reader of a vendor event answers for any signed delivery, whatever value sits where
the vendor documents another: a parser that raises turns one odd delivery into a 500 at the
door (the vendor then retries it for days) or a dead letter in the worker.

Each real delivery has each of its places swapped, one at a time, for each kind of JSON value,
so no place is left to chance."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest

from bridge.config.helpdesks import EscalationEntry
from bridge.connectors.freshdesk.events import CUSTOMER_REPLY
from bridge.connectors.registry import events_of
from bridge.services import signals
from bridge.services.inbound.helpdesk_entry import copied_addresses
from bridge.services.inbound.replies import public_comment
from bridge.services.inbound.ticket_events import UnreadableTicketEvent, parse_ticket_event
from bridge.services.inbound.triage_requests import message_key
from bridge.services.readings import HelpdeskEvents, TrackerEvents
from tests.webhooks.deliveries import leaf_paths, real_deliveries, replace

EVENT_TYPES = {
    "github": [
        "issues.closed",
        "issues.reopened",
        "issues.assigned",
        "issues.unassigned",
        "issues.milestoned",
        "issue_comment.created",
        "pull_request.closed",
        "release.published",
        "milestone.closed",
    ],
    "jira": ["jira:issue_updated", "comment_created", "jira:version_released"],
    "zendesk": [signals.MARKED_WHILE_DOWN, "ticket.comment_added"],
    "freshdesk": [signals.MARKED_WHILE_DOWN, CUSTOMER_REPLY],
}
ENTRIES = [EscalationEntry(tag="escalation"), EscalationEntry(field_id=360001, value="escalation")]
STAND_INS: list[Any] = [None, True, 0, 1.5, "", "x", [], ["x"], [None], {}, {"x": None}]


def read_everything(source: str, event_type: str, payload: Any) -> None:
    reader = events_of(source)
    assert reader is not None
    reader.content_key(event_type, payload)
    if isinstance(reader, TrackerEvents):
        reader.read(event_type, payload)
        reader.identity(event_type, payload)
        reader.release_of(payload)
    else:
        assert isinstance(reader, HelpdeskEvents)
        reader.ticket(payload)
        reader.comment(payload)
        public_comment(payload, reader)
        copied_addresses(payload, reader)
        message_key(source, "1", payload, "", reader)
        for entry in ENTRIES:
            # Refused with its reason is an answer: the delivery is kept and shown, not retried.
            with contextlib.suppress(UnreadableTicketEvent):
                parse_ticket_event(json.dumps(payload).encode(), entry, reader)


VENDOR_DELIVERIES = [
    pytest.param(path.rsplit("/", 1)[1], payload, id=f"{path.rsplit('/', 1)[1]}-{n}")
    for n, (path, _event, payload) in enumerate(real_deliveries())
    if path.startswith("/webhooks/") and path.rsplit("/", 1)[1] in EVENT_TYPES
]


@pytest.mark.parametrize(("source", "payload"), VENDOR_DELIVERIES)
def test_every_place_of_a_vendor_event_may_hold_any_value(source: str, payload: Any) -> None:
    failures = []
    for place in leaf_paths(payload):
        for stand_in in STAND_INS:
            swapped = replace(payload, place, stand_in)
            for event_type in EVENT_TYPES[source]:
                try:
                    read_everything(source, event_type, swapped)
                except Exception as exc:
                    failures.append(f"{event_type} with {place} = {stand_in!r}: {exc!r}")
    assert not failures, f"{len(failures)} readings raised, first: {failures[:5]}"
