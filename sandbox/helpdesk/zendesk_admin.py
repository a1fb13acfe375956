"""What a Zendesk administrator sets up, minimally: ticket fields (``POST
/api/v2/ticket_fields.json``, drop-downs with their options) and triggers whose action notifies
the webhook with a JSON body the admin wrote from Zendesk placeholders (``POST
/_sandbox/triggers``); mixed into ``ZendeskServer``.

A trigger's conditions are Zendesk's, as its API writes them: ``current_tags`` with
``includes`` / ``not_includes`` ("Tags | Contains at least one of / none of") and
``custom_fields_<id>`` with ``is`` / ``is_not``. After every update (and creation) whose ticket
meets all of them, the trigger adds its ``current_tags`` action's tags ("Add tags"), then the
body is rendered and sent to the registered webhook targets as event ``trigger.<id>``, signed as
every Zendesk webhook is. As in Zendesk, a trigger fires on each such update: add a tag and test
for its absence to fire once.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request

from sandbox.core.webhooks import WebhookSender
from sandbox.helpdesk.zendesk_model import ZendeskTicket

OPERATORS = {"current_tags": ("includes", "not_includes"), "custom_fields_": ("is", "is_not")}
FIELD_TYPES = ("text", "textarea", "checkbox", "date", "integer", "decimal", "regexp", "tagger")
# ``{{ticket.id}}``, ``{{ ticket.ticket_field_27642 }}``…; Liquid tags (``{% … %}``) are not run.
PLACEHOLDER = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")
FIELD_PLACEHOLDER = "ticket.ticket_field_"
OPTION_TITLE_PLACEHOLDER = "ticket.ticket_field_option_title_"


@dataclass(frozen=True)
class Condition:
    field: str
    operator: str
    value: str

    def holds(self, ticket: ZendeskTicket) -> bool:
        if self.field == "current_tags":
            found = set(self.value.split()) & set(ticket.tags)
            return bool(found) == (self.operator == "includes")
        number = int(self.field.removeprefix("custom_fields_"))
        equal = _text(ticket.custom_fields.get(number)) == self.value
        return equal == (self.operator == "is")


@dataclass(frozen=True)
class Trigger:
    id: int
    title: str
    conditions: tuple[Condition, ...]
    body: str
    add_tags: tuple[str, ...] = field(default=())

    def fires(self, ticket: ZendeskTicket) -> bool:
        return all(condition.holds(ticket) for condition in self.conditions)


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
        if name.startswith(OPTION_TITLE_PLACEHOLDER):
            value = values.get(name, "")
        elif name.startswith(FIELD_PLACEHOLDER):
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
        unknown field. A drop-down's value is also a tag of the ticket, as in Zendesk: choosing
        another option (or none) takes the previous option's tag off."""
        if not isinstance(items, list) or any(not isinstance(i, dict) for i in items):
            return self.invalid({"custom_fields": [{"description": "Custom fields: is invalid"}]})
        known = {f["id"]: f for f in self.ticket_fields}
        for item in items:
            if item.get("id") not in known:
                return self.invalid(
                    {"custom_fields": [{"description": f"Unknown field {item.get('id')}"}]}
                )
        for item in items:
            before = ticket.custom_fields.get(item["id"])
            ticket.custom_fields[item["id"]] = item.get("value")
            if known[item["id"]]["type"] == "tagger":
                ticket.tags = [t for t in ticket.tags if t != before]
                if item.get("value") and item["value"] not in ticket.tags:
                    ticket.tags.append(str(item["value"]))
        return None

    def placeholders(self, ticket: ZendeskTicket, current_user_id: int) -> dict[str, str]:
        """Zendesk's ticket placeholders the bridge's template uses, as Zendesk renders them
        (type, status and priority by their titles: ``Incident``, ``Open``, ``Normal``; the
        tags space-separated; a drop-down's option title by
        ``ticket.ticket_field_option_title_<id>``)."""
        requester = self.users.get(ticket.requester_id, {})
        organization = self.organizations.get(ticket.organization_id or 0, {})
        titles = {
            f"{OPTION_TITLE_PLACEHOLDER}{f['id']}": option["name"]
            for f in self.ticket_fields
            for option in f.get("custom_field_options", [])
            if option["value"] == ticket.custom_fields.get(f["id"])
        }
        return titles | {
            "ticket.id": str(ticket.id),
            "ticket.title": ticket.subject,
            "ticket.description": ticket.description,
            "ticket.requester.email": str(requester.get("email", "")),
            "ticket.requester.name": str(requester.get("name", "")),
            "ticket.organization.name": str(organization.get("name", "")),
            "ticket.priority": (ticket.priority or "").title(),
            "ticket.ticket_type": (ticket.type or "").title(),
            "ticket.status": ticket.status.title(),
            "ticket.tags": " ".join(ticket.tags),
            "ticket.created_at_with_timestamp": ticket.created_at,
            "ticket.updated_at_with_timestamp": ticket.updated_at,
            "current_user.email": str(self.users.get(current_user_id, {}).get("email", "")),
        }

    def run_triggers(self, ticket: ZendeskTicket, current_user_id: int) -> None:
        """After an update or a creation: each trigger whose conditions the ticket meets adds
        its tags and sends its body, in order, each seeing the tags the previous ones added."""
        for trigger in self.triggers:
            if trigger.fires(ticket):
                ticket.tags.extend(t for t in trigger.add_tags if t not in ticket.tags)
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
            options = data.get("custom_field_options") or []
            if data["type"] == "tagger" and not _options_valid(options):
                return self.invalid(
                    {"base": [{"description": "Field options: each needs a name and a value"}]}
                )
            field = {"id": next(self.ids), "title": str(data["title"]), "type": data["type"]}
            if data["type"] == "tagger":
                field["custom_field_options"] = [
                    {"id": next(self.ids), "name": str(o["name"]), "value": str(o["value"])}
                    for o in options
                ]
            self.ticket_fields.append(field)
            return jsonify({"ticket_field": field | {"active": True}}), 201

    def _conditions(self, data: Any) -> list[Condition] | str:
        """The trigger's ``conditions.all``, or why they are refused."""
        items = data.get("all") if isinstance(data, dict) else None
        if not isinstance(items, list) or not items:
            return 'conditions must be {"all": [{"field", "operator", "value"}, ...]}'
        known = {f"custom_fields_{f['id']}" for f in self.ticket_fields}
        found = []
        for item in items:
            name = str(item.get("field", "")) if isinstance(item, dict) else ""
            kind = "custom_fields_" if name.startswith("custom_fields_") else name
            if item.get("operator") not in OPERATORS.get(kind, ()):
                return f"supported conditions: {OPERATORS} (field, then operators)"
            if kind == "custom_fields_" and name not in known:
                return f"no ticket field {name.removeprefix('custom_fields_')}"
            found.append(Condition(name, str(item["operator"]), str(item.get("value") or "")))
        return found

    def register_trigger_control(self, bp: Blueprint) -> None:
        @bp.post("/triggers")
        def add_trigger() -> Any:
            """``{"title", "conditions": {"all": [...]}, "actions": [{"field": "current_tags",
            "value": "<tags>"}], "body"}``: the body is the JSON template, as a string, with
            Zendesk placeholders (the "Notify active webhook" action)."""
            data = request.get_json(force=True)
            if not isinstance(data, dict) or not isinstance(data.get("body"), str):
                return jsonify({"error": "body must be a string"}), 400
            with self.lock:
                conditions = self._conditions(data.get("conditions"))
                if isinstance(conditions, str):
                    return jsonify({"error": conditions}), 400
                tags = [
                    str(action.get("value") or "")
                    for action in data.get("actions") or []
                    if isinstance(action, dict) and action.get("field") == "current_tags"
                ]
                trigger = Trigger(
                    next(self.ids),
                    str(data.get("title") or "Notify the bridge"),
                    tuple(conditions),
                    data["body"],
                    tuple(" ".join(tags).split()),
                )
                self.triggers.append(trigger)
            return jsonify(asdict(trigger)), 201

        @bp.get("/triggers")
        def list_triggers() -> Any:
            return jsonify([asdict(t) for t in self.triggers])


def _options_valid(options: Any) -> bool:
    return (
        isinstance(options, list)
        and bool(options)
        and all(isinstance(o, dict) and o.get("name") and o.get("value") for o in options)
    )
