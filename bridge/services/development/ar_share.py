"""*Share with customer*: support publishes one developer comment to the customer, explicitly.

What development says on the AR reaches support only (``ar_voice.py``); the thread reply of a
comment carries a *Share with customer* button. Pressed by someone the ``status_update`` role
allows (the people who may update the customer), it posts that comment's words as a public
reply on the escalation's helpdesk ticket, written inert in the helpdesk's markup, records it
on the timeline and counts as a response the customer sees for the reply SLA clock. The reply's
key names the comment, so pressing twice, or two people pressing, publishes once.
"""

from __future__ import annotations

import datetime as dt

import structlog

from bridge.domain.lifecycle import record_in_place
from bridge.services import effects
from bridge.services.collaborators import Collaborators, Service
from bridge.services.development.ar_voice import COMMENT_STEP, comment_of
from bridge.services.escalation.clocks import keep_clocks, told_if
from bridge.services.escalation.escalations import EscalationService
from bridge.services.mrkdwn import inert
from bridge.store.escalations import EscalationStore
from bridge.store.queries import timeline_note

log = structlog.get_logger(__name__)
SHARED_STEP = "ar_comment_shared"


class CommentSharing(Service):
    def __init__(self, collaborators: Collaborators, escalations: EscalationService) -> None:
        super().__init__(collaborators)
        self.escalations = escalations

    def share(self, escalation_id: int, comment: str, *, by: str, now: dt.datetime) -> str | None:
        """Publish the developer comment the timeline keeps as ``comment``; returns why not, to
        tell the person who pressed, or None once it is published (or was already)."""
        with self.transactions.begin() as session:
            store = EscalationStore(session)
            loaded = store.load(escalation_id)
            if loaded is None:
                return f"there is no escalation {escalation_id}."
            escalation, ticket = loaded.escalation, loaded.ticket_row
            if not escalation.is_open:
                return f"escalation {escalation.id} is closed; nothing was shared."
            note = timeline_note(session, escalation_id, COMMENT_STEP, comment)
            if note is None:
                return "the bridge heard no such developer comment on this escalation."
            if not self.configured(ticket.helpdesk):
                return f"{ticket.helpdesk} is not configured; nothing was shared."
            heard, said = comment_of(note)
            step = f"share:{comment}"
            reply = effects.helpdesk_note(
                ticket.helpdesk, ticket.external_id, step, text=said, public=True, outside=True
            )
            if self.outbox.add(session, reply, now) is None:
                log.info("ar_share.already_shared", escalation_id=escalation.id)
                return None
            where = f"{ticket.helpdesk} ticket {ticket.external_id}"
            record_in_place(
                escalation,
                SHARED_STEP,
                actor=by,
                cause=comment,
                now=now,
                note=f"Shared with the customer (a public reply on {where}): {said}",
            )
            store.save(escalation, now)
            keep_clocks(store, loaded, now, *told_if([reply]))
            text = (
                f"<@{inert(by)}> shared this with the customer, as a public reply on "
                f"{inert(where)}: {inert(heard)}"
            )
            planned = [
                effects.thread_reply(escalation.id, step, text=text),
                self.escalations.head_message(store, loaded, step, now),
            ]
            self.outbox.plan(session, planned, now)
        log.info("ar_share.shared", escalation_id=escalation_id)
        return None
