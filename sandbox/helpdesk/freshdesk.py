"""A Freshdesk REST v2 subset: tickets (listed since a time), private/public notes, replies,
conversations, contacts, companies.

Freshdesk webhooks come from an automation rule's "Trigger webhook" action, whose body the
admin writes from placeholders and which Freshdesk does not sign; the sandbox's rules
(``freshdesk_rules``: a customer reply, a ticket's type set to Escalation) send their bodies
with a shared secret in a custom header (see sandbox.core.signing).
"""

from __future__ import annotations

import itertools
from typing import Any

from flask import Blueprint, Flask, Request, Response, jsonify, request

from sandbox.core.faults import LimitHit
from sandbox.core.signing import freshdesk_headers
from sandbox.core.vendor import VendorServer
from sandbox.helpdesk.freshdesk_listing import Refused, page_of, paging, tickets_page
from sandbox.helpdesk.freshdesk_model import (
    AGENT_EMAIL,
    AGENT_ID,
    COMPANY_ID,
    REQUESTER_ID,
    Conversation,
    FreshdeskTicket,
    conversation_json,
    now,
    ticket_json,
)
from sandbox.helpdesk.freshdesk_rules import (
    ESCALATION_TYPE,
    STATUS_NAMES,
    TICKET_TYPES,
    customer_reply_body,
    escalation_body,
)


