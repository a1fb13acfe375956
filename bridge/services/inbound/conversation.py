"""Public messages on the ticket, as the SLA clocks and the escalation advice read them.

- A support agent's public reply is a response the customer sees: it meets the running reply
  clock of each open escalation of the ticket, and the ticket remembers it as support's latest
  reply (001: "support is already working on it within a reasonable time").
- The customer's public message asks again: the next reply clock starts (000: every message is
  replied to within one business day), and an agreed wait on the customer is over. A message
  the bridge read as the answer to a resolution notice was handled there.
"""

from __future__ import annotations

import datetime as dt

import structlog

from bridge.domain.clocks import ClockEvent, latest
from bridge.domain.communication import customer_wrote
from bridge.domain.sla import TargetKind
from bridge.services import effects
from bridge.services.collaborators import Collaborators, Service
from bridge.services.escalation.clocks import keep_clocks
from bridge.services.escalation.escalations import EscalationService
from bridge.services.inbound.replies import PublicComment
from bridge.store.escalations import EscalationStore

log = structlog.get_logger(__name__)


class Conversation(Service):
    def __init__(self, collaborators: Collaborators, escalations: EscalationService) -> None:
        super().__init__(collaborators)
        self.escalations = escalations

    def public_comment(
        self, helpdesk: str, number: str, comment: PublicComment, *, cause: str, now: dt.datetime
    ) -> int:
        """Follow one public comment on ticket ``helpdesk:number``; returns how many open
        escalations it concerned."""
        with self.transactions.begin() as session:
            store = EscalationStore(session)
            row = store.find_ticket(f"{helpdesk}:{number}")
            if row is None:
                return 0
            if not comment.by_customer:
                ticket = store.ticket_of(row)
                ticket.last_support_reply_at = now
                store.save_ticket(helpdesk, ticket, now, row)
            event = ClockEvent.CUSTOMER_WROTE if comment.by_customer else ClockEvent.CUSTOMER_TOLD
            ids = store.open_escalation_ids(row)
            for escalation_id in ids:
                loaded = self.escalations.load(store, escalation_id)
                if comment.by_customer:
                    customer_wrote(loaded.escalation)
                    store.save(loaded.escalation, now)
                if not keep_clocks(store, loaded, now, event):
                    continue
                step = f"{event.value}:{cause}"
                planned = [self.escalations.head_message(store, loaded, step, now)]
                reply = latest(store.clocks(escalation_id)).get(TargetKind.REPLY)
                if comment.by_customer and reply is not None and reply.due_at is not None:
                    text = (
                        f"The customer wrote on ticket {number}: a reply is due by "
                        f"{reply.due_at:%a %d %b %H:%M} UTC."
                    )
                    planned.append(effects.thread_reply(loaded.escalation.id, step, text=text))
                self.outbox.plan(session, planned, now)
        log.info("conversation.public_comment", by_customer=comment.by_customer, open=len(ids))
        return len(ids)
