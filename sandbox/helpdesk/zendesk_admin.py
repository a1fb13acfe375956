"""What a Zendesk administrator sets up, minimally: ticket fields (``POST
/api/v2/ticket_fields.json``) and triggers whose action notifies the webhook with a JSON body the
admin wrote from Zendesk placeholders (``POST /_sandbox/triggers``); mixed into ``ZendeskServer``.

One condition is understood, ``type_changed_to`` ("Ticket: Type | Changed to"): after an update
that changed the ticket's type to the trigger's value, the body is rendered and sent to the
registered webhook targets as event ``trigger.<id>``, signed as every Zendesk webhook is.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from dataclasses import asdict, dataclass
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request

from sandbox.core.webhooks import WebhookSender
from sandbox.helpdesk.zendesk_model import ZendeskTicket

CONDITIONS = ("type_changed_to",)
FIELD_TYPES = ("text", "textarea", "checkbox", "date", "integer", "decimal", "regexp", "tagger")
# ``{{ticket.id}}``, ``{{ ticket.ticket_field_27642 }}``…; Liquid tags (``{% … %}``) are not run.
PLACEHOLDER = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")
FIELD_PLACEHOLDER = "ticket.ticket_field_"


@dataclass(frozen=True)
class Trigger:
    id: int
    title: str
    condition: str
    value: str
    body: str

    def fires(self, changes: dict[str, tuple[Any, Any]]) -> bool:
        """Whether an update with ``changes`` (field: (before, after)) meets the condition."""
        before, after = changes.get("type", (None, None))
        return before != after and str(after or "").casefold() == self.value.casefold()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render(template: str, values: dict[str, str], fields: dict[int, Any]) -> str:
    """The body with each placeholder replaced by its value, escaped for a JSON string (the
    template quotes its placeholders); an unknown placeholder renders empty."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith(FIELD_PLACEHOLDER):
            number = name.removeprefix(FIELD_PLACEHOLDER)
            value = _text(fields.get(int(number))) if number.isdigit() else ""
        else:
            value = values.get(name, "")
        return json.dumps(value)[1:-1]

    return PLACEHOLDER.sub(one, template)


class TicketAdmin:
    """Ticket fields and triggers; the server provides the state annotated here."""

    ids: itertools.count[int]
    users: dict[int, dict[str, Any]]
    organizations: dict[int, dict[str, Any]]
    ticket_fields: list[dict[str, Any]]
    triggers: list[Trigger]
    webhooks: WebhookSender
    lock: threading.RLock

    def invalid(self, details: dict[str, Any]) -> Response:
        raise NotImplementedError

    def set_custom_fields(self, ticket: ZendeskTicket, items: Any) -> Response | None:
        """``custom_fields: [{"id", "value"}]`` as Zendesk's API takes it; a 422 naming an
        unknown field (values are kept as sent, not checked against the field's type)."""
        if not isinstance(items, list) or any(not isinstance(i, dict) for i in items):
            return self.invalid({"custom_fields": [{"description": "Custom fields: is invalid"}]})
        known = {f["id"] for f in self.ticket_fields}
        for item in items:
            if item.get("id") not in known:
                return self.invalid(
                    {"custom_fields": [{"description": f"Unknown field {item.get('id')}"}]}
                )
        for item in items:
            ticket.custom_fields[item["id"]] = item.get("value")
        return None

    def placeholders(self, ticket: ZendeskTicket, current_user_id: int) -> dict[str, str]:
        """Zendesk's ticket placeholders the bridge's template uses, as Zendesk renders them
        (type, status and priority by their titles: ``Escalation``, ``Open``, ``Normal``)."""
        requester = self.users.get(ticket.requester_id, {})
        organization = self.organizations.get(ticket.organization_id or 0, {})
        return {
            "ticket.id": str(ticket.id),
            "ticket.title": ticket.subject,
            "ticket.description": ticket.description,
            "ticket.requester.email": str(requester.get("email", "")),
            "ticket.requester.name": str(requester.get("name", "")),
            "ticket.organization.name": str(organization.get("name", "")),
            "ticket.priority": (ticket.priority or "").title(),
            "ticket.ticket_type": (ticket.type or "").title(),
            "ticket.status": ticket.status.title(),
            "ticket.created_at_with_timestamp": ticket.created_at,
            "ticket.updated_at_with_timestamp": ticket.updated_at,
            "current_user.email": str(self.users.get(current_user_id, {}).get("email", "")),
        }

    def run_triggers(
        self, ticket: ZendeskTicket, changes: dict[str, tuple[Any, Any]], current_user_id: int
    ) -> None:
        """After an update: each trigger whose condition the update met sends its body."""
        for trigger in self.triggers:
            if trigger.fires(changes):
                values = self.placeholders(ticket, current_user_id)
                body = render(trigger.body, values, ticket.custom_fields)
                self.webhooks.send_body(f"trigger.{trigger.id}", body.encode("utf-8"))

    def register_admin_routes(self, app: Flask) -> None:
        @app.post("/api/v2/ticket_fields.json")
        def create_ticket_field() -> Any:
            data = (request.get_json(silent=True) or {}).get("ticket_field") or {}
            if data.get("type") not in FIELD_TYPES or not str(data.get("title") or "").strip():
                return self.invalid(
                    {"base": [{"description": "Title: cannot be blank; Type: is invalid"}]}
                )
            field = {"id": next(self.ids), "title": str(data["title"]), "type": data["type"]}
            self.ticket_fields.append(field)
            return jsonify({"ticket_field": field | {"active": True}}), 201

    def register_trigger_control(self, bp: Blueprint) -> None:
        @bp.post("/triggers")
        def add_trigger() -> Any:
            """``{"title", "condition": "type_changed_to", "value": "escalation", "body"}``:
            the body is the JSON template, as a string, with Zendesk placeholders."""
            data = request.get_json(force=True)
            if not isinstance(data, dict) or data.get("condition") not in CONDITIONS:
                return jsonify({"error": f"condition must be one of {list(CONDITIONS)}"}), 400
            if not isinstance(data.get("body"), str) or not isinstance(data.get("value"), str):
                return jsonify({"error": "value and body must be strings"}), 400
            with self.lock:
                trigger = Trigger(
                    next(self.ids),
                    str(data.get("title") or f"{data['condition']} {data['value']}"),
                    data["condition"],
                    data["value"],
                    data["body"],
                )
                self.triggers.append(trigger)
            return jsonify(asdict(trigger)), 201

        @bp.get("/triggers")
        def list_triggers() -> Any:
            return jsonify([asdict(t) for t in self.triggers])
