"""A customer's ask to escalate that support must triage first.

Copying the support manager on a reply asks to escalate (000), but a mail carries none of the
triage answers every entry point needs (002), so the bridge may not open the escalation alone.
The ask is kept as a pending escalation request and support is asked in the ticket's
escalation channel, with the customer's words and a button opening the triage form for the
ticket; the escalation that then opens settles the request. Once per message: a resent
delivery finds its request already there and posts nothing. A ticket marked for escalation
while the bridge was down (found by catch-up, without the trigger's answers) is asked the
same way, once per change that marked it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import structlog

from bridge.domain.enums import Level
from bridge.services import effects
from bridge.services.collaborators import Collaborators, Service
from bridge.services.escalation.routing import route
from bridge.services.inbound.replies import customer_comment
from bridge.services.json_body import parse_json
from bridge.services.mrkdwn import escaped
from bridge.services.readings import HelpdeskEvents
from bridge.store.escalations import EscalationStore
from bridge.store.pending import PendingRequests

log = structlog.get_logger(__name__)
# The button's action id; its value names the ticket and what to prefill (webhooks/slack).
OPEN_TRIAGE = "triage_request.open"
VALUE_LIMIT = 2000  # Slack's limit on a button's value
SECTION_LIMIT = 3000  # Slack's limit on a section's text
WORDS_SHOWN = 1000
KEPT_WORDS = 10_000


def quoted(words: str, longest: int = WORDS_SHOWN) -> str:
    """The customer's words as typed (escaped), as a block quote, cut with an ellipsis when
    long; shorter still when escaping (``&amp;``…) would take it past a section's limit."""
    while True:
        shown = escaped(words.strip(), longest)
        quote = "\n".join(f"> {line}" for line in shown.splitlines() or [""])
        if len(quote) < SECTION_LIMIT:
            return quote
        longest = longest * 3 // 4


def message_key(
    helpdesk: str, number: str, document: Any, words: str, events: HelpdeskEvents | None
) -> str:
    """The customer's message, whatever delivery carried it: the helpdesk's id for the comment
    when its own shape has one (``events``: ``message_id``), else a digest of the words (of the
    whole body when there are none)."""
    said = events.comment(document) if events is not None and isinstance(document, dict) else None
    if said is not None and said.message_id:
        identity = "comment-" + hashlib.sha256(said.message_id.encode()).hexdigest()[:16]
    else:
        source = words or json.dumps(document, sort_keys=True, default=str)
        identity = "words-" + hashlib.sha256(source.encode("utf-8", "replace")).hexdigest()[:24]
    ticket = hashlib.sha256(number.encode("utf-8", "replace")).hexdigest()[:16]
    return f"{helpdesk[:32]}:{ticket}:{identity}"


def _button_value(ticket_ref: str, reason: str) -> str:
    while True:
        value = json.dumps({"ticket": ticket_ref, "reason": reason}, ensure_ascii=False)
        if len(value) <= VALUE_LIMIT or not reason:
            return value
        reason = reason[: len(reason) * 3 // 4]


def _triage_button(ticket_ref: str, reason: str) -> dict[str, Any]:
    """*Triage and escalate*: opens the triage form for the ticket, the reason filled in."""
    return {
        "type": "button",
        "action_id": OPEN_TRIAGE,
        "text": {"type": "plain_text", "text": "Triage and escalate"},
        "style": "primary",
        "value": _button_value(ticket_ref, reason),
    }


def triage_request_message(ticket_ref: str, role: str, words: str) -> tuple[str, list[Any]]:
    """The fallback text and the blocks: who was copied, the customer's words, the button."""
    ticket = escaped(ticket_ref)
    text = f"Ticket {ticket}: the customer copied the {role} and asks to escalate; triage it."
    head = (
        f":envelope: *Ticket {ticket}*: the customer copied the {role} on a reply, asking to "
        "escalate. No escalation is open, and a mail carries no triage answers: triage the "
        "ticket to open one."
    )
    button = _triage_button(ticket_ref, f"The customer copied the {role}: {words}")
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": head}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": quoted(words) if words else "_(no text)_"},
        },
        {"type": "actions", "block_id": "triage_request", "elements": [button]},
    ]
    return text, blocks


