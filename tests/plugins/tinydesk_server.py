"""An imitation of TinyDesk, the made-up helpdesk of the example plugin: its REST API v1 and its
signed webhook as tests/plugins/tinydesk/README.md documents them, on the sandbox's vendor
pipeline (request log, faults, webhook delivery). A request outside the documented API is
recorded as a violation."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Request, Response, jsonify, request

from sandbox.core.recorder import Violation
from sandbox.core.vendor import VendorServer

API_TOKEN = "tinydesk-token"
STATUSES = ("open", "pending", "solved")
MAX_REF = 200


def signed_headers(event: str, body: bytes, secret: str) -> dict[str, str]:
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "User-Agent": "TinyDesk-Webhooks/1",
        "X-TinyDesk-Delivery": str(uuid.uuid4()),
        "X-TinyDesk-Signature": f"sha256={digest}",
    }


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Ticket:
    id: int
    subject: str
    requester: str = "casey@customer.example"
    organization: str = "Customer Corp"
    priority: str = "normal"
    status: str = "open"
    tags: list[str] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    created_at: str = field(default_factory=_now)
    updated_at: str = field(default_factory=_now)

    def as_json(self) -> dict[str, Any]:
        fields = ("id", "subject", "status", "priority", "requester", "organization", "tags")
        shown = {name: getattr(self, name) for name in fields}
        return shown | {"created_at": self.created_at, "updated_at": self.updated_at}


class TinyDeskServer(VendorServer):
    name = "tinydesk"
    undescribed_label = "documented in tests/plugins/tinydesk/README.md"

    def __init__(self) -> None:
        self.ids = itertools.count(1)
        self.tickets: dict[int, Ticket] = {}
        super().__init__(signed_headers)

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        code = {401: "bad_token", 404: "not_found", 422: "invalid", 429: "rate_limited"}
        response = jsonify({"error": code.get(status, "error"), "message": message})
        response.status_code = status
        response.headers.update(headers or {})
        return response

    def authorized(self, req: Request) -> bool:
        return req.headers.get("Authorization") == f"Token {API_TOKEN}"

    def check_request(self, req: Request) -> list[str]:
        if req.routing_exception is not None:
            return [f"{req.method} {req.path} is not in TinyDesk's documented API"]
        return []

    def seed_ticket(self, subject: str, **extra: Any) -> Ticket:
        ticket = Ticket(next(self.ids), subject, **extra)
        self.tickets[ticket.id] = ticket
        return ticket

    def customer_writes(self, ticket: Ticket, text: str) -> dict[str, Any]:
        return self._add(ticket, text, public=True, author="requester", ref=None)

    def _add(
        self, ticket: Ticket, text: str, *, public: bool, author: str, ref: str | None
    ) -> dict[str, Any]:
        message = {"id": next(self.ids), "text": text, "public": public, "author": author}
        message |= {"ref": ref, "created_at": _now()}
        ticket.messages.append(message)
        ticket.updated_at = _now()
        by = ticket.requester if author == "requester" else "agent@tinydesk.example"
        self.emit(
            "message.created",
            {"event": "message.created", "ticket": ticket.as_json(), "message": message}
            | {"updated_by": by},
        )
        return message

    def _misuse(self, problem: str) -> Response:
        self.recorder.violate(
            Violation(self.name, "request", request.method, request.path, problem)
        )
        return self.error(422, problem)

    def register_routes(self, app: Flask) -> None:
        @app.get("/api/v1/me")
        def me() -> Any:
            return jsonify({"agent": "bridge@acme.example", "desk": "acme"})

        @app.get("/api/v1/tickets/<int:number>")
        def get_ticket(number: int) -> Any:
            ticket = self.tickets.get(number)
            return jsonify(ticket.as_json()) if ticket else self.error(404, "no such ticket")

        @app.get("/api/v1/tickets/<int:number>/messages")
        def messages(number: int) -> Any:
            ticket = self.tickets.get(number)
            if ticket is None:
                return self.error(404, "no such ticket")
            return jsonify({"messages": ticket.messages})

        @app.post("/api/v1/tickets/<int:number>/notes")
        def note(number: int) -> Any:
            return write(number, public=False)

        @app.post("/api/v1/tickets/<int:number>/replies")
        def reply(number: int) -> Any:
            return write(number, public=True)

        def write(number: int, *, public: bool) -> Any:
            ticket = self.tickets.get(number)
            if ticket is None:
                return self.error(404, "no such ticket")
            body = request.get_json(silent=True) or {}
            text, ref = body.get("text"), body.get("ref")
            if set(body) - {"text", "ref"} or not isinstance(text, str) or not text:
                return self._misuse("a message is {text, ref}, text not empty")
            if ref is not None and (not isinstance(ref, str) or len(ref) > MAX_REF):
                return self._misuse(f"ref is a string of at most {MAX_REF} characters")
            return jsonify(self._add(ticket, text, public=public, author="agent", ref=ref)), 201

        @app.put("/api/v1/tickets/<int:number>/status")
        def status(number: int) -> Any:
            ticket = self.tickets.get(number)
            if ticket is None:
                return self.error(404, "no such ticket")
            wanted = (request.get_json(silent=True) or {}).get("status")
            if wanted not in STATUSES:
                return self.error(422, f"status is one of {', '.join(STATUSES)}")
            ticket.status, ticket.updated_at = wanted, _now()
            return jsonify(ticket.as_json())

        @app.post("/api/v1/tickets/<int:number>/tags")
        def tags(number: int) -> Any:
            ticket = self.tickets.get(number)
            if ticket is None:
                return self.error(404, "no such ticket")
            given = (request.get_json(silent=True) or {}).get("tags")
            if not isinstance(given, list) or not all(isinstance(t, str) for t in given):
                return self._misuse("tags is a list of strings")
            ticket.tags += [tag for tag in given if tag not in ticket.tags]
            return jsonify(ticket.as_json())

    def snapshot(self) -> dict[str, Any]:
        return {"tickets": [t.as_json() | {"messages": t.messages} for t in self.tickets.values()]}
