"""A Zendesk Support REST subset: tickets, comments (public/private), custom fields, users,
organizations; ticket events sent as signed Zendesk webhooks, the admin's triggers
(``zendesk_admin.py``) sending the body the admin wrote, and OAuth access tokens from the
client-credentials grant (``zendesk_oauth.py``) beside the deprecated ``<email>/token``
API token."""

from __future__ import annotations

import itertools
from typing import Any

from flask import Blueprint, Flask, Request, Response, g, jsonify, request

from sandbox.core.signing import zendesk_headers
from sandbox.core.vendor import VendorServer
from sandbox.helpdesk.zendesk_admin import TicketAdmin, Trigger
from sandbox.helpdesk.zendesk_events import TicketEvents
from sandbox.helpdesk.zendesk_export import register_export_routes
from sandbox.helpdesk.zendesk_model import (
    AGENT_ID,
    ORG_ID,
    ORGANIZATION,
    RECIPIENT,
    STATUSES,
    TICKET_FIELDS,
    TICKET_TYPES,
    ZendeskComment,
    ZendeskTicket,
    comment_json,
    email_via,
    now,
    seed_users,
    ticket_json,
)
from sandbox.helpdesk.zendesk_oauth import TOKEN_PATH, OAuthTokens


class ZendeskServer(TicketEvents, TicketAdmin, OAuthTokens, VendorServer):
    name = "zendesk"
    # No published API description of this vendor was found to vendor (docs/connectors.md):
    # its requests are checked by the server's own rules and journaled as such.
    undescribed_label = "no published description"
    limit_defaults = {"requests": "700/minute"}

    def __init__(
        self,
        email: str = "agent@example.com",
        api_token: str = "sandbox-zendesk-token",  # noqa: S107 - the sandbox's demo credential
    ) -> None:
        self.email, self.api_token = email, api_token
        self.ids = itertools.count(100)
        self.tickets: dict[int, ZendeskTicket] = {}
        self.users = seed_users(email)
        self.organizations = {ORG_ID: dict(ORGANIZATION)}
        self.ticket_fields = [dict(f) for f in TICKET_FIELDS]
        self.triggers: list[Trigger] = []
        self.init_oauth()
        super().__init__(zendesk_headers)

    def seed_ticket(self, subject: str, description: str, **extra: Any) -> ZendeskTicket:
        ticket = ZendeskTicket(next(self.ids), subject, description, **extra)
        ticket.comments.append(
            ZendeskComment(next(self.ids), description, True, ticket.requester_id)
        )
        self.tickets[ticket.id] = ticket
        return ticket

    # -- vendor shapes ----------------------------------------------------------------------
    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        body: dict[str, Any] = {"error": message}
        if status == 404:
            body = {"error": "RecordNotFound", "description": "Not found"}
        elif status == 401:
            body = {"error": "Couldn't authenticate you"}
        response = jsonify(body)
        response.status_code = status
        response.headers.update(headers or {})
        return response

    def invalid(self, details: dict[str, Any]) -> Response:
        response = jsonify(
            {
                "error": "RecordInvalid",
                "description": "Record validation errors",
                "details": details,
            }
        )
        response.status_code = 422
        return response

    def invalid_type(self, kind: Any) -> Response:
        """Zendesk's ticket types are its four own; an account cannot add one."""
        return self.invalid(
            {"type": [{"description": f"Type: {kind} is not valid", "error": "InvalidValue"}]}
        )

    def authorized(self, req: Request) -> bool:
        """An unexpired OAuth access token, or the API token (deprecated by Zendesk; still
        accepted here, as Zendesk does until 2027-04-30)."""
        if req.path == TOKEN_PATH:
            return True  # the client authenticates with its id and secret in the body
        g.oauth_token = self.bearer(req)
        if g.oauth_token is not None:
            return True
        auth = req.authorization
        return bool(
            auth
            and auth.type == "basic"
            and auth.username == f"{self.email}/token"
            and auth.password == self.api_token
        )

    def limit_hit(self, req: Request) -> Any:
        return self.limits.hit("requests")

    def url(self, path: str) -> str:
        return f"{self.base_url}/api/v2/{path}"

    def ticket_json(self, ticket: ZendeskTicket) -> dict[str, Any]:
        return ticket_json(ticket, self.url(f"tickets/{ticket.id}.json"), self.ticket_fields)

    def register_routes(self, app: Flask) -> None:
        self.register_oauth_routes(app)

        @app.get("/api/v2/tickets/<int:ticket_id>.json")
        def get_ticket(ticket_id: int) -> Any:
            ticket = self.tickets.get(ticket_id)
            return jsonify({"ticket": self.ticket_json(ticket)}) if ticket else self.error(404, "")

        @app.post("/api/v2/tickets.json")
        def create_ticket() -> Any:
            data = (request.get_json(silent=True) or {}).get("ticket") or {}
            comment = (data.get("comment") or {}).get("body")
            if not comment:
                return self.invalid(
                    {"description": [{"description": "Description: cannot be blank"}]}
                )
            if data.get("type") not in (*TICKET_TYPES, None):
                return self.invalid_type(data["type"])
            ticket = self.seed_ticket(
                data.get("subject") or comment[:50], comment, tags=list(data.get("tags", []))
            )
            refused = self.set_custom_fields(ticket, data.get("custom_fields") or [])
            if refused is not None:
                del self.tickets[ticket.id]
                return refused
            ticket.external_id = str(data["external_id"]) if data.get("external_id") else None
            if data.get("priority") in ("urgent", "high", "normal", "low"):
                ticket.priority = data["priority"]
            ticket.type = data.get("type") or ticket.type
            self.record_creation(ticket)
            self.run_triggers(ticket, AGENT_ID)
            return jsonify({"ticket": self.ticket_json(ticket)}), 201

        @app.get("/api/v2/tickets.json")
        def list_tickets() -> Any:
            """Zendesk lists tickets, or finds them by ``external_id``."""
            wanted = request.args.get("external_id")
            found = [
                self.ticket_json(ticket)
                for ticket in self.tickets.values()
                if wanted is None or ticket.external_id == wanted
            ]
            return jsonify({"tickets": found, "next_page": None, "count": len(found)})

        @app.put("/api/v2/tickets/<int:ticket_id>.json")
        def update_ticket(ticket_id: int) -> Any:
            ticket = self.tickets.get(ticket_id)
            if ticket is None:
                return self.error(404, "")
            data = (request.get_json(silent=True) or {}).get("ticket")
            if not isinstance(data, dict):
                return self.invalid({"base": [{"description": "ticket is required"}]})
            if data.get("status") and data["status"] not in STATUSES:
                return self.invalid(
                    {"status": [{"description": f"Status: {data['status']} is not valid"}]}
                )
            if "type" in data and data["type"] not in (*TICKET_TYPES, None):
                return self.invalid_type(data["type"])
            ccs = data.get("email_ccs") or []
            if not isinstance(ccs, list) or any(
                not isinstance(c, dict) or "@" not in str(c.get("user_email", "")) for c in ccs
            ):
                return self.invalid({"email_ccs": [{"description": "Email CCs: is invalid"}]})
            before = (list(ticket.tags), dict(ticket.custom_fields))
            refused = self.set_custom_fields(ticket, data.get("custom_fields") or [])
            if refused is not None:
                return refused
            self.set_tags(ticket, [str(t) for t in data.get("tags", ticket.tags)])
            ticket.priority = data.get("priority", ticket.priority)
            self.set_email_ccs(ticket, ccs)
            if "type" in data:
                self.set_type(ticket, data["type"])
            comment = data.get("comment")
            if comment and (comment.get("body") or comment.get("html_body")):
                self.add_comment(
                    ticket,
                    comment.get("body") or comment["html_body"],
                    bool(comment.get("public", True)),
                    int(comment.get("author_id", AGENT_ID)),
                )
            if data.get("status"):
                self.set_status(ticket, data["status"])
            ticket.updated_at = now()
            self.run_triggers(ticket, AGENT_ID)
            self.record_changes(ticket, *before)
            return jsonify(
                {
                    "ticket": self.ticket_json(ticket),
                    "audit": {"ticket_id": ticket.id, "created_at": now()},
                }
            )

        @app.get("/api/v2/tickets/<int:ticket_id>/comments.json")
        def ticket_comments(ticket_id: int) -> Any:
            ticket = self.tickets.get(ticket_id)
            if ticket is None:
                return self.error(404, "")
            shown = [comment_json(c) for c in ticket.comments]
            return jsonify(
                {"comments": shown, "next_page": None, "previous_page": None, "count": len(shown)}
            )

        @app.get("/api/v2/ticket_fields.json")
        def ticket_fields() -> Any:
            return jsonify(
                {
                    "ticket_fields": [
                        f | {"active": True, "url": self.url(f"ticket_fields/{f['id']}.json")}
                        for f in self.ticket_fields
                    ]
                }
            )

        @app.get("/api/v2/users/<int:user_id>.json")
        def get_user(user_id: int) -> Any:
            user = self.users.get(user_id)
            return (
                jsonify({"user": user | {"url": self.url(f"users/{user_id}.json")}})
                if user
                else self.error(404, "")
            )

        @app.get("/api/v2/users/search.json")
        def search_users() -> Any:
            wanted = request.args.get("query", "").removeprefix("email:").lower()
            return jsonify(
                {"users": [u for u in self.users.values() if u["email"] == wanted], "count": 0}
            )

        @app.get("/api/v2/organizations/<int:org_id>.json")
        def get_organization(org_id: int) -> Any:
            org = self.organizations.get(org_id)
            return jsonify({"organization": org}) if org else self.error(404, "")

        self.register_admin_routes(app)
        register_export_routes(self, app)

    def register_control(self, bp: Blueprint) -> None:
        self.register_trigger_control(bp)
        self.register_oauth_control(bp)

        @bp.post("/tickets")
        def seed() -> Any:
            data = request.get_json(force=True)
            with self.lock:
                ticket = self.seed_ticket(
                    data["subject"],
                    data.get("description", data["subject"]),
                    tags=list(data.get("tags", [])),
                    priority=data.get("priority", "normal"),
                )
                self.record_creation(ticket)
                return jsonify(self.ticket_json(ticket)), 201

        @bp.post("/tickets/<int:ticket_id>/customer_reply")
        def customer_reply(ticket_id: int) -> Any:
            """Reply as the customer by mail: a public comment by the requester, reopening the
            ticket; ``cc`` addresses are copied on the mail and become the ticket's email CCs."""
            data = request.get_json(force=True)
            with self.lock:
                ticket = self.tickets[ticket_id]
                copied = [str(address) for address in data.get("cc") or []]
                self.set_email_ccs(ticket, [{"user_email": address} for address in copied])
                sender = self.users[ticket.requester_id]
                via = email_via(sender, [RECIPIENT, *copied]) if copied else None
                comment = self.add_comment(ticket, data["body"], True, ticket.requester_id, via)
                self.set_status(ticket, "open")
                return jsonify(comment_json(comment)), 201

    def snapshot(self) -> dict[str, Any]:
        return {
            "tickets": [
                self.ticket_json(t) | {"comments": [comment_json(c) for c in t.comments]}
                for t in self.tickets.values()
            ]
        }