class FreshdeskServer(VendorServer):
    name = "freshdesk"
    # No published API description of this vendor was found to vendor (docs/connectors.md):
    # its requests are checked by the server's own rules and journaled as such.
    undescribed_label = "no published description"
    limit_defaults = {"requests": "200/minute"}

    def __init__(self, api_key: str = "sandbox-freshdesk-key") -> None:
        self.api_key = api_key
        self.ids = itertools.count(1)
        self.tickets: dict[int, FreshdeskTicket] = {}
        self.contacts = {
            REQUESTER_ID: {
                "id": REQUESTER_ID,
                "name": "Casey Customer",
                "email": "casey@customer.example",
                "company_id": COMPANY_ID,
            }
        }
        self.companies = {
            COMPANY_ID: {"id": COMPANY_ID, "name": "Customer Corp", "domains": ["customer.example"]}
        }
        super().__init__(freshdesk_headers)

    def seed_ticket(self, subject: str, description: str, **extra: Any) -> FreshdeskTicket:
        ticket = FreshdeskTicket(next(self.ids), subject, description, **extra)
        self.tickets[ticket.id] = ticket
        return ticket

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        body: Any = {"code": "error", "message": message}
        if status == 401:
            body = {
                "code": "invalid_credentials",
                "message": "You have to be logged in to perform this action.",
            }
        response = jsonify(body) if status != 404 else Response(status=404)
        response.status_code = status
        response.headers.update(headers or {})
        return response

    def invalid(self, field_name: str, message: str) -> Response:
        response = jsonify(
            {
                "description": "Validation failed",
                "errors": [{"field": field_name, "message": message, "code": "invalid_value"}],
            }
        )
        response.status_code = 400
        return response

    def rate_limit_headers(self, retry_after: int) -> dict[str, str]:
        return {
            "Retry-After": str(retry_after),
            "X-RateLimit-Total": "200",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Used-CurrentRequest": "1",
        }

    def authorized(self, req: Request) -> bool:
        auth = req.authorization
        return bool(auth and auth.username == self.api_key)

    def limit_hit(self, req: Request) -> LimitHit | None:
        return self.limits.hit("requests")

    def add(
        self,
        ticket: FreshdeskTicket,
        body: str,
        *,
        private: bool,
        incoming: bool,
        user_id: int,
        source: int,
    ) -> Conversation:
        item = Conversation(next(self.ids), ticket.id, body, private, incoming, user_id, source)
        ticket.conversations.append(item)
        ticket.updated_at = now()
        if incoming and not private:
            self.emit("ticket_updated", customer_reply_body(ticket, body))
        return item

    def escalation_rule(self, ticket: FreshdeskTicket) -> None:
        """The rule "Ticket type is changed to Escalation" → Trigger webhook."""
        contact, company = self.contacts[REQUESTER_ID], self.companies[COMPANY_ID]
        requester, name = str(contact["email"]), str(company["name"])
        self.emit("ticket_updated", escalation_body(ticket, requester, name, AGENT_EMAIL))

    def register_routes(self, app: Flask) -> None:
        def ticket_or_none(ticket_id: int) -> FreshdeskTicket | None:
            return self.tickets.get(ticket_id)

        @app.get("/api/v2/tickets/<int:ticket_id>")
        def get_ticket(ticket_id: int) -> Any:
            ticket = ticket_or_none(ticket_id)
            return jsonify(ticket_json(ticket)) if ticket else self.error(404, "")

        @app.put("/api/v2/tickets/<int:ticket_id>")
        def update_ticket(ticket_id: int) -> Any:
            ticket = ticket_or_none(ticket_id)
            if ticket is None:
                return self.error(404, "")
            data = request.get_json(silent=True) or {}
            if "status" in data and data["status"] not in STATUS_NAMES:
                return self.invalid("status", "It should be one of these values: '2,3,4,5'")
            if "type" in data and data["type"] not in (*TICKET_TYPES, None):
                named = ",".join(TICKET_TYPES)
                return self.invalid("type", f"It should be one of these values: '{named}'")
            unknown = set(data.get("custom_fields") or {}) - set(ticket.custom_fields)
            if unknown:
                return self.invalid(sorted(unknown)[0], "Unexpected/invalid field in request")
            ticket.custom_fields.update(data.get("custom_fields") or {})
            ticket.status = data.get("status", ticket.status)
            ticket.priority = data.get("priority", ticket.priority)
            ticket.tags = list(data.get("tags", ticket.tags))
            entering = data.get("type", ticket.type) == ESCALATION_TYPE != ticket.type
            ticket.type = data.get("type", ticket.type)
            ticket.updated_at = now()
            if entering:
                self.escalation_rule(ticket)
            return jsonify(ticket_json(ticket))

        @app.get("/api/v2/tickets")
        def list_tickets() -> Any:
            tickets = list(self.tickets.values())
            try:
                found = tickets_page(tickets, request.args, lambda t, name: getattr(t, name))
            except Refused as refused:
                return self.invalid(refused.field, refused.message)
            return jsonify([ticket_json(t) for t in found])

        @app.post("/api/v2/tickets/<int:ticket_id>/notes")
        def add_note(ticket_id: int) -> Any:
            ticket = ticket_or_none(ticket_id)
            if ticket is None:
                return self.error(404, "")
            data = request.get_json(silent=True) or {}
            if not data.get("body"):
                return self.invalid("body", "It should not be blank as this is a mandatory field")
            note = self.add(
                ticket,
                data["body"],
                private=bool(data.get("private", True)),
                incoming=bool(data.get("incoming", False)),
                user_id=AGENT_ID,
                source=2,
            )
            return jsonify(conversation_json(note)), 201

        @app.post("/api/v2/tickets/<int:ticket_id>/reply")
        def reply(ticket_id: int) -> Any:
            ticket = ticket_or_none(ticket_id)
            if ticket is None:
                return self.error(404, "")
            data = request.get_json(silent=True) or {}
            if not data.get("body"):
                return self.invalid("body", "It should not be blank as this is a mandatory field")
            item = self.add(
                ticket, data["body"], private=False, incoming=False, user_id=AGENT_ID, source=0
            )
            return jsonify(conversation_json(item)), 201

        @app.get("/api/v2/tickets/<int:ticket_id>/conversations")
        def conversations(ticket_id: int) -> Any:
            ticket = ticket_or_none(ticket_id)
            if ticket is None:
                return self.error(404, "")
            try:
                per_page, page = paging(request.args, {"per_page", "page"})
            except Refused as refused:
                return self.invalid(refused.field, refused.message)
            listed = page_of(ticket.conversations, per_page, page)
            return jsonify([conversation_json(c) for c in listed])

        @app.get("/api/v2/contacts/<int:contact_id>")
        def contact(contact_id: int) -> Any:
            found = self.contacts.get(contact_id)
            return jsonify(found) if found else self.error(404, "")

        @app.get("/api/v2/companies/<int:company_id>")
        def company(company_id: int) -> Any:
            found = self.companies.get(company_id)
            return jsonify(found) if found else self.error(404, "")

    def register_control(self, bp: Blueprint) -> None:
        @bp.post("/tickets")
        def seed() -> Any:
            data = request.get_json(force=True)
            with self.lock:
                ticket = self.seed_ticket(data["subject"], data.get("description", data["subject"]))
                ticket.type = data.get("type", ticket.type)  # a portal form may set it
                return jsonify(ticket_json(ticket)), 201

        @bp.post("/tickets/<int:ticket_id>/customer_reply")
        def customer_reply(ticket_id: int) -> Any:
            with self.lock:
                ticket = self.tickets[ticket_id]
                item = self.add(
                    ticket,
                    request.get_json(force=True)["body"],
                    private=False,
                    incoming=True,
                    user_id=REQUESTER_ID,
                    source=0,
                )
                return jsonify(conversation_json(item)), 201

    def snapshot(self) -> dict[str, Any]:
        return {
            "tickets": [
                ticket_json(t) | {"conversations": [conversation_json(c) for c in t.conversations]}
                for t in self.tickets.values()
            ]
        }
