"""Zendesk's incremental ticket event export, ``GET /api/v2/incremental/ticket_events.json``:
each comment the sandbox holds as the ``Audit`` event that added it, with its ``Comment`` child
event when ``include=comment_events`` (Zendesk sends comment text only then), and each update
that changed a ticket's tags or custom fields as its ``Audit`` with ``Change`` child events.
Time-based paging as Zendesk's: ``start_time`` in Unix seconds, refused when under a minute old;
``end_time``, ``next_page`` and ``end_of_stream`` say where to go on. A page holds ``PAGE``
events and the rest of its last second's (Zendesk's pages may exceed their size), and
``end_time`` is then the second after it, so paging on from it neither repeats nor loops
however many events share one second."""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING, Any

from flask import Flask, jsonify, request

from sandbox.helpdesk.zendesk_model import comment_json

if TYPE_CHECKING:
    from sandbox.helpdesk.zendesk import ZendeskServer

PAGE = 1000  # events per page, as Zendesk's


def _epoch(stamp: str) -> int:
    return int(dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())


def register_export_routes(server: ZendeskServer, app: Flask) -> None:
    @app.get("/api/v2/incremental/ticket_events.json")
    def ticket_events() -> Any:
        raw = request.args.get("start_time", "")
        if not raw.isdigit():
            return server.error(400, "start_time is required: a Unix time in seconds")
        start = int(raw)
        if start > time.time() - 60:
            return server.error(400, "Too recent start_time. Use a start_time older than 1 minute")
        comments = request.args.get("include") == "comment_events"
        added = [
            (_epoch(comment.created_at), comment.id + 1_000_000, ticket.id, comment)
            for ticket in server.tickets.values()
            for comment in ticket.comments
        ]
        changed = [
            (_epoch(audit["created_at"]), audit["id"], ticket.id, audit)
            for ticket in server.tickets.values()
            for audit in ticket.audits
        ]
        after = sorted((row for row in added + changed if row[0] >= start), key=lambda row: row[:2])
        found = after[:PAGE]
        if len(after) > PAGE:  # the page holds its last second whole
            found += [row for row in after[PAGE:] if row[0] == found[-1][0]]
        events = [
            _change_audit(at, ticket_id, audit)
            if isinstance(audit, dict)
            else _audit(at, server.tickets[ticket_id], audit, comments)
            for at, _, ticket_id, audit in found
        ]
        more = len(after) > len(found)
        end = found[-1][0] + 1 if more else (found[-1][0] if found else start)
        return jsonify(
            {
                "ticket_events": events,
                "count": len(events),
                "end_time": end,
                "end_of_stream": not more,
                "next_page": server.url(f"incremental/ticket_events.json?start_time={end}"),
            }
        )


def _change_audit(at: int, ticket_id: int, audit: dict[str, Any]) -> dict[str, Any]:
    """An update's audit whose ``Change`` events changed the tags or a custom field."""
    return {
        "id": audit["id"],
        "ticket_id": ticket_id,
        "timestamp": at,
        "created_at": audit["created_at"],
        "updater_id": audit["updater_id"],
        "via": "web",
        "event_type": "Audit",
        "child_events": audit["child_events"],
    }


def _audit(at: int, ticket: Any, comment: Any, comments: bool) -> dict[str, Any]:
    """The audit that added ``comment``; a ticket's first comment is its description, added by
    the audit that created the ticket (with its ``Create`` events: the subject, and the tags
    and custom fields it was created with)."""
    shown = comment_json(comment)
    child = {
        "id": comment.id,
        "event_type": "Comment",
        "via": shown["via"],
        "comment_present": True,
        "comment_public": comment.public,
    }
    if comments:
        child |= {k: shown[k] for k in ("body", "html_body", "public", "author_id")}
    children = [child]
    if ticket.comments and ticket.comments[0] is comment:
        created = {"event_type": "Create", "field_name": "subject", "value": ticket.subject}
        children[:0] = [{"id": comment.id + 2_000_000, **created}, *ticket.created_with]
    return {
        "id": comment.id + 1_000_000,  # the audit's own id
        "ticket_id": ticket.id,
        "timestamp": at,
        "created_at": comment.created_at,
        "updater_id": comment.author_id,
        "via": shown["via"].get("channel", "api"),
        "event_type": "Audit",
        "child_events": children,
    }
