"""What Freshdesk's automation rules would have sent while the bridge heard no webhooks, asked
of its API: the tickets updated since the watermark (``GET /api/v2/tickets?updated_since=…``,
oldest update first), then

- for each ticket with an open escalation, its conversations
  (``GET /api/v2/tickets/{id}/conversations``): a public reply by the requester created since
  the watermark is handed over as the ``{customer_reply}`` body the reply rule sends;
- for a ticket without one whose ``type`` (or tag) is the configured ``escalation_entry``, a
  ``MARKED_WHILE_DOWN``: the listing has no triage answers, so support is asked to triage it.

Every call is one request from the ``freshdesk:requests`` budget; a run reads at most
``MAX_TICKET_PAGES`` pages of updated tickets and ``MAX_CONVERSATION_PAGES`` of each watched
ticket's conversations (100 a page). A run cut off at ``MAX_TICKET_PAGES`` answers ``CutOff`` at
the ``updated_at`` of the last ticket it listed: the watermark moves only that far and the next
run lists on from there. A watched ticket not yet listed may hold a reply made before that time
and be updated again after it, so the cut-off run reads such a ticket directly
(``GET /api/v2/tickets/{id}`` and its conversations): no reply falls between two runs.
The keys (``events.content_key``) are what the webhook and the API both show: a
reply's ticket and text, a mark's ticket and entry.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import structlog

from bridge.config.helpdesks import EscalationEntry, FreshdeskSettings
from bridge.connectors.freshdesk.events import CUSTOMER_REPLY
from bridge.services.ports import CutOff, MissedEvent, Watching
from bridge.services.signals import MARKED_WHILE_DOWN

log = structlog.get_logger(__name__)
PER_PAGE = 100
MAX_TICKET_PAGES = 10  # 1,000 updated tickets a run
MAX_PAGE = 300  # Freshdesk refuses a page past it
MAX_CONVERSATION_PAGES = 5  # 500 conversations of one ticket
STATUS_NAMES = {2: "Open", 3: "Pending", 4: "Resolved", 5: "Closed"}
PRIORITY_NAMES = {1: "low", 2: "normal", 3: "high", 4: "urgent"}


def _time(value: Any) -> dt.datetime | None:
    try:
        at = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def _code(ticket: dict[str, Any], name: str) -> int:
    value = ticket.get(name)
    return value if isinstance(value, int) else 0


def _status(ticket: dict[str, Any]) -> str:
    return STATUS_NAMES.get(_code(ticket, "status"), str(ticket.get("status") or ""))


def entered_escalation(ticket: dict[str, Any], entry: EscalationEntry) -> bool:
    """Whether the ticket now carries the escalation entry (its type, or a tag)."""
    if entry.type is not None:
        kind = str(ticket.get("type") or "").strip().casefold()
        return bool(kind) and kind == str(entry.type).strip().casefold()
    if entry.tag is not None:
        tags = {str(tag).strip().casefold() for tag in ticket.get("tags") or []}
        return entry.tag.strip().casefold() in tags
    return False


class ReplyCatchUp:
    """Part of ``FreshdeskConnector`` (``catch_up``): it provides ``api``; one watermark covers
    the account's tickets."""

    api: Any
    settings: FreshdeskSettings
    catch_up_scope = "tickets"

    def missed_since(self, since: dt.datetime, watching: Watching) -> list[MissedEvent] | CutOff:
        watched = set(watching.tickets)
        entry = self.settings.escalation_entry
        found: list[MissedEvent] = []
        listed, complete = self._updated_since(since)
        for ticket in listed:
            number = str(ticket.get("id") or "")
            if number in watched:
                found.extend(self._replies(ticket, since))
            elif number.isdigit() and entered_escalation(ticket, entry):
                found.append(marked_while_down(ticket, entry))
        read_until = _time(listed[-1].get("updated_at")) if listed else None
        if complete or read_until is None:
            return found
        seen = {str(ticket.get("id") or "") for ticket in listed}
        for number in sorted(watched - seen):
            if number.isdigit():
                ticket = self.api.request("GET", f"/api/v2/tickets/{int(number)}") or {}
                found.extend(self._replies(ticket, since) if ticket.get("id") else [])
        return CutOff(found, read_until)

    def _updated_since(self, since: dt.datetime) -> tuple[list[dict[str, Any]], bool]:
        """The tickets updated since, oldest update first, and whether that is all of them.
        Past ``MAX_TICKET_PAGES`` it reads on only to the end of the second it stopped in: the
        next run lists from that second again, and a bulk update sharing one second over more
        than the cap would otherwise fill every run's pages with it."""
        stamp = since.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        query = f"updated_since={stamp}&order_by=updated_at&order_type=asc&per_page={PER_PAGE}"
        tickets: list[dict[str, Any]] = []
        cap: dt.datetime | None = None
        for page in range(1, MAX_PAGE + 1):
            listed = self.api.request("GET", f"/api/v2/tickets?{query}&page={page}") or []
            tickets.extend(t for t in listed if isinstance(t, dict))
            if len(listed) < PER_PAGE:
                return tickets, True
            last = _time(tickets[-1].get("updated_at")) if tickets else None
            if page == MAX_TICKET_PAGES:
                cap = last
            if page >= MAX_TICKET_PAGES and (cap is None or last is None or last > cap):
                break
        log.warning("freshdesk.catch_up.cut_off", pages=page)
        return tickets, False

    def _replies(self, ticket: dict[str, Any], since: dt.datetime) -> list[MissedEvent]:
        """The requester's public replies on the ticket created since ``since``."""
        path = f"/api/v2/tickets/{int(ticket['id'])}/conversations?per_page={PER_PAGE}"
        requester = ticket.get("requester_id")
        replies = []
        for page in range(1, MAX_CONVERSATION_PAGES + 1):
            listed = self.api.request("GET", f"{path}&page={page}") or []
            for item in listed:
                at = _time(item.get("created_at"))
                by_requester = requester is not None and item.get("user_id") == requester
                public_reply = item.get("incoming") is True and item.get("private") is False
                if at is not None and at >= since and by_requester and public_reply:
                    replies.append(customer_reply(ticket, item, at))
            if len(listed) < PER_PAGE:
                return replies
        log.warning("freshdesk.catch_up.conversations_cut_off", pages=MAX_CONVERSATION_PAGES)
        return replies


