"""Repository for tickets, escalations, their audit trail and SLA clocks, used inside one
transaction: the service loads, the domain decides, the repository saves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select

from bridge.domain.lifecycle import RESOLVED_STATES
from bridge.domain.records import Escalation, FixEta, Ticket, TriageAnswers
from bridge.store import tables
from bridge.store.clocks import ClockRepository
from bridge.store.codec import from_json, to_json
from bridge.store.spars import SparRows, blank_row


class AmbiguousTicket(Exception):
    """The same ticket number exists in several helpdesks; name it as ``helpdesk:number``."""


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


def _document(escalation: Escalation) -> dict[str, Any]:
    document: dict[str, Any] = to_json(replace(escalation, history=[]))
    return document


class EscalationStore(SparRows, ClockRepository):
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
                ticket_id=ticket_row.id, state="requested", level=1, policy=policy, **blank_row(now)
            )
        )

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
