"""Zendesk as a Helpdesk: read tickets, internal notes, public replies, custom fields."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from bridge.config.connectors import ZendeskSettings
from bridge.connectors import helpdesk
from bridge.connectors.http import HttpApi
from bridge.connectors.registry import Context
from bridge.services.ports import (
    CheckResult,
    ConnectorError,
    IdempotencyKey,
    PermanentConnectorError,
)

AR_FIELD = "ar_number"


class ZendeskConnector(helpdesk.HelpdeskConnector):
    key = "zendesk"
    features = helpdesk.HelpdeskConnector.features | {"create_ticket"}

    def __init__(self, settings: ZendeskSettings, context: Context) -> None:
        self.settings = settings
        secret = settings.api_token.get_secret_value()
        self.api = HttpApi(
            self.key, str(settings.url), (f"{settings.email}/token", secret), context.gate
        )

    def get_ticket(self, ticket: str) -> dict[str, Any]:
        answer: dict[str, Any] = self.api.request("GET", f"/api/v2/tickets/{int(ticket)}.json")
        return answer["ticket"]

    def _already_there(self, ticket: str, body: str) -> bool:
        """A note we wrote before a crash took our record of it."""
        listed = self.api.request("GET", f"/api/v2/tickets/{int(ticket)}/comments.json")
        return any(c.get("body") == body for c in listed.get("comments", []))

    def _comment(self, ticket: str, body: str, public: bool, key: IdempotencyKey) -> None:
        if not key.fresh and self._already_there(ticket, body):
            return
        update = {"ticket": {"comment": {"body": body, "public": public}}}
        self.api.request("PUT", f"/api/v2/tickets/{int(ticket)}.json", update, creates=True)

    def internal_note(self, ticket: str, text: str, key: IdempotencyKey) -> None:
        self._comment(ticket, helpdesk.signed(text), False, key)

    def public_reply(self, ticket: str, text: str, key: IdempotencyKey) -> None:
        self._comment(ticket, text, True, key)

    def set_fields(self, ticket: str, fields: dict[str, Any]) -> None:
        custom = []
        for name, value in fields.items():
            field_id = self.settings.ar_field_id if name == AR_FIELD else name
            if field_id is None or not str(field_id).isdigit():
                msg = f"no Zendesk field id for {name!r}; set connectors.zendesk.ar_field_id"
                raise PermanentConnectorError(self.key, msg)
            custom.append({"id": int(field_id), "value": value})
        update = {"ticket": {"custom_fields": custom}}
        self.api.request("PUT", f"/api/v2/tickets/{int(ticket)}.json", update)

    def create_ticket(self, fields: dict[str, Any], key: IdempotencyKey) -> str:
        """A new ticket for the customer (a split); found by its ``external_id`` (our key) when
        an earlier attempt may have created it."""
        if not key.fresh:
            listed = self.api.request("GET", f"/api/v2/tickets.json?external_id={quote(key)}")
            for ticket in listed.get("tickets", []):
                return str(ticket["id"])
        new = {
            "subject": fields["subject"],
            "comment": {"body": fields["description"], "public": False},
            "priority": fields.get("priority", "urgent"),
            "external_id": str(key),
            "requester": {"email": fields["requester"]},
        }
        created = self.api.request("POST", "/api/v2/tickets.json", {"ticket": new}, creates=True)
        return str(created["ticket"]["id"])

    def solve(self, ticket: str) -> None:
        update = {"ticket": {"status": "solved"}}
        self.api.request("PUT", f"/api/v2/tickets/{int(ticket)}.json", update)

    def check(self) -> CheckResult:
        try:
            self.api.request("GET", "/api/v2/ticket_fields.json")
        except ConnectorError as exc:
            return CheckResult(False, str(exc), "check connectors.zendesk url, email and api_token")
        return CheckResult(True, "ticket fields readable")

    def is_own_write(self, event: dict[str, Any]) -> bool:
        comment = (event.get("event") or {}).get("comment") or {}
        return str(comment.get("body", "")).endswith(helpdesk.NOTE_SIGNATURE)
