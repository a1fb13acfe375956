"""The rows every aggregate of an escalation shares (its reserved id, its audit trail) and the
SPARs with the records they have in trackers; ``EscalationStore`` is built on them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.domain.records import AuditEvent, Spar
from bridge.store import tables
from bridge.store.codec import from_json, to_json
from bridge.store.upsert import insert_if_absent


@dataclass(frozen=True)
class TrackerRecord:
    """A SPAR or AR filed in a tracker: the SPAR's id (ours), the tracker and the record key."""

    spar_id: str
    system: str
    key: str


def blank_row(now: dt.datetime) -> dict[str, Any]:
    return {"document": {}, "created_at": now, "updated_at": now}


class SparRows:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _reserve(self, row: tables.Escalation | tables.Spar) -> int:
        """Insert a row whose document is written once the domain has built it: the domain
        needs the id first."""
        self.session.add(row)
        self.session.flush()
        return row.id

    def _append_audit(self, events: list[AuditEvent]) -> None:
        for event in events:
            self.session.add(
                tables.AuditEvent(
                    record_type=event.record_kind,
                    record_id=event.record_id,
                    step=event.step,
                    from_state=event.from_state,
                    to_state=event.to_state,
                    actor=event.actor,
                    cause=event.cause,
                    note=event.note,
                    at=event.at,
                )
            )

    # -- SPARs and the records they have in trackers --------------------------------------------
    def reserve_spar_id(self, escalation_id: int, severity: int, now: dt.datetime) -> int:
        return self._reserve(
            tables.Spar(
                escalation_id=escalation_id, state="open", severity=severity, **blank_row(now)
            )
        )

    def spars_of(self, escalation_id: int) -> list[Spar]:
        rows = self.session.scalars(
            select(tables.Spar)
            .where(tables.Spar.escalation_id == escalation_id)
            .order_by(tables.Spar.id)
        )
        return [from_json(Spar, row.document) for row in rows if row.document]

    def save_spar(self, spar: Spar, now: dt.datetime) -> None:
        row = self.session.get(tables.Spar, int(spar.id))
        assert row is not None
        row.state = spar.state.value
        row.severity = int(spar.severity)
        row.document = to_json(replace(spar, history=[]))
        row.updated_at = now
        self._append_audit(spar.history)
        spar.history.clear()

    def linked_records(self, escalation_id: int) -> dict[str, dict[str, str]]:
        """The newest SPAR and AR filed for the escalation, by kind: ``{"ar": {"key", "url"}}``."""
        rows = self.session.scalars(
            select(tables.ActionRequest)
            .where(tables.ActionRequest.escalation_id == escalation_id)
            .order_by(tables.ActionRequest.id)
        )
        return {row.kind: {"key": row.external_key, "url": row.url or ""} for row in rows}

    def tracker_records(self, escalation_id: int, kind: str) -> list[TrackerRecord]:
        """The escalation's records of ``kind`` ("spar" or "ar") filed in trackers."""
        rows = self.session.scalars(
            select(tables.ActionRequest)
            .where(
                tables.ActionRequest.escalation_id == escalation_id,
                tables.ActionRequest.kind == kind,
            )
            .order_by(tables.ActionRequest.id)
        )
        return [
            TrackerRecord(
                str(row.spar_id) if row.spar_id is not None else "", row.system, row.external_key
            )
            for row in rows
        ]

    def link_record(
        self,
        escalation_id: int,
        spar_id: int | None,
        kind: str,
        ref: dict[str, Any],
        now: dt.datetime,
    ) -> bool:
        """Remember a record filed in a tracker; False if it was known already."""
        values = {
            "escalation_id": escalation_id,
            "spar_id": spar_id,
            "kind": kind,
            "system": ref["system"],
            "external_key": ref["key"],
            "vendor_id": ref.get("vendor_id") or None,
            "url": ref.get("url") or None,
            "state": "open",
            "created_at": now,
        }
        return insert_if_absent(
            self.session, tables.ActionRequest, values, ["system", "external_key"]
        )
