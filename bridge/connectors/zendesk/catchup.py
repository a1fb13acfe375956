"""Public comments on escalated tickets since a time, as Zendesk's ``ticket.comment_added``
event subscription would have told them: the customer's replies (and support's public
answers, which meet the reply clock), read from the incremental ticket event export
(``GET /api/v2/incremental/ticket_events.json?start_time=…&include=comment_events``); and the
tickets marked for escalation meanwhile (``marks.py``), whose trigger may never have arrived.

The export lists every ticket's events; the comments of tickets with an open escalation are
kept, and the changes that marked a ticket without one, the audit that created a ticket
already marked included.
Each page is one request from the ``zendesk:requests`` budget (Zendesk also allows this
export 10 requests a minute), and a run reads at most ``MAX_PAGES``. A run cut off there
answers ``CutOff`` at the last page's ``end_time``: the watermark moves only that far, and
the next run (a minute later) starts the export there. The comment's id is the one the event
subscription carries, so ``events.content_key`` keys both copies alike.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import structlog

from bridge.connectors.zendesk.marks import envelope, marked_while_down, marks
from bridge.connectors.zendesk.settings import ZendeskSettings
from bridge.services.ports import CutOff, MissedEvent, Watching

log = structlog.get_logger(__name__)
Found = tuple[str, dict[str, Any], dict[str, Any]]  # (ticket id, audit, child event)
EXPORT = "/api/v2/incremental/ticket_events.json"
MAX_PAGES = 5  # 1,000 events a page
# Zendesk refuses a start_time under a minute old (and leaves out the last minute's events).
YOUNGEST_START = dt.timedelta(seconds=61)


class ReplyCatchUp:
    """Part of ``ZendeskConnector`` (``catch_up``): it provides ``api``; one watermark covers
    the account's ticket events."""

    api: Any
    settings: ZendeskSettings
    catch_up_scope = "ticket_events"

    def missed_since(self, since: dt.datetime, watching: Watching) -> list[MissedEvent] | CutOff:
        if since > dt.datetime.now(dt.UTC) - YOUNGEST_START:
            # A backlog read up to the last minute: nothing may be asked yet, and the next run
            # reaches back over it (catch-up's overlap is longer than Zendesk's minute).
            return []
        tickets = set(watching.tickets)
        comments, marked, read_until = self._events_since(int(since.timestamp()), tickets)
        people: dict[str, dict[str, Any]] = {}
        shown: dict[str, dict[str, Any]] = {}

        def ticket_of(number: str) -> dict[str, Any]:
            if number not in shown:
                path = f"/api/v2/tickets/{int(number)}.json"
                shown[number] = self.api.request("GET", path)["ticket"]
            return shown[number]

        def person(user_id: str) -> dict[str, Any]:
            if user_id not in people:
                people[user_id] = self._person(user_id)
            return people[user_id]

        found = []
        for ticket, audit, comment in comments:
            author = person(str(comment.get("author_id") or ""))
            found.append(comment_added(ticket_of(ticket), audit, comment, author))
        for ticket, audit, change in marked:
            agent = person(str(audit.get("updater_id") or ""))
            marked_by = str(agent.get("email") or agent.get("name") or "zendesk")
            found.append(marked_while_down(ticket_of(ticket), audit, change, marked_by))
        if read_until is None:
            return found
        return CutOff(found, dt.datetime.fromtimestamp(read_until, dt.UTC))

    def _events_since(
        self, start: int, tickets: set[str]
    ) -> tuple[list[Found], list[Found], int | None]:
        """The comments on watched tickets, and the changes that marked an unwatched ticket
        for escalation (a watched one has its escalation open already); with the export's
        ``end_time`` when the run stopped at ``MAX_PAGES`` before the end of the stream."""
        entry = self.settings.escalation_entry
        found: list[Found] = []
        marked: list[Found] = []
        for _ in range(MAX_PAGES):
            page = self.api.request("GET", f"{EXPORT}?start_time={start}&include=comment_events")
            for audit in page.get("ticket_events") or []:
                ticket = str(audit.get("ticket_id") or "")
                children = audit.get("child_events") or []
                if ticket not in tickets:
                    marked.extend((ticket, audit, c) for c in children if marks(c, entry))
                    continue
                if any(_creates(child) for child in children):
                    continue  # a ticket's creation (its description) is no comment_added
                for child in children:
                    if child.get("event_type") == "Comment" and child.get("id"):
                        found.append((ticket, audit, child))
            end = page.get("end_time")
            if page.get("end_of_stream") or not isinstance(end, int) or end <= start:
                return found, marked, None
            start = end
        log.warning("zendesk.catch_up.cut_off", pages=MAX_PAGES, read_until=start)
        return found, marked, start

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
    payload, at = envelope("ticket.comment_added", ticket, audit, comment["id"])
    role = author.get("role")
    payload["event"] = {
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
    }
    return MissedEvent("zendesk", "ticket.comment_added", f"ticket:{ticket['id']}", payload, at)
