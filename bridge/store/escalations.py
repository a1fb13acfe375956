"""Repository for tickets, escalations, their audit trail and SLA clocks, used inside one
transaction: the service loads, the domain decides, the repository saves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.domain.lifecycle import RESOLVED_STATES
from bridge.domain.records import AuditEvent, Escalation, FixEta, Spar, Ticket, TriageAnswers
from bridge.store import tables
from bridge.store.clocks import ClockRepository
from bridge.store.codec import from_json, to_json
from bridge.store.upsert import insert_if_absent


class AmbiguousTicket(Exception):
    """The same ticket number exists in several helpdesks; name it as ``helpdesk:number``."""


@dataclass(frozen=True)
class TrackerRecord:
    """A SPAR or AR filed in a tracker: the SPAR's id (ours), the tracker and the record key."""

    spar_id: str
    system: str
    key: str


@dataclass
class Loaded:
    row: tables.Escalation
    escalation: Escalation
    ticket_row: tables.Ticket


def triage_of(row: tables.Escalation) -> TriageAnswers | None:
    """The triage answers an escalation was opened with; None when it had none."""
    answers: TriageAnswers | None = from_json(TriageAnswers, (row.document or {}).get("triage"))
    return answers


def fix_eta_of(row: tables.Escalation) -> FixEta | None:
    """When development expects to release the fix; None until an AR's fix version is dated."""
    eta: FixEta | None = from_json(FixEta, (row.document or {}).get("fix_eta"))
    return eta


def _blank(now: dt.datetime) -> dict[str, Any]:
    return {"document": {}, "created_at": now, "updated_at": now}


def _document(escalation: Escalation) -> dict[str, Any]:
    document: dict[str, Any] = to_json(replace(escalation, history=[]))
    return document


