"""Which escalations wait on which AR, and the fix version each AR is expected in.

The escalation that filed an AR waits on it, and so does every escalation of another ticket
with the same problem; a ship signal names ARs by key, or a version or milestone that holds
them, and finds the escalations here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, func, or_, select, update
from sqlalchemy.orm import Session

from bridge.store import tables
from bridge.store.upsert import insert_if_absent


@dataclass(frozen=True)
class WaitingTicket:
    """A ticket whose escalation waits on an AR, with what developers want to know of it."""

    escalation_id: int
    helpdesk: str
    ticket: str
    customer: str  # as stored: the organisation's name, or its id when the helpdesk sent only that
    severity: int
    sla_due: dt.datetime | None  # the earliest due time of its running SLA clocks
    subject: str = ""
    requester: str = ""
    classification: str = ""  # triage's: "urgent", "high_priority"


class ArLinks:
    def __init__(self, session: Session) -> None:
        self.session = session

    def any_known(self, system: str, keys: Sequence[str]) -> bool:
        """Whether any of ``keys`` is an AR of ``system`` that an escalation filed or waits
        on. Asked of nearly every GitHub and Jira delivery: most of a repository's issue
        traffic is about issues nobody escalated, and this one read settles those."""
        if not keys:
            return False
        query = select(
            or_(
                exists().where(
                    tables.ActionRequest.kind == "ar",
                    tables.ActionRequest.system == system,
                    tables.ActionRequest.external_key.in_(keys),
                ),
                exists().where(
                    tables.ActionRequestLink.system == system,
                    tables.ActionRequestLink.external_key.in_(keys),
                ),
            )
        )
        return bool(self.session.scalar(query))

    def link(self, escalation_id: int, system: str, key: str, now: dt.datetime) -> bool:
        """Mark an escalation as waiting on an AR; False if it was waiting already."""
        values = {
            "system": system,
            "external_key": key,
            "escalation_id": escalation_id,
            "created_at": now,
        }
        return insert_if_absent(
            self.session,
            tables.ActionRequestLink,
            values,
            ["system", "external_key", "escalation_id"],
        )

    def seed(self, system: str, keys: Sequence[str], now: dt.datetime) -> None:
        """The escalation that filed an AR waits on it too."""
        filed = self.session.execute(
            select(tables.ActionRequest.escalation_id, tables.ActionRequest.external_key).where(
                tables.ActionRequest.kind == "ar",
                tables.ActionRequest.system == system,
                tables.ActionRequest.external_key.in_(keys),
            )
        )
        for escalation_id, key in filed:
            self.link(escalation_id, system, key, now)

    def waiting_on(
        self, system: str, keys: Sequence[str], version: str, now: dt.datetime
    ) -> list[tuple[int, str]]:
        """(escalation id, AR key) of every escalation waiting on one of ``keys`` or, with no
        keys, on an AR expected in ``version``; oldest first."""
        links = tables.ActionRequestLink
        if keys:
            self.seed(system, keys, now)
            match: ColumnElement[bool] = links.external_key.in_(keys)
        else:
            match = links.fix_version == version
        rows = self.session.execute(
            select(links.escalation_id, links.external_key)
            .where(links.system == system, match)
            .order_by(links.escalation_id)
        )
        return [(escalation_id, key) for escalation_id, key in rows]

    def remember_fix_version(self, system: str, key: str, version: str, now: dt.datetime) -> None:
        self.seed(system, (key,), now)
        links = tables.ActionRequestLink
        self.session.execute(
            update(links)
            .where(links.system == system, links.external_key == key)
            .where(or_(links.fix_version.is_(None), links.fix_version != version))
            .values(fix_version=version)
        )

    def waiting_tickets(
        self, system: str, key: str, now: dt.datetime, *, excluding: Sequence[str] = ()
    ) -> list[WaitingTicket]:
        """The tickets whose escalations wait on the AR, leaving out escalations in the states
        ``excluding``; the escalation that filed it counts."""
        self.seed(system, (key,), now)
        links, escalations, tickets = (
            tables.ActionRequestLink,
            tables.Escalation,
            tables.Ticket,
        )
        clocks = tables.SlaClock
        due = (
            select(func.min(clocks.due_at))
            .where(clocks.escalation_id == escalations.id, clocks.state == "running")
            .correlate(escalations)
            .scalar_subquery()
        )
        rows = self.session.execute(
            select(
                escalations.id,
                tickets.helpdesk,
                tickets.external_id,
                tickets.organization,
                tickets.severity,
                due.label("sla_due"),
                tickets.document,
                tickets.requester_email,
                escalations.classification,
            )
            .select_from(links)
            .join(escalations, escalations.id == links.escalation_id)
            .join(tickets, tickets.id == escalations.ticket_id)
            .where(
                links.system == system,
                links.external_key == key,
                escalations.state.not_in(list(excluding)),
            )
            .order_by(escalations.id)
        )
        return [
            WaitingTicket(
                row.id,
                row.helpdesk,
                row.external_id,
                row.organization or "",
                row.severity,
                row.sla_due,
                subject=str((row.document or {}).get("subject") or ""),
                requester=row.requester_email or "",
                classification=row.classification or "",
            )
            for row in rows
        ]

    def ars_of(self, escalation_id: int) -> list[tuple[str, str]]:
        """(system, AR key) of every AR the escalation waits on."""
        links = tables.ActionRequestLink
        rows = self.session.execute(
            select(links.system, links.external_key).where(links.escalation_id == escalation_id)
        )
        return [(system, key) for system, key in rows]

    def released_version_body(self, version: str) -> bytes | None:
        """The stored Jira delivery that released ``version``, if one came in."""
        return self.session.scalars(
            select(tables.InboxRow.body)
            .where(
                tables.InboxRow.source == "jira",
                tables.InboxRow.event_type == "jira:version_released",
                tables.InboxRow.record_key == f"version:{version}",
            )
            .limit(1)
        ).first()
