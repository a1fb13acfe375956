"""What every tracker connector (Jira, GitHub) shares: its declaration and the outbox operations
it performs the same way."""

from __future__ import annotations

from typing import Any, Protocol

from bridge.connectors.registry import BuiltFromSettings, unknown_operation
from bridge.services.ports import ExternalRef, IdempotencyKey, Kind, RecordSpec, WaitingList

WAITING_TITLE = "Tickets waiting on this AR"
WAITING_HEADERS = ("Ticket", "Customer", "Severity", "SLA due")
WAITING_KEPT = "Kept up to date by Support Bridge; edits here are overwritten."


def waiting_lines(waiting: WaitingList) -> tuple[str, list[list[str]], str]:
    """The waiting list's title, its rows (one per ticket, as WAITING_HEADERS) and a line
    naming the oldest SLA due, for each tracker to lay out in its own markup."""
    title = f"{WAITING_TITLE} ({len(waiting.tickets)})"
    rows = [
        [t.ticket, t.customer or "unknown", t.severity or "-", t.sla_due or "-"]
        for t in waiting.tickets
    ]
    if not rows:
        return title, rows, "No ticket is waiting on this AR any more."
    return title, rows, f"Oldest SLA due: {waiting.oldest_due or 'no SLA clock running'}."


class _Tracker(Protocol):
    key: str

    def ref(self, reference: str) -> ExternalRef: ...
    def create_record(self, spec: RecordSpec, key: IdempotencyKey) -> ExternalRef: ...
    def comment(
        self, ref: ExternalRef, text: str, key: IdempotencyKey, quote: str = ""
    ) -> None: ...
    def move_to(self, ref: ExternalRef, status: str) -> None: ...
    def upsert_waiting_list(self, ref: ExternalRef, waiting: WaitingList) -> None: ...


class TrackerConnector(BuiltFromSettings):
    """The base of a tracker connector: it files records, comments on them, moves them and keeps
    the list of tickets waiting on an AR."""

    kind = Kind.TRACKER

    def perform(
        self, operation: str, payload: dict[str, Any], key: IdempotencyKey
    ) -> dict[str, Any]:
        return perform(self, operation, payload, key)  # type: ignore[arg-type]


def perform(
    tracker: _Tracker, operation: str, payload: dict[str, Any], key: IdempotencyKey
) -> dict[str, Any]:
    if operation == "create_record":
        spec = RecordSpec.from_payload(payload["kind"], payload["spec"], payload["escalation_id"])
        return tracker.create_record(spec, key).as_result()
    if operation == "comment":
        quote = str(payload.get("quote") or "")
        tracker.comment(tracker.ref(payload["ref"]), payload["text"], key, quote)
        return {"ref": payload["ref"]}
    if operation == "move_to":
        tracker.move_to(tracker.ref(payload["ref"]), payload["status"])
        return {"ref": payload["ref"], "status": payload["status"]}
    if operation == "upsert_waiting_list":
        waiting = WaitingList.from_payload(payload)
        tracker.upsert_waiting_list(tracker.ref(payload["ref"]), waiting)
        return {"ref": payload["ref"], "digest": waiting.digest, "waiting": len(waiting.tickets)}
    raise unknown_operation(tracker.key, operation)