def customer_reply(ticket: dict[str, Any], item: dict[str, Any], at: dt.datetime) -> MissedEvent:
    """The body of the ``{customer_reply}`` rule (docs/helpdesk-webhooks.md)."""
    payload = {
        "freshdesk_webhook": {
            "ticket_id": ticket["id"],
            "ticket_subject": ticket.get("subject"),
            "ticket_status": _status(ticket),
            "ticket_latest_public_comment": item.get("body_text") or "",
            "triggered_event": CUSTOMER_REPLY,
            "conversation_id": item.get("id"),
        }
    }
    return MissedEvent("freshdesk", CUSTOMER_REPLY, f"ticket:{ticket['id']}", payload, at)


def marked_while_down(ticket: dict[str, Any], entry: EscalationEntry) -> MissedEvent:
    """The ticket now, as the automation's placeholders name it; the triage answers are not
    in the API's ticket, so the escalation is not opened from it."""
    at = _time(ticket.get("updated_at")) or dt.datetime.now(dt.UTC)
    mark = f"type={entry.type}" if entry.type is not None else f"tag={entry.tag}"
    payload = {
        "freshdesk_webhook": {
            "ticket_id": ticket["id"],
            "ticket_subject": ticket.get("subject"),
            "ticket_description": ticket.get("description_text") or "",
            "ticket_status": _status(ticket),
            "ticket_priority": PRIORITY_NAMES.get(_code(ticket, "priority"), ""),
            "ticket_type": ticket.get("type") or "",
            "ticket_tags": ",".join(str(tag) for tag in ticket.get("tags") or []),
            "ticket_created_at": ticket.get("created_at"),
            "ticket_updated_at": ticket.get("updated_at"),
        },
        "marked": mark.casefold(),
    }
    return MissedEvent("freshdesk", MARKED_WHILE_DOWN, f"ticket:{ticket['id']}", payload, at)
