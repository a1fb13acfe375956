"""The helpdesks' inbox processor: a stored ticket event becomes the ticket mirrored, an
escalation opened or raised, a reply heard, or a request held until its sender is registered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import structlog

from bridge.domain.contacts import NOT_ONE_ADDRESS, HeldRequest, check_requester
from bridge.domain.identifiers import NO_RULES, TicketIds
from bridge.domain.opening import named_ticket, request_from_ticket_update
from bridge.jobs.registry import Outcome, StoredDelivery
from bridge.services import effects
from bridge.services.collaborators import Collaborators, Service
from bridge.services.escalation.escalations import (
    EscalationRequest,
    EscalationService,
)
from bridge.services.inbound.conversation import Conversation
from bridge.services.inbound.helpdesk_entry import HelpdeskEntry
from bridge.services.inbound.processors import REFUSALS
from bridge.services.inbound.replies import Replies, public_comment
from bridge.services.inbound.ticket_events import check_ticket, parse_ticket_event
from bridge.services.json_body import parse_json
from bridge.services.mrkdwn import inert
from bridge.services.readings import HelpdeskEvents
from bridge.services.showing.names import Names
from bridge.services.signals import MARKED_WHILE_DOWN
from bridge.store.escalations import EscalationStore

log = structlog.get_logger(__name__)


class HelpdeskProcessor(Service):
    """Ticket events keep the mirror current; a ticket newly marked for escalation (the
    helpdesk's ``escalation_entry``: a tag, a field value or a type) opens an escalation, a new
    marked ticket naming another escalates that one, and a customer reply copying a
    level's address raises the escalation to that level (``helpdesk_entry.py``)."""

    def __init__(
        self,
        collaborators: Collaborators,
        escalations: EscalationService,
        replies: Replies,
        entry: HelpdeskEntry,
        conversation: Conversation,
        helpdesks: Mapping[str, HelpdeskEvents],
        names: Names | None = None,
        ticket_ids: Mapping[str, TicketIds] = NO_RULES,
    ) -> None:
        super().__init__(collaborators)
        self.helpdesks = helpdesks
        self.names = names
        self.ticket_ids = ticket_ids  # each installed helpdesk's rule, by key
        self.service = escalations
        self.replies = replies
        self.entry = entry
        self.conversation = conversation

    def _registry(self) -> dict[str, str]:
        return {
            address: organisation
            for organisation, addresses in self.settings.contacts.items()
            for address in addresses
        }

    def __call__(self, row: StoredDelivery) -> Outcome:
        entry = self.settings.connectors.escalation_entry(row.source)
        events = self.helpdesks.get(row.source)
        event = parse_ticket_event(row.body, entry, events)
        check_ticket(row.source, event.ticket, self.ticket_ids)
        if self.names is not None:
            # A helpdesk's own events may name the organisation and the requester by id.
            ticket = event.ticket
            ticket.organisation = self.names.organisation(row.source, ticket.organisation)
            ticket.requester = self.names.requester(row.source, ticket.requester)
        now = self.now()
        cause = f"{row.source}:{row.delivery_id}"
        if row.event_type == MARKED_WHILE_DOWN:
            asked = self.entry.marked_while_down(
                row.source,
                event.ticket,
                row.delivery_id,
                marked_by=event.updated_by,
                cause=cause,
                now=now,
            )
            return "done" if asked else "ignored"
        if row.source == "intake" and self.settings.contacts:
            check = check_requester(
                event.ticket.requester,
                self._registry(),
                source_ref=f"inbox:{row.id}",
                received_at=now,
            )
            if check.held is not None:
                return self._hold(row, check.held, now)
        # A comment is news whatever its timestamp, so it is read before the staleness check.
        answered = self.replies.customer_replied(
            row.source, event.ticket.external_id, row.body, now
        )
        named = named_ticket(event.ticket)
        with self.transactions.begin() as session:
            store = EscalationStore(session)
            existing = store.find_ticket(f"{row.source}:{event.ticket.external_id}")
            # Only an older stamp is stale: helpdesks stamp to the second, and two changes (a
            # comment, then the agent's tag) can share one; a redelivery is the inbox's to drop.
            stale = bool(
                existing is not None
                and event.updated_at
                and existing.last_event_at
                and event.updated_at < existing.last_event_at
            )
            before = store.ticket_of(existing) if existing is not None else None
            if not stale:
                if before is not None:
                    # What the bridge learnt of the ticket beyond the event's fields stays.
                    event.ticket.links = before.links
                    event.ticket.last_support_reply_at = before.last_support_reply_at
                    event.ticket.opened_at = event.ticket.opened_at or before.opened_at
                elif named is not None:
                    event.ticket.links.append(f"ticket:{named}")
                saved = store.save_ticket(row.source, event.ticket, now, existing)
                saved.last_event_at = event.updated_at or now
        document = parse_json(row.body)
        comment = public_comment(document, events) if isinstance(document, dict) else None
        if comment is not None and not (comment.by_customer and answered):
            self.conversation.public_comment(
                row.source, event.ticket.external_id, comment, cause=cause, now=now
            )
        self.entry.customer_copied(
            row.source, event.ticket.external_id, row.body, cause=cause, now=now
        )
        if stale:
            log.info("ticket.stale_event_ignored", row_id=row.id)
            return "ignored"
        if before is None and named is not None:
            try:
                found = self.entry.escalate_named(
                    row.source, event.ticket, named, row.body, cause=cause, now=now
                )
            except REFUSALS as exc:
                text = f"Escalation of {row.source}:{inert(named)} refused: {inert(exc)}"
                self._tell_channel(f"refused:{cause}", text, now)
                return "done"
            if found is not None:
                return "done"
        command = request_from_ticket_update(
            before, event.ticket, changed_by=event.updated_by, cause=cause
        )
        if command is None:
            return "done"
        request = EscalationRequest(
            ticket_ref=f"{row.source}:{command.ticket_ref}",
            reason=command.reason,
            reason_text=command.reason_text,
            requested_by=command.requested_by,
            entry_point=command.entry_point,
            cause=command.cause,
            override_justification=(
                f"ticket marked for escalation in {row.source} by {event.updated_by}"
            ),
        )
        try:
            self.service.escalate_from_helpdesk(request, row.body, now)
        except REFUSALS as exc:  # e.g. a ticket describing several problems: support is told
            self._tell_channel(
                f"refused:{cause}",
                f"Escalation of {inert(request.ticket_ref)} refused: {inert(exc)}",
                now,
            )
            log.info("ticket.escalation_refused", error=type(exc).__name__)
        return "done"

    def _tell_channel(self, key: str, text: str, now: dt.datetime) -> None:
        channel = self.settings.routing.default_channel
        with self.transactions.begin() as session:
            self.outbox.add(session, effects.channel_post(key, channel=channel, text=text), now)

    def _hold(self, row: StoredDelivery, held: HeldRequest, now: dt.datetime) -> Outcome:
        channel = self.settings.routing.default_channel
        replay = f"then run `support-bridge inbox replay {row.id}`."
        if held.reason == NOT_ONE_ADDRESS:
            text = (
                f"A request whose {NOT_ONE_ADDRESS} is held as inbox row {row.id}. Correct the "
                f"requester where the request came from, {replay}"
            )
        else:
            text = (
                f"A request from an unregistered address ({inert(held.address)}) is held as "
                f"inbox row {row.id}. Register the address under `contacts:`, {replay}"
            )
        with self.transactions.begin() as session:
            self.outbox.add(
                session, effects.channel_post(f"held:{row.id}", channel=channel, text=text), now
            )
        log.info("intake.held_unregistered", row_id=row.id)
        return "held"
