"""A customer's reply on the helpdesk ticket answers the resolution notice too.

"Thanks, fixed" accepts; "still broken" (or asking to reopen) rejects, or during monitoring
reports a recurrence. Anything else is left to the support engineer. Only public comments by
the customer count: our own replies and staff notes come back as events too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import structlog

from bridge.services.closing.closure import Closure
from bridge.services.closing.links import ACCEPT, STILL_BROKEN
from bridge.services.collaborators import Collaborators, Service
from bridge.services.json_body import parse_json
from bridge.services.readings import HelpdeskEvents
from bridge.services.workflow.monitoring import Monitoring
from bridge.store.escalations import EscalationStore
from bridge.store.resolutions import Resolutions

log = structlog.get_logger(__name__)
BY = "customer (helpdesk reply)"

_BROKEN = re.compile(
    r"still (?:broken|failing|happening|not working|see|get)|not (?:fixed|solved|resolved)|"
    r"(?:doesn't|does not|didn't|did not) (?:work|help|fix)|please reopen|came back|"
    r"is back|happen(?:s|ing|ed) again",
    re.IGNORECASE,
)
_ACCEPT = re.compile(
    r"\b(?:fixed|solved|resolved|works(?: now| again)?|working (?:now|again)|"
    r"(?:you )?can close)\b",
    re.IGNORECASE,
)


def read_reply(text: str) -> str | None:
    """``accept``, ``still_broken`` or None when the reply says neither clearly."""
    if _BROKEN.search(text):
        return STILL_BROKEN
    if _ACCEPT.search(text):
        return ACCEPT
    return None


@dataclass(frozen=True)
class PublicComment:
    """A comment the customer can see on their ticket, and whether the customer wrote it."""

    by_customer: bool
    text: str


def public_comment(document: dict[str, Any], events: HelpdeskEvents | None) -> PublicComment | None:
    """The public comment a ticket event carries, if it carries one: in the helpdesk's own
    shape, as its package reads it (``events``; who wrote it must be said), else in the
    bridge's documented trigger body (``comment.public``, ``comment.by_customer``). Private
    notes are not public comments."""
    said = events.comment(document) if events is not None else None
    if said is not None:
        if not said.public or said.by_customer is None:
            return None
        return PublicComment(said.by_customer, said.text)
    comment = document.get("comment")  # the bridge's documented trigger body
    if isinstance(comment, dict) and _flag(comment.get("public")):
        by_customer = _flag(comment.get("by_customer"))
        if by_customer is not None:
            return PublicComment(by_customer, str(comment.get("body", "")))
    return None


def _flag(value: Any) -> bool | None:
    """A yes/no as JSON or as a trigger's placeholder renders it ("true", "false")."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, str) else ""
    return {"true": True, "false": False}.get(text)


def customer_comment(document: dict[str, Any], events: HelpdeskEvents | None) -> str | None:
    """The text of a public comment by the customer in a ticket event, if the event is one."""
    found = public_comment(document, events)
    return found.text or None if found is not None and found.by_customer else None


class Replies(Service):
    def __init__(
        self,
        collaborators: Collaborators,
        closure: Closure,
        monitoring: Monitoring,
        helpdesks: Mapping[str, HelpdeskEvents],
    ) -> None:
        super().__init__(collaborators)
        self.closure = closure
        self.monitoring = monitoring
        self.helpdesks = helpdesks

    def customer_replied(
        self, helpdesk: str, number: str, body: bytes, now: dt.datetime
    ) -> str | None:
        """Act on a customer's reply; returns the answer it was read as, if any."""
        document = parse_json(body)
        events = self.helpdesks.get(helpdesk)
        text = customer_comment(document, events) if isinstance(document, dict) else None
        answer = read_reply(text) if text else None
        if answer is None:
            return None
        ticket_ref = f"{helpdesk}:{number}"
        with self.transactions() as session:
            ticket = EscalationStore(session).find_ticket(ticket_ref)
            if ticket is None:
                return None
            found = Resolutions(session).latest_notice(ticket.id)
        if found is None:
            return None
        escalation_id = found.escalation_id
        if found.escalation_state == "awaiting_customer":
            self.closure.record_answer(found.notice_id, answer, by=BY, now=now)
        elif found.escalation_state == "monitoring" and answer == STILL_BROKEN:
            self.monitoring.same_problem(escalation_id, ticket_ref=ticket_ref, by=BY, now=now)
        else:
            return None
        log.info("replies.customer_answer", escalation_id=escalation_id, answer=answer)
        return answer
