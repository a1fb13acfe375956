"""Which escalations wait on which AR, and the fix version each AR is expected in.

The escalation that filed an AR waits on it, and so does every escalation of another ticket
with the same problem; a ship signal names ARs by key, or a version or milestone that holds
them, and finds the escalations here.

A link keeps the AR's key, which people read and events name, and the tracker's immutable id
of the issue (``vendor_id``): an AR moved to another Jira project or GitHub repository gets a
new key, and an event naming its id finds the link and renames it (``rename``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, func, or_, select, union, update
from sqlalchemy.orm import Session

from bridge.store import tables
from bridge.store.upsert import insert_if_absent

DUPLICATE = "duplicate"  # an AR record's state once it was resolved as a duplicate


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

    def link(
        self,
        escalation_id: int,
        system: str,
        key: str,
        now: dt.datetime,
        vendor_id: str | None = None,
    ) -> bool:
        """Mark an escalation as waiting on an AR; False if it was waiting already."""
        values = {
            "system": system,
            "external_key": key,
            "escalation_id": escalation_id,
            "created_at": now,
            "vendor_id": vendor_id or self._vendor_id(system, key),
        }
        return insert_if_absent(
            self.session,
            tables.ActionRequestLink,
            values,
            ["system", "external_key", "escalation_id"],
        )

    def _vendor_id(self, system: str, key: str) -> str | None:
        """The vendor id already known for the AR ``key``, from its record or another link."""
        for table in (tables.ActionRequest, tables.ActionRequestLink):
            found = self.session.scalars(
                select(table.vendor_id)
                .where(table.system == system, table.external_key == key)
                .where(table.vendor_id.is_not(None))
                .limit(1)
            ).first()
            if found:
                return found
        return None

    def known_as(
        self, system: str, vendor_id: str, keys: Sequence[str]
    ) -> list[tuple[str, str | None]]:
        """(key, vendor id) of the ARs the bridge knows with this immutable id or one of
        ``keys``, in one read: asked of every issue event, mostly about issues nobody waits on."""
        parts = [
            select(table.external_key, table.vendor_id).where(
                table.system == system,
                or_(table.vendor_id == vendor_id, table.external_key.in_(keys)),
            )
            for table in (tables.ActionRequestLink, tables.ActionRequest)
        ]
        rows = self.session.execute(union(*parts))
        return [(key, found) for key, found in rows]

    def remember_vendor_id(self, system: str, key: str, vendor_id: str) -> None:
        """An event named the AR by key and id: links made before the id was known keep it."""
        for table in (tables.ActionRequest, tables.ActionRequestLink):
            self.session.execute(
                update(table)
                .where(table.system == system, table.external_key == key)
                .where(table.vendor_id.is_(None))
                .values(vendor_id=vendor_id)
            )

    def rename(
        self, system: str, old: str, new: str, vendor_id: str, url: str | None = None
    ) -> None:
        """The AR moved (another project, a renamed repository): every record and link of it
        takes its new key, so the next event, ship signal and waiting list name it as it is."""
        records = tables.ActionRequest
        values: dict[str, str] = {"external_key": new, "vendor_id": vendor_id}
        for record in self.session.scalars(
            select(records).where(records.system == system, records.external_key == old)
        ):
            # Jira's browse URL names the key; a GitHub event gives the new address.
            record.url = url or (record.url or "").replace(old, new) or None
            record.external_key, record.vendor_id = new, vendor_id
        self.session.flush()
        links = tables.ActionRequestLink
        self.session.execute(
            update(links).where(links.system == system, links.external_key == old).values(values)
        )

    def move_waiting(
        self, system: str, old: str, new: str, new_vendor_id: str, now: dt.datetime
    ) -> list[int]:
        """The AR ``old`` was resolved as a duplicate of ``new``: every escalation waiting on it
        waits on ``new`` instead (with the fix version ``new`` is known to be in); returns their
        ids, none when they were moved already."""
        self.seed(system, (old,), now)
        links = tables.ActionRequestLink
        fix = self.session.scalars(
            select(links.fix_version)
            .where(links.system == system, links.external_key == new)
            .where(links.fix_version.is_not(None))
            .limit(1)
        ).first()
        moved = []
        for row in self.session.scalars(
            select(links).where(links.system == system, links.external_key == old)
        ):
            self.link(row.escalation_id, system, new, now, new_vendor_id or None)
            moved.append(row.escalation_id)
            self.session.delete(row)
        self.session.flush()
        if fix:
            self.session.execute(
                update(links)
                .where(links.system == system, links.external_key == new)
                .where(links.fix_version.is_(None))
                .values(fix_version=fix)
            )
        records = tables.ActionRequest
        self.session.execute(
            update(records)
            .where(records.system == system, records.external_key == old)
            .values(state=DUPLICATE)
        )
        return sorted(moved)

    def comment_bodies(self, source: str, record_key: str) -> list[bytes]:
        """The stored comment deliveries about one issue, newest first."""
        return list(
            self.session.scalars(
                select(tables.InboxRow.body)
                .where(
                    tables.InboxRow.source == source,
                    tables.InboxRow.event_type == "issue_comment.created",
                    tables.InboxRow.record_key == record_key,
                )
                .order_by(tables.InboxRow.id.desc())
            )
        )

    def seed(self, system: str, keys: Sequence[str], now: dt.datetime) -> None:
        """The escalation that filed an AR waits on it too."""
        records = tables.ActionRequest
        filed = self.session.execute(
            select(records.escalation_id, records.external_key, records.vendor_id).where(
                records.kind == "ar",
                records.system == system,
                records.external_key.in_(keys),
                records.state != DUPLICATE,  # its escalations wait on the surviving issue
            )
        )
        for escalation_id, key, vendor_id in filed:
            self.link(escalation_id, system, key, now, vendor_id)

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

    def released_version_body(self, source: str, event_type: str, version: str) -> bytes | None:
        """The stored ``source`` delivery of ``event_type`` that released ``version``, if one
        came in."""
        return self.session.scalars(
            select(tables.InboxRow.body)
            .where(
                tables.InboxRow.source == source,
                tables.InboxRow.event_type == event_type,
                tables.InboxRow.record_key == f"version:{version}",
            )
            .limit(1)
        ).first()
