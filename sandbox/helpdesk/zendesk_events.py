"""What the sandbox's Zendesk sends when a ticket changes: ``zen:event-type:ticket.*`` events
in Zendesk's event envelope, signed by the server that mixes this in."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from typing import Any

from sandbox.helpdesk.zendesk_model import (
    AGENT_ID,
    ZendeskComment,
    ZendeskTicket,
    comment_json,
    now,
    user_for,
)


class TicketEvents:
    """The ticket changes that send an event; mixed into ``ZendeskServer``."""

    # Provided by the server (annotations only, so nothing here shadows VendorServer.emit).
    ids: itertools.count[int]
    users: dict[int, dict[str, Any]]
    emit: Callable[[str, dict[str, Any]], None]

    def ticket_event(self, ticket: ZendeskTicket, kind: str, event: dict[str, Any]) -> None:
        """A `zen:event-type:ticket.*` event in Zendesk's event envelope. Zendesk publishes no
        verbatim ticket event, so `detail` follows the envelope's documented user events."""
        self.emit(
            f"ticket.{kind}",
            {
                "type": f"zen:event-type:ticket.{kind}",
                "account_id": 123456,
                "id": str(uuid.uuid4()),
                "time": now(),
                "zendesk_event_version": "2022-11-06",
                "subject": f"zen:ticket:{ticket.id}",
                "detail": {
                    "id": str(ticket.id),
                    "subject": ticket.subject,
                    "status": ticket.status.upper(),
                    "priority": (ticket.priority or "").upper(),
                    "type": (ticket.type or "").upper(),
                    "requester_id": str(ticket.requester_id),
                    "organization_id": str(ticket.organization_id or 0),
                    "tags": ticket.tags,
                    "updated_at": ticket.updated_at,
                },
                "event": event,
            },
        )

    def add_comment(
        self,
        ticket: ZendeskTicket,
        body: str,
        public: bool,
        author_id: int,
        via: dict[str, Any] | None = None,
    ) -> ZendeskComment:
        comment = ZendeskComment(next(self.ids), body, public, author_id, via=via)
        ticket.comments.append(comment)
        ticket.updated_at = now()
        author = self.users.get(author_id, {"name": "unknown", "role": "end-user"})
        self.ticket_event(
            ticket,
            "comment_added",
            {
                "comment": {
                    "id": str(comment.id),
                    "body": body,
                    "is_public": public,
                    "author": {
                        "id": str(author_id),
                        "name": author["name"],
                        "is_staff": author["role"] != "end-user",
                    },
                    "via": comment_json(comment)["via"],
                }
            },
        )
        return comment

    def set_type(self, ticket: ZendeskTicket, kind: str | None) -> None:
        if kind != ticket.type:
            previous, ticket.type, ticket.updated_at = ticket.type, kind, now()
            self.ticket_event(
                ticket,
                "ticket_type_changed",
                {"current": (kind or "").upper(), "previous": (previous or "").upper()},
            )

    def set_tags(self, ticket: ZendeskTicket, tags: list[str]) -> None:
        added = [t for t in tags if t not in ticket.tags]
        removed = [t for t in ticket.tags if t not in tags]
        if added or removed:
            ticket.tags, ticket.updated_at = list(tags), now()
            self.ticket_event(
                ticket, "tags_changed", {"tags_added": added, "tags_removed": removed}
            )

    def record_creation(self, ticket: ZendeskTicket) -> None:
        """The ``Create`` child events the creating audit holds for the ticket's tags and
        custom fields, as Zendesk's audits describe a field set at creation (``field_name``,
        ``value``, no ``previous_value``)."""
        created: list[dict[str, Any]] = []
        if ticket.tags:
            created.append({"field_name": "tags", "value": list(ticket.tags)})
        created.extend(
            {"field_name": str(number), "value": value}
            for number, value in ticket.custom_fields.items()
            if value not in (None, "")
        )
        ticket.created_with = [
            {"id": next(self.ids), "event_type": "Create", **event} for event in created
        ]

    def record_changes(
        self, ticket: ZendeskTicket, tags: list[str], fields: dict[int, Any], by: int = 0
    ) -> None:
        """The update's audit, kept for the ticket event export when it changed the tags or a
        custom field: one ``Change`` child event for each, as Zendesk's audits describe them
        (``field_name`` "tags" or the field's id, ``value``, ``previous_value``; a tag change
        also names its ``added_tags`` and ``removed_tags``)."""
        changes: list[dict[str, Any]] = []
        if ticket.tags != tags:
            changes.append(
                {
                    "field_name": "tags",
                    "value": list(ticket.tags),
                    "previous_value": list(tags),
                    "added_tags": [t for t in ticket.tags if t not in tags],
                    "removed_tags": [t for t in tags if t not in ticket.tags],
                }
            )
        for number, value in ticket.custom_fields.items():
            if fields.get(number) != value:
                changes.append(
                    {
                        "field_name": str(number),
                        "value": value,
                        "previous_value": fields.get(number),
                    }
                )
        if changes:
            children = [
                {"id": next(self.ids), "event_type": "Change", "via": "Web form", **change}
                for change in changes
            ]
            ticket.audits.append(
                {
                    "id": next(self.ids),
                    "created_at": now(),
                    "updater_id": by or AGENT_ID,
                    "child_events": children,
                }
            )

    def set_email_ccs(self, ticket: ZendeskTicket, changes: list[dict[str, Any]]) -> None:
        """``email_ccs: [{"user_email", "user_name", "action": "put" | "delete"}]``."""
        for change in changes:
            user_id = user_for(
                self.users, next(self.ids), change["user_email"], change.get("user_name", "")
            )
            if change.get("action", "put") == "delete":
                ticket.email_cc_ids = [i for i in ticket.email_cc_ids if i != user_id]
            elif user_id not in ticket.email_cc_ids:
                ticket.email_cc_ids.append(user_id)

    def set_status(self, ticket: ZendeskTicket, status: str) -> None:
        if status != ticket.status:
            previous, ticket.status, ticket.updated_at = ticket.status, status, now()
            self.ticket_event(
                ticket, "status_changed", {"current": status.upper(), "previous": previous.upper()}
            )

    # -- routes -------------------------------------------------------------------------------