def marked_request_message(ticket_ref: str, _role: str, words: str) -> tuple[str, list[Any]]:
    """A ticket marked for escalation whose trigger never reached the bridge."""
    ticket = escaped(ticket_ref)
    text = f"Ticket {ticket} was marked for escalation while the bridge was down; triage it."
    head = (
        f":rotating_light: *Ticket {ticket}* was marked for escalation while the bridge was "
        "down. Its trigger's triage answers never arrived, so no escalation is open: triage the "
        "ticket to open one (if the trigger still arrives, it opens the escalation instead)."
    )
    button = _triage_button(ticket_ref, words)
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": head}},
        {"type": "actions", "block_id": "triage_request", "elements": [button]},
    ]
    return text, blocks


class Ask(NamedTuple):
    """What is kept of an ask to escalate: its key, the level, the words, who, and why."""

    key: str
    level: Level
    words: str
    requested_by: str
    cause: str


class TriageRequests(Service):
    def __init__(
        self, collaborators: Collaborators, helpdesks: Mapping[str, HelpdeskEvents]
    ) -> None:
        super().__init__(collaborators)
        self.helpdesks = helpdesks

    def ask_support(
        self,
        helpdesk: str,
        number: str,
        body: bytes,
        *,
        level: Level,
        role: str,
        requested_by: str,
        cause: str,
        now: dt.datetime,
    ) -> int | None:
        """Keep the ask and post it for triage; the request's id, None when already asked."""
        document = parse_json(body)
        events = self.helpdesks.get(helpdesk)
        words = (customer_comment(document, events) if isinstance(document, dict) else None) or ""
        key = message_key(helpdesk, number, document, words, events)
        ticket_ref = f"{helpdesk}:{number}"
        asked = Ask(key, level, words, requested_by, cause)
        return self._keep_and_post(ticket_ref, asked, triage_request_message, role, now)

    def ask_after_mark(
        self,
        helpdesk: str,
        number: str,
        change: str,
        *,
        marked_by: str,
        cause: str,
        now: dt.datetime,
    ) -> int | None:
        """The ticket was marked for escalation while the bridge heard no webhooks: its
        trigger's answers never came, so support is asked to triage it; keyed by the change."""
        ticket = hashlib.sha256(number.encode("utf-8", "replace")).hexdigest()[:16]
        mark = hashlib.sha256(change.encode("utf-8", "replace")).hexdigest()[:16]
        key = f"{helpdesk[:32]}:{ticket}:marked-{mark}"
        words = f"Marked for escalation in {helpdesk} by {marked_by} while the bridge was down."
        asked = Ask(key, Level.SUPPORT_MANAGER, words, marked_by, cause)
        return self._keep_and_post(f"{helpdesk}:{number}", asked, marked_request_message, "", now)

    def _keep_and_post(
        self,
        ticket_ref: str,
        asked: Ask,
        message: Callable[[str, str, str], tuple[str, list[Any]]],
        role: str,
        now: dt.datetime,
    ) -> int | None:
        key, level, words, requested_by, cause = asked
        with self.transactions.begin() as session:
            store = EscalationStore(session)
            row = store.find_ticket(ticket_ref)
            if row is None:
                return None
            request_id = PendingRequests(session).add(
                key,
                ticket_id=row.id,
                level=int(level),
                words=words[:KEPT_WORDS],
                requested_by=requested_by,
                cause=cause,
                now=now,
            )
            if request_id is None:
                log.info("helpdesk.triage_already_requested", ticket=ticket_ref)
                return None
            channel = route(self.settings.routing, store.ticket_of(row)).channel
            text, blocks = message(ticket_ref, role, words)
            effect = effects.channel_post(
                f"triage-request:{key}", channel=channel, text=text, blocks=blocks
            )
            self.outbox.add(session, effect, now)
        log.info("helpdesk.triage_requested", ticket=ticket_ref, request_id=request_id)
        return request_id
