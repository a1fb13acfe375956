"""The helpdesk as an entry point (000, 001), beyond a ticket becoming marked for escalation.

- A NEW ticket marked for escalation (the helpdesk's ``escalation_entry``) that names another
  ticket ("Escalation of ticket 4711", "#4711") escalates THAT ticket; the new ticket is
  linked to it and told, not escalated itself.
- A customer's reply that copies the support manager (level 1), the account manager (level 2)
  or the executive (level 3) — ``levels.<n>.address`` in bridge.yaml — raises the escalation
  of the ticket to that level, opening it first when none is open. Once per reply: the raise
  claims a guard token named after the delivery, and a level already reached is not raised to.
  With no escalation open and no triage answers (a mail carries none), the ask is kept as a
  pending escalation request and support is asked to triage it (``triage_requests.py``).
- A ticket marked for escalation while the bridge was down, found by catch-up without the
  trigger's answers, is asked to be triaged the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import structlog

from bridge.domain.enums import EntryPoint, Level, LevelCause, ReasonCategory
from bridge.domain.errors import AlreadyEscalated, DomainError, TriageIncomplete, UnknownTicket
from bridge.domain.levels import copied_level
from bridge.domain.records import Ticket
from bridge.services import effects
from bridge.services.answers import UnreadableAnswers
from bridge.services.collaborators import Collaborators, Service
from bridge.services.escalation.escalations import (
    EscalationNotFound,
    EscalationRequest,
    EscalationService,
)
from bridge.services.inbound.triage_requests import TriageRequests
from bridge.services.json_body import addresses_in, parse_json
from bridge.services.readings import HelpdeskEvents
from bridge.store.escalations import AmbiguousTicket, EscalationStore

log = structlog.get_logger(__name__)
REFUSALS = (DomainError, EscalationNotFound, AmbiguousTicket)
UNTRIAGED = (TriageIncomplete, UnreadableAnswers)


def copied_addresses(document: dict[str, Any], events: HelpdeskEvents | None) -> list[str]:
    """The addresses a customer's public reply was sent to: in the helpdesk's own shape, as its
    package reads the comment (``events``: ``copied``), else in the bridge's documented trigger
    body (``comment.cc``). Staff comments and private notes copy nobody."""
    said = events.comment(document) if events is not None else None
    if said is not None:
        return list(said.copied) if said.public and said.by_customer is True else []
    comment = document.get("comment")
    if isinstance(comment, dict) and comment.get("public") and comment.get("by_customer"):
        return addresses_in(comment.get("cc"))
    return []


class HelpdeskEntry(Service):
    def __init__(
        self,
        collaborators: Collaborators,
        escalations: EscalationService,
        helpdesks: Mapping[str, HelpdeskEvents],
    ) -> None:
        super().__init__(collaborators)
        self.escalations = escalations
        self.helpdesks = helpdesks
        self.triage_requests = TriageRequests(collaborators, helpdesks)

    # -- a new escalation ticket names the ticket to escalate ----------------------------------
    def escalate_named(
        self, helpdesk: str, new: Ticket, named: str, body: bytes, *, cause: str, now: dt.datetime
    ) -> int | None:
        """Escalate ticket ``named`` for the new ticket ``new`` (the triage answers come with
        the trigger, as for a type change); None when the bridge does not know ``named`` (the
        caller then escalates the new ticket itself). Other refusals are raised."""
        request = EscalationRequest(
            ticket_ref=f"{helpdesk}:{named}",
            reason=ReasonCategory.CRITICAL_BUSINESS_IMPACT,
            reason_text=(new.description or new.subject)[:2000],
            requested_by=new.requester or helpdesk,
            entry_point=EntryPoint.ESCALATION_REQUEST,
            cause=cause,
            override_justification=(
                f"escalation requested in new {helpdesk} ticket {new.external_id}"
            ),
        )
        try:
            escalation_id = self.escalations.escalate_from_helpdesk(request, body, now)
        except UnknownTicket:
            log.info("helpdesk.named_ticket_unknown", ticket=new.external_id, named=named)
            return None
        except AlreadyEscalated as exc:  # the customer is pointed at the one that is open
            escalation_id = int(exc.escalation_id)
        with self.transactions.begin() as session:
            store = EscalationStore(session)
            row = store.find_ticket(f"{helpdesk}:{named}")
            if row is not None:
                ticket = store.ticket_of(row)
                link = f"ticket:{new.external_id}"
                if link not in ticket.links:
                    ticket.links.append(link)
                    store.save_ticket(helpdesk, ticket, now, row)
            if self.configured(helpdesk):
                text = (
                    f"This ticket asks to escalate ticket {named}: escalation {escalation_id} "
                    "is open for it; follow it there."
                )
                key = f"escalation-{escalation_id}-requested-here"
                self.outbox.add(
                    session, effects.helpdesk_note(helpdesk, new.external_id, key, text=text), now
                )
        log.info("helpdesk.named_ticket_escalated", named=named, escalation_id=escalation_id)
        return escalation_id

    # -- marked for escalation while the bridge was down ----------------------------------------
    def marked_while_down(
        self,
        helpdesk: str,
        ticket: Ticket,
        change: str,
        *,
        marked_by: str,
        cause: str,
        now: dt.datetime,
    ) -> bool:
        """Catch-up found the change that marked ``ticket``; the trigger with its answers never
        arrived. Unless the bridge heard the mark (the ticket mirrored as marked) or an
        escalation is open, support is asked to triage it. The ticket is mirrored unmarked
        when new, so the trigger arriving late still opens the escalation with its answers."""
        ticket_ref = f"{helpdesk}:{ticket.external_id}"
        with self.transactions.begin() as session:
            store = EscalationStore(session)
            row = store.find_ticket(ticket_ref)
            if row is None:
                store.save_ticket(helpdesk, replace(ticket, escalation_marked=False), now)
            elif store.ticket_of(row).escalation_marked:
                log.info("helpdesk.mark_already_heard", ticket=ticket_ref)
                return False
        escalation_id, _ = self._open_escalation(ticket_ref)
        if escalation_id is not None:
            log.info("helpdesk.marked_ticket_escalated", ticket=ticket_ref)
            return False
        asked = self.triage_requests.ask_after_mark(
            helpdesk, ticket.external_id, change, marked_by=marked_by, cause=cause, now=now
        )
        return asked is not None

    # -- the customer copies a level's owner -----------------------------------------------------
    def _open_escalation(self, ticket_ref: str) -> tuple[int | None, str]:
        """The open escalation of the ticket (if any) and its requester."""
        with self.transactions() as session:
            store = EscalationStore(session)
            row = store.find_ticket(ticket_ref)
            if row is None:
                return None, ""
            ticket = store.ticket_of(row)
            for link in reversed(ticket.links):
                kind, _, number = link.partition(":")
                if kind != "escalation" or not number.isdigit():
                    continue
                loaded = store.load(int(number))
                if loaded is not None and loaded.escalation.is_open:
                    return int(number), ticket.requester
            return None, ticket.requester

    def customer_copied(
        self, helpdesk: str, number: str, body: bytes, *, cause: str, now: dt.datetime
    ) -> Level | None:
        """Raise the ticket's open escalation to the level the reply copied (opening one first,
        under the same triage rule as a type change, when none is open; without the answers,
        support is asked to triage it); returns the level asked for, None when the reply copied
        no level's address. Other refusals are logged."""
        document = parse_json(body)
        events = self.helpdesks.get(helpdesk)
        copied = copied_addresses(document, events) if isinstance(document, dict) else []
        addresses = {Level(n): level.address for n, level in self.settings.levels.items()}
        target = copied_level(addresses, copied) if copied else None
        if target is None:
            return None
        ticket_ref = f"{helpdesk}:{number}"
        role = self.settings.levels[int(target)].role
        try:
            escalation_id, requester = self._open_escalation(ticket_ref)
            if escalation_id is None:
                request = EscalationRequest(
                    ticket_ref=ticket_ref,
                    reason=ReasonCategory.CRITICAL_BUSINESS_IMPACT,
                    reason_text=f"the customer copied the {role} on a reply",
                    requested_by=requester or "customer",
                    entry_point=EntryPoint.CUSTOMER_COPY,
                    cause=cause,
                    override_justification=f"the customer copied the {role} ({helpdesk} reply)",
                )
                try:
                    escalation_id = self.escalations.escalate_from_helpdesk(request, body, now)
                except UNTRIAGED:  # a mail carries no triage answers: support triages it
                    self.triage_requests.ask_support(
                        helpdesk,
                        number,
                        body,
                        level=target,
                        role=role,
                        requested_by=request.requested_by,
                        cause=cause,
                        now=now,
                    )
                    return target
            if target > Level.SUPPORT_MANAGER:
                self._raise(escalation_id, target, role, cause=cause, now=now)
        except REFUSALS as exc:
            log.info("helpdesk.copy_not_raised", ticket=ticket_ref, error=type(exc).__name__)
        return target

    def _raise(
        self, escalation_id: int, target: Level, role: str, *, cause: str, now: dt.datetime
    ) -> None:
        with self.transactions.begin() as session:
            loaded = EscalationStore(session).load(escalation_id)
            if loaded is None or loaded.escalation.level >= target:
                return
            if not self.claim(session, f"customer-copy:{cause}:level-{int(target)}", now):
                return
            self.escalations.raise_level(
                escalation_id,
                by="customer (helpdesk reply)",
                cause=cause,
                now=now,
                why=LevelCause.CUSTOMER_COPY,
                note=f"the customer copied the {role}",
                session=session,
                to=target,
            )