class EscalationStore(ClockRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- tickets ------------------------------------------------------------------------------
    def find_ticket(self, ref: str, *, lock: bool = False) -> tables.Ticket | None:
        """The ticket ``ref`` names; with ``lock``, held until the transaction ends, so two
        requests to escalate the same ticket are decided one after the other (PostgreSQL's
        ``FOR UPDATE``; SQLite writes one transaction at a time anyway)."""
        helpdesk, _, number = ref.rpartition(":")
        query = select(tables.Ticket).where(tables.Ticket.external_id == number)
        if helpdesk:
            query = query.where(tables.Ticket.helpdesk == helpdesk)
        if lock:
            query = query.with_for_update()
        found = list(self.session.scalars(query.limit(2)))
        if len(found) > 1:
            msg = f"ticket {ref} exists in several helpdesks; write it as helpdesk:{ref}"
            raise AmbiguousTicket(msg)
        return found[0] if found else None

    @staticmethod
    def ticket_of(row: tables.Ticket) -> Ticket:
        document = row.document
        if "escalation_marked" not in document:
            # Mirrored before ``escalation_entry``: the type ESCALATION was the mark, so the
            # next delivery of a ticket still marked is a repeat, not a new escalation.
            document = {**document, "escalation_marked": row.ticket_type == "escalation"}
        ticket: Ticket = from_json(Ticket, document)
        return ticket

    def save_ticket(
        self, helpdesk: str, ticket: Ticket, now: dt.datetime, row: tables.Ticket | None = None
    ) -> tables.Ticket:
        if row is None:
            row = tables.Ticket(helpdesk=helpdesk, external_id=ticket.external_id, created_at=now)
            self.session.add(row)
        row.requester_email = ticket.requester or None
        row.organization = ticket.organisation or None
        row.severity = int(ticket.severity)
        row.priority = ticket.priority.value
        row.region = ticket.region or None
        row.status = ticket.status
        row.ticket_type = ticket.ticket_type or None
        row.document = to_json(ticket)
        row.updated_at = now
        self.session.flush()
        return row

    # -- escalations --------------------------------------------------------------------------
    def reserve_id(
        self, ticket_row: tables.Ticket, policy: dict[str, Any], now: dt.datetime
    ) -> int:
        return self._reserve(
            tables.Escalation(
                ticket_id=ticket_row.id, state="requested", level=1, policy=policy, **_blank(now)
            )
        )

    def _reserve(self, row: tables.Escalation | tables.Spar) -> int:
        """Insert a row whose document is written once the domain has built it: the domain
        needs the id first."""
        self.session.add(row)
        self.session.flush()
        return row.id

    def load(self, escalation_id: int) -> Loaded | None:
        row = self.session.get(tables.Escalation, escalation_id)
        if row is None or not row.document:
            return None
        ticket_row = self.session.get(tables.Ticket, row.ticket_id)
        assert ticket_row is not None
        return Loaded(row, from_json(Escalation, row.document), ticket_row)

    def save(self, escalation: Escalation, now: dt.datetime) -> tables.Escalation:
        """Persist the aggregate and append the audit events it gathered since it was loaded."""
        row = self.session.get(tables.Escalation, int(escalation.id))
        assert row is not None
        row.state = escalation.state.value
        row.level = int(escalation.level)
        row.classification = escalation.classification.value if escalation.classification else None
        row.engineer = escalation.engineer
        # A resolved escalation owes no more status updates (its clocks stop there too).
        owes = escalation.state not in RESOLVED_STATES
        row.next_update_due = escalation.next_update_due if owes else None
        row.document = _document(escalation)
        row.updated_at = now
        self._append_audit(escalation.history)
        escalation.history.clear()
        self._sync_plans(escalation)
        self.session.flush()
        return row

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

    def _sync_plans(self, escalation: Escalation) -> None:
        existing = {
            plan.plan_ref: plan
            for plan in self.session.scalars(
                select(tables.ActionPlan).where(
                    tables.ActionPlan.escalation_id == int(escalation.id)
                )
            )
        }
        for plan in escalation.plans:
            row = existing.get(plan.id) or tables.ActionPlan(
                escalation_id=int(escalation.id), plan_ref=plan.id
            )
            row.kind = plan.kind.value
            row.summary = plan.summary
            row.delivery_date = plan.delivery_date
            row.state = plan.status.value
            row.decided_at = plan.decided_at
            self.session.add(row)

    def escalations(
        self, *, states: Collection[str] = (), excluding: Collection[str] = ()
    ) -> list[Escalation]:
        """The escalations in one of ``states`` (any state when none is named), less those in
        ``excluding``; only those the domain has written."""
        query = select(tables.Escalation)
        if states:
            query = query.where(tables.Escalation.state.in_(states))
        if excluding:
            query = query.where(tables.Escalation.state.not_in(excluding))
        return [
            from_json(Escalation, row.document)
            for row in self.session.scalars(query)
            if row.document
        ]

    def open_escalation_ids(self, ticket_row: tables.Ticket) -> list[int]:
        """The ticket's escalations that are neither closed nor de-escalated, oldest first."""
        return list(
            self.session.scalars(
                select(tables.Escalation.id)
                .where(
                    tables.Escalation.ticket_id == ticket_row.id,
                    tables.Escalation.state.not_in(("closed", "de_escalated")),
                )
                .order_by(tables.Escalation.id)
            )
        )

    def updates_due(self, now: dt.datetime) -> list[tables.Escalation]:
        """Open escalations whose communication plan wants a status update by now."""
        return list(
            self.session.scalars(
                select(tables.Escalation).where(tables.Escalation.next_update_due <= now)
            )
        )

    def history(self, escalation_id: int) -> list[tables.AuditEvent]:
        return list(
            self.session.scalars(
                select(tables.AuditEvent)
                .where(
                    tables.AuditEvent.record_type == "escalation",
                    tables.AuditEvent.record_id == str(escalation_id),
                )
                .order_by(tables.AuditEvent.id)
            )
        )

    # -- SPARs and the records they have in trackers --------------------------------------------
    def reserve_spar_id(self, escalation_id: int, severity: int, now: dt.datetime) -> int:
        return self._reserve(
            tables.Spar(escalation_id=escalation_id, state="open", severity=severity, **_blank(now))
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
