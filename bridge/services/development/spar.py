"""SPAR and AR (004): when the escalated problem is software-related a SPAR is opened and filed in
the tracker routing chose; once it exists, the AR is filed in the development tracker linked to
it; once the AR exists, its number is written on the helpdesk ticket and told in the thread.

Each step follows the outbox result of the one before (a completion hook), so nothing is filed
twice and nothing waits on a vendor inside a request.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import structlog

from bridge.domain.enums import Severity
from bridge.domain.plans import file_ar, negotiate_severity
from bridge.domain.plans import open_spar as open_spar_record
from bridge.domain.records import ActionRequest, Escalation, Ticket
from bridge.jobs.registry import PerformedEffect
from bridge.services import effects
from bridge.services.collaborators import Collaborators, Service
from bridge.services.escalation.clocks import start_patch_clock
from bridge.services.escalation.escalations import EscalationService
from bridge.services.escalation.routing import route
from bridge.services.escalation.waiting import waiting_list
from bridge.services.mrkdwn import REASON_SHOWN
from bridge.services.showing.shown import (
    ShownTicket,
    TicketNamed,
    classification_label,
    person_name,
    severity_label,
    shown_ticket,
)
from bridge.store.ar_links import ArLinks
from bridge.store.escalations import EscalationStore, Loaded

log = structlog.get_logger(__name__)


class TrackerNotConfigured(Exception):
    """Routing chose a tracker the bridge has no connector for."""


def _facts(
    escalation: Escalation, ticket: Ticket, shown: ShownTicket, engineer: str, severity: Severity
) -> dict[str, str]:
    """The facts listed on the record, names as people know them (the record leaves Slack: the
    engineer's remembered display name, not a mention); its severity (the one agreed with the
    customer) is the record's own, so the ticket's is named only when it differs."""
    classification = escalation.classification.value if escalation.classification else ""
    reason = REASON_SHOWN.get(escalation.reason, escalation.reason.value)
    facts = {
        "Ticket": f"{ticket.external_id}: {ticket.subject}",
        "Customer": shown.customer,
        "Requester": shown.requester,
        "Ticket severity": severity_label(ticket.severity) if severity != ticket.severity else "",
        "Classification": classification_label(classification),
        "Reason": f"{reason}: {escalation.reason_text}" if escalation.reason_text else reason,
        "Escalation level": str(int(escalation.level)),
        "Engineer": engineer,
    }
    answers = escalation.triage
    if answers is not None:
        facts.update(
            {
                "Production down": "yes" if answers.production_down else "no",
                "Acceptable workaround": {True: "yes", False: "no", None: "unknown"}[
                    answers.acceptable_workaround
                ],
                "Users affected": str(answers.users_affected or "unknown"),
                "Anticipated financial loss": answers.anticipated_financial_loss or "unknown",
            }
        )
    return {name: value for name, value in facts.items() if value}


class SparFiling(Service):
    """Opens the SPAR, and takes the next step when the tracker has filed a record."""

    def __init__(self, collaborators: Collaborators, escalations: EscalationService) -> None:
        super().__init__(collaborators)
        self.escalations = escalations

    def _spec(
        self,
        store: EscalationStore,
        loaded: Loaded,
        ticket: Ticket,
        kind: str,
        severity: Severity,
        link_to: str = "",
    ) -> dict[str, Any]:
        """What the tracker files; ``severity`` is the SPAR's, negotiated with the customer
        (004), which the connector maps as it maps any severity (a Jira field, a GitHub label)."""
        escalation = loaded.escalation
        named = TicketNamed.of(loaded.ticket_row.helpdesk, ticket)
        shown = shown_ticket(store.session, self.pages, named)
        engineer = person_name(store.session, escalation.engineer) if escalation.engineer else ""
        label = "SPAR" if kind == "spar" else "AR"
        settings = self.settings
        mapping = settings.field_mappings.get(route(settings.routing, ticket).tracker, {})
        fields = {mapping["severity"]: str(int(severity))} if "severity" in mapping else {}
        return {
            "summary": f"[{label}] {ticket.subject} (ticket {ticket.external_id})",
            "facts": _facts(escalation, ticket, shown, engineer, severity),
            "severity": str(int(severity)),
            "labels": ["spar"] if kind == "spar" else ["bug"],
            "fields": fields,
            # The page people open: the helpdesk's agent view, else the board's timeline.
            "ticket_url": shown.url or f"{settings.public_url}/board/escalations/{escalation.id}",
            "ticket_id": f"{loaded.ticket_row.helpdesk}:{ticket.external_id}",
            "link_to": link_to,
        }

    def open_spar(
        self,
        escalation_id: int,
        *,
        by: str,
        cause: str,
        now: dt.datetime,
        severity: Severity | None = None,
    ) -> int:
        """Open the SPAR at ``severity``, the one negotiated with the customer (004; by default
        the ticket's), and plan its filing; returns the SPAR's id."""
        with self.transactions.begin() as session:
            store = EscalationStore(session)
            loaded = self.escalations.load(store, escalation_id)
            ticket = store.ticket_of(loaded.ticket_row)
            tracker = route(self.settings.routing, ticket).tracker
            if not self.configured(tracker):
                msg = (
                    f"routing files this ticket's SPAR in {tracker}; "
                    f"connectors.{tracker} is not set"
                )
                raise TrackerNotConfigured(msg)
            agreed = severity or ticket.severity
            spar_id = store.reserve_spar_id(escalation_id, int(agreed), now)
            spar = open_spar_record(
                loaded.escalation,
                spar_id=str(spar_id),
                severity=ticket.severity,
                actor=by,
                cause=cause,
                now=now,
            )
            if agreed != ticket.severity:
                named = TicketNamed.of(loaded.ticket_row.helpdesk, ticket)
                customer = shown_ticket(session, self.pages, named).customer or "the customer"
                negotiate_severity(
                    spar, agreed, agreed_with=customer, actor=by, cause=cause, now=now
                )
            store.save_spar(spar, now)
            store.save(loaded.escalation, now)
            spec = self._spec(store, loaded, ticket, "spar", agreed)
            text = f"SPAR {spar_id} opened (severity {int(agreed)}); filing it in {tracker}."
            if agreed != ticket.severity:
                text += (
                    f" Agreed with the customer; the ticket's severity is {int(ticket.severity)}."
                )
            self.outbox.plan(
                session,
                [
                    effects.tracker_record(
                        tracker, loaded.escalation.id, "spar", spec=spec, spar_id=str(spar_id)
                    ),
                    effects.thread_reply(loaded.escalation.id, f"spar-{spar_id}", text=text),
                ],
                now,
            )
            return spar_id

    def record_created(self, row: PerformedEffect, result: dict[str, Any]) -> None:
        """Completion hook of ``create_record``: remember the record and take the next step."""
        payload = row.payload
        kind, record = payload["kind"], str(payload["escalation_id"])
        spar_id = int(payload["spar_id"]) if payload.get("spar_id") else None
        now = self.now()
        with self.transactions.begin() as session:
            store = EscalationStore(session)
            loaded = store.load(int(record)) if record.isdigit() else None
            if loaded is None:
                log.warning("spar.record_without_escalation", record=record, key=result.get("key"))
                return
            escalation_id = loaded.row.id
            if not store.link_record(escalation_id, spar_id, kind, result, now):
                return  # this step was taken when the row first succeeded
            ticket = store.ticket_of(loaded.ticket_row)
            key, url = result["key"], result.get("url", "")
            planned = [
                effects.thread_reply(
                    loaded.escalation.id,
                    f"{kind}-{key}",
                    text=f"{kind.upper()} {key} filed: {url}",
                )
            ]
            if kind == "spar":
                spar = next(
                    (s for s in store.spars_of(escalation_id) if s.id == str(spar_id)), None
                )
                severity = spar.severity if spar is not None else ticket.severity
                spec = self._spec(store, loaded, ticket, "ar", severity, link_to=key)
                planned.append(
                    effects.tracker_record(
                        row.target,
                        loaded.escalation.id,
                        "ar",
                        spec=spec,
                        spar_id=payload.get("spar_id", ""),
                    )
                )
            else:
                planned += self._note_ar_on_ticket(
                    store, loaded, ticket, row.target, spar_id, result, now
                )
                # The escalation that filed the AR waits on it: developers see it listed.
                vendor_id = result.get("vendor_id")
                ArLinks(session).link(escalation_id, row.target, key, now, vendor_id)
                planned.append(waiting_list(session, self.pages, row.target, key, f"ar-{key}", now))
            self.outbox.plan(session, planned, now)

    def _note_ar_on_ticket(
        self,
        store: EscalationStore,
        loaded: Loaded,
        ticket: Ticket,
        tracker: str,
        spar_id: int | None,
        result: dict[str, Any],
        now: dt.datetime,
    ) -> list[effects.SideEffect]:
        """ "The AR number is noted in the customer case tracking system" (004)."""
        key, url = result["key"], result.get("url", "")
        spar = next((s for s in store.spars_of(loaded.row.id) if s.id == str(spar_id)), None)
        if spar is not None:
            ar = ActionRequest(
                id=key,
                spar_id=spar.id,
                ticket_id=ticket.external_id,
                tracker=tracker,
                key=key,
                url=url,
            )
            file_ar(spar, ar, ticket, actor="support-bridge", cause=f"{tracker}:{key}", now=now)
            store.save_spar(spar, now)
            store.save_ticket(loaded.ticket_row.helpdesk, ticket, now, loaded.ticket_row)
        # Raised as a bug in the tracker: a patch is owed for a critical one (000), by the
        # severity negotiated for the SPAR (004).
        start_patch_clock(store, loaded, spar.severity if spar else ticket.severity, now)
        planned = [self.escalations.head_message(store, loaded, f"ar-{key}", now)]
        helpdesk = loaded.ticket_row.helpdesk
        connectors = self.settings.connectors
        if helpdesk in connectors.configured():
            number = ticket.external_id
            planned.append(
                effects.helpdesk_note(
                    helpdesk, number, f"ar-{key}", text=f"AR {key} filed for this ticket: {url}"
                )
            )
            section = connectors.section(helpdesk)
            if _setting(section, "ar_field_id") or _setting(section, "ar_field_name"):
                planned.append(
                    effects.helpdesk_fields(
                        helpdesk, number, f"ar-{key}", fields={"ar_number": key}
                    )
                )
        return planned


def _setting(section: Any, key: str) -> Any:
    """A key of a connector's section: its settings model's, or the raw section's of a
    connector that validates its own."""
    return section.get(key) if isinstance(section, dict) else getattr(section, key, None)
