"""What every tracker connector (Jira, GitHub) shares: its declaration and the outbox operations
it performs the same way."""

from __future__ import annotations

from typing import Any, Protocol

from bridge.connectors.registry import BuiltFromSettings, unknown_operation
from bridge.services.ports import ExternalRef, IdempotencyKey, Kind, RecordSpec


class _Tracker(Protocol):
    key: str

    def ref(self, reference: str) -> ExternalRef: ...
    def create_record(self, spec: RecordSpec, key: IdempotencyKey) -> ExternalRef: ...
    def comment(self, ref: ExternalRef, text: str, key: IdempotencyKey) -> None: ...
    def move_to(self, ref: ExternalRef, status: str) -> None: ...


class TrackerConnector(BuiltFromSettings):
    """The base of a tracker connector: it files records, comments on them and moves them."""

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
        tracker.comment(tracker.ref(payload["ref"]), payload["text"], key)
        return {"ref": payload["ref"]}
    if operation == "move_to":
        tracker.move_to(tracker.ref(payload["ref"]), payload["status"])
        return {"ref": payload["ref"], "status": payload["status"]}
    raise unknown_operation(tracker.key, operation)
