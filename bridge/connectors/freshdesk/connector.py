"""Freshdesk as a Helpdesk: read tickets, private notes, replies, custom fields."""

from __future__ import annotations

import html
from typing import Any, ClassVar

from bridge.config.helpdesks import FreshdeskSettings
from bridge.connectors import helpdesk
from bridge.connectors.freshdesk.catchup import ReplyCatchUp
from bridge.connectors.freshdesk.events import FreshdeskEvents
from bridge.connectors.freshdesk.webhook import RECEIVER, TICKET_IDS
from bridge.connectors.http import HttpApi
from bridge.connectors.registry import Context
from bridge.domain.identifiers import TicketIds
from bridge.services.ports import (
    CheckResult,
    ConnectorError,
    IdempotencyKey,
    PermanentConnectorError,
)
from bridge.services.receiving import Receiver

AR_FIELD = "ar_number"
RESOLVED = 4  # Freshdesk's ticket status codes: 2 open, 3 pending, 4 resolved, 5 closed


class FreshdeskConnector(ReplyCatchUp, helpdesk.HelpdeskConnector):
    key = "freshdesk"
    title: ClassVar[str] = "Freshdesk"
    ticket_ids: ClassVar[TicketIds] = TICKET_IDS
    budgets: ClassVar[dict[str, str]] = {"freshdesk:requests": "200/minute"}
    events = FreshdeskEvents()
    receiver: ClassVar[Receiver | None] = RECEIVER
    features = helpdesk.HelpdeskConnector.features | {"catch_up"}

    @classmethod
    def ticket_page(cls, config: FreshdeskSettings, ticket: str) -> str | None:
        """The agent's view of the ticket."""
        return f"{str(config.url).rstrip('/')}/a/tickets/{ticket}"

    def __init__(self, settings: FreshdeskSettings, context: Context) -> None:
        self.settings = settings
        # Freshdesk's basic auth: the API key as user name, any password.
        auth = (settings.api_key.get_secret_value(), "X")
        self.api = HttpApi(self.key, str(settings.url), auth, context.gate)

    def get_ticket(self, ticket: str) -> dict[str, Any]:
        answer: dict[str, Any] = self.api.request("GET", f"/api/v2/tickets/{int(ticket)}")
        return answer

    def inert(self, text: str) -> str:
        """Freshdesk takes a note's or reply's ``body`` as HTML: outside text is escaped, its
        line breaks kept."""
        return "<br>".join(html.escape(line) for line in text.splitlines())

    def _already_there(self, ticket: str, body: str) -> bool:
        listed = self.api.request("GET", f"/api/v2/tickets/{int(ticket)}/conversations")
        return any(c.get("body_text") == body or c.get("body") == body for c in listed or [])

    def internal_note(self, ticket: str, text: str, key: IdempotencyKey) -> None:
        body = helpdesk.signed(text)
        if key.fresh or not self._already_there(ticket, body):
            note = {"body": body, "private": True}
            self.api.request("POST", f"/api/v2/tickets/{int(ticket)}/notes", note, creates=True)

    def public_reply(self, ticket: str, text: str, key: IdempotencyKey) -> None:
        if key.fresh or not self._already_there(ticket, text):
            reply = {"body": text}
            self.api.request("POST", f"/api/v2/tickets/{int(ticket)}/reply", reply, creates=True)

    def set_fields(self, ticket: str, fields: dict[str, Any]) -> None:
        custom: dict[str, Any] = {}
        for name, value in fields.items():
            field = self.settings.ar_field_name if name == AR_FIELD else name
            if not field:
                msg = f"no Freshdesk field for {name!r}; set connectors.freshdesk.ar_field_name"
                raise PermanentConnectorError(self.key, msg)
            custom[field] = value
        self.api.request("PUT", f"/api/v2/tickets/{int(ticket)}", {"custom_fields": custom})

    def solve(self, ticket: str) -> None:
        self.api.request("PUT", f"/api/v2/tickets/{int(ticket)}", {"status": RESOLVED})

    def check(self) -> CheckResult:
        try:
            self.api.request("GET", "/api/v2/tickets?per_page=1")
        except ConnectorError as exc:
            return CheckResult(False, str(exc), "check connectors.freshdesk url and api_key")
        return CheckResult(True, "tickets readable")

    def is_own_write(self, event: dict[str, Any]) -> bool:
        hook = event.get("freshdesk_webhook") or {}
        return str(hook.get("ticket_latest_public_comment", "")).endswith(helpdesk.NOTE_SIGNATURE)
