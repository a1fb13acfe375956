"""Public comments on escalated tickets since a time, as Zendesk's ``ticket.comment_added``
event subscription would have told them: the customer's replies (and support's public
answers, which meet the reply clock), read from the incremental ticket event export
(``GET /api/v2/incremental/ticket_events.json?start_time=…&include=comment_events``).

The export lists every ticket's events; the ones of tickets with an open escalation are kept.
Each page is one request from the ``zendesk:requests`` budget (Zendesk also allows this
export 10 requests a minute), and a run reads at most ``MAX_PAGES``. The comment's id is the
one the event subscription carries, so ``signals.content_delivery_id`` keys both copies alike.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import structlog

from bridge.services.ports import MissedEvent, Watching

log = structlog.get_logger(__name__)
EXPORT = "/api/v2/incremental/ticket_events.json"
MAX_PAGES = 5  # 1,000 events a page


class ReplyCatchUp:
    """Part of ``ZendeskConnector`` (``catch_up``): it provides ``api``; one watermark covers
    the account's ticket events."""

    api: Any
    catch_up_scope = "ticket_events"

    def missed_since(self, since: dt.datetime, watching: Watching) -> list[MissedEvent]:
        tickets = set(watching.tickets)
        if not tickets:
            return []
        comments = self._comments_since(int(since.timestamp()), tickets)
        people: dict[str, dict[str, Any]] = {}
        shown: dict[str, dict[str, Any]] = {}
        found = []
        for ticket, audit, comment in comments:
            if ticket not in shown:
                shown[ticket] = self.api.request("GET", f"/api/v2/tickets/{int(ticket)}.json")[
                    "ticket"
                ]
            author = str(comment.get("author_id") or "")
            if author not in people:
                people[author] = self._person(author)
            found.append(comment_added(shown[ticket], audit, comment, people[author]))
        return found

    def _comments_since(
        self, start: int, tickets: set[str]
    ) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
        found = []
        for _ in range(MAX_PAGES):
            page = self.api.request("GET", f"{EXPORT}?start_time={start}&include=comment_events")
            for audit in page.get("ticket_events") or []:
                ticket = str(audit.get("ticket_id") or "")
                children = audit.get("child_events") or []
                if ticket not in tickets or any(_creates(child) for child in children):
                    continue  # a ticket's creation (its description) is no comment_added
                for child in children:
                    if child.get("event_type") == "Comment" and child.get("id"):
                        found.append((ticket, audit, child))
            end = page.get("end_time")
            if page.get("end_of_stream") or not isinstance(end, int) or end <= start:
                return found
            start = end
        log.warning("zendesk.catch_up.cut_off", pages=MAX_PAGES)
        return found

    def _person(self, user_id: str) -> dict[str, Any]:
        if not user_id.isdigit():
            return {}
        user = self.api.request("GET", f"/api/v2/users/{int(user_id)}.json").get("user") or {}
        return dict(user)


def _creates(child: Any) -> bool:
    return isinstance(child, dict) and child.get("event_type") == "Create"


def comment_added(
    ticket: dict[str, Any],
    audit: dict[str, Any],
    comment: dict[str, Any],
    author: dict[str, Any],
) -> MissedEvent:
    """The ``zen:event-type:ticket.comment_added`` envelope, its ``detail`` the ticket now."""
    at = dt.datetime.fromisoformat(str(audit["created_at"]).replace("Z", "+00:00"))
    stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    role = author.get("role")
    payload = {
        "type": "zen:event-type:ticket.comment_added",
        "id": f"export:{audit.get('id')}:{comment['id']}",
        "time": stamp,
        "zendesk_event_version": "2022-11-06",
        "subject": f"zen:ticket:{ticket['id']}",
        "detail": {
            "id": str(ticket["id"]),
            "subject": ticket.get("subject"),
            "status": str(ticket.get("status") or "").upper(),
            "priority": str(ticket.get("priority") or "").upper(),
            "type": str(ticket.get("type") or "").upper(),
            "requester_id": str(ticket.get("requester_id") or ""),
            "organization_id": str(ticket.get("organization_id") or 0),
            "tags": ticket.get("tags") or [],
            "updated_at": stamp,
        },
        "event": {
            "comment": {
                "id": str(comment["id"]),
                "body": comment.get("body") or "",
                "is_public": comment.get("public") is True,
                "author": {
                    "id": str(comment.get("author_id") or ""),
                    "name": author.get("name") or "",
                    "is_staff": role is not None and role != "end-user",
                },
                "via": comment.get("via") or {},
            }
        },
    }
    return MissedEvent("zendesk", "ticket.comment_added", f"ticket:{ticket['id']}", payload, at)
