"""Zendesk as a Helpdesk: read tickets, internal notes, public replies, custom fields."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar
from urllib.parse import quote

import structlog

from bridge.config.helpdesks import ZENDESK_API_TOKENS_END, ZendeskSettings
from bridge.connectors import helpdesk
from bridge.connectors.http import BearerTokens, HttpApi
from bridge.connectors.registry import Context
from bridge.connectors.zendesk.catchup import ReplyCatchUp
from bridge.connectors.zendesk.events import ZendeskEvents
from bridge.connectors.zendesk.oauth import CLIENT_SETTINGS, KIND, WHERE, ZendeskTokens
from bridge.connectors.zendesk.webhook import RECEIVER, TICKET_IDS
from bridge.domain.credentials import CredentialStatus
from bridge.domain.identifiers import TicketIds
from bridge.services.ports import (
    CheckResult,
    ConnectorError,
    IdempotencyKey,
    PermanentConnectorError,
)
from bridge.services.receiving import Receiver

log = structlog.get_logger(__name__)

AR_FIELD = "ar_number"
MOVE_TO_OAUTH = (
    "create an OAuth client and set connectors.zendesk.oauth_client_id and "
    "oauth_client_secret instead of email and api_token (docs/connectors.md)"
)

API_TOKEN = CredentialStatus(
    "zendesk",
    "api_token",
    "Zendesk API token",
    renewable=False,
    expires_at=dt.datetime.fromisoformat(ZENDESK_API_TOKENS_END).replace(tzinfo=dt.UTC),
    ends="refused by Zendesk from",
    fix=MOVE_TO_OAUTH,
)


class ZendeskConnector(ReplyCatchUp, helpdesk.HelpdeskConnector):
    key = "zendesk"
    title: ClassVar[str] = "Zendesk"
    ticket_ids: ClassVar[TicketIds] = TICKET_IDS
    # 700 a minute on Enterprise, less on smaller plans: lower it with ``rate_limits``.
    budgets: ClassVar[dict[str, str]] = {"zendesk:requests": "700/minute"}
    events = ZendeskEvents()
    receiver: ClassVar[Receiver | None] = RECEIVER
    features = helpdesk.HelpdeskConnector.features | {"create_ticket", "catch_up"}

    @classmethod
    def ticket_page(cls, config: ZendeskSettings, ticket: str) -> str | None:
        """The agent's view of the ticket."""
        return f"{str(config.url).rstrip('/')}/agent/tickets/{ticket}"

    def __init__(self, settings: ZendeskSettings, context: Context) -> None:
        self.settings = settings
        self.tokens: ZendeskTokens | None = None
        credentials = self._credentials(context)
        self.api = HttpApi(self.key, str(settings.url), credentials, context.gate)

    def _credentials(self, context: Context) -> tuple[str, str] | BearerTokens:
        s = self.settings
        watch = context.credentials
        if s.oauth_client_id is not None and s.oauth_client_secret is not None:
            secret = s.oauth_client_secret
            self.tokens = ZendeskTokens(str(s.url), s.oauth_client_id, secret, s.scope, watch)
            fix = f"check {CLIENT_SETTINGS} against the confidential client in {WHERE}"
            watch.use(CredentialStatus(self.key, KIND, "Zendesk OAuth token", True, fix=fix))
            return self.tokens
        watch.use(API_TOKEN)
        log.warning(
            "zendesk.api_token_deprecated",
            refused_from=ZENDESK_API_TOKENS_END,
            fix=MOVE_TO_OAUTH,
        )
        return (f"{s.email}/token", s.api_token.get_secret_value() if s.api_token else "")

    def get_ticket(self, ticket: str) -> dict[str, Any]:
        answer: dict[str, Any] = self.api.request("GET", f"/api/v2/tickets/{int(ticket)}.json")
        return answer["ticket"]

    def organisation_name(self, organisation_id: str) -> str | None:
        """The name people know a customer by; event subscriptions send only the id."""
        if not organisation_id.isdigit():
            return None
        answer = self.api.request("GET", f"/api/v2/organizations/{int(organisation_id)}.json")
        name = (answer.get("organization") or {}).get("name")
        return str(name) if name else None

    def requester_address(self, user_id: str) -> str | None:
        """The requester's email, which the trigger sends and event subscriptions name by id."""
        if not user_id.isdigit():
            return None
        answer = self.api.request("GET", f"/api/v2/users/{int(user_id)}.json")
        email = (answer.get("user") or {}).get("email")
        return str(email) if email else None

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

    def _missing_fields(self, listed: Any) -> list[tuple[str, int]]:
        """The custom field ids bridge.yaml names that the listing lacks (only when the listing
        is complete: a further page could hold them)."""
        if not isinstance(listed, dict) or listed.get("next_page"):
            return []
        ids = {field.get("id") for field in listed.get("ticket_fields") or []}
        named = [
            ("connectors.zendesk.ar_field_id", self.settings.ar_field_id),
            (
                "connectors.zendesk.escalation_entry.field_id",
                self.settings.escalation_entry.field_id,
            ),
        ]
        return [
            (key, field_id)
            for key, field_id in named
            if field_id is not None and field_id not in ids
        ]

    def check(self) -> CheckResult:
        oauth = self.tokens is not None
        try:
            listed = self.api.request("GET", "/api/v2/ticket_fields.json")
        except ConnectorError as exc:
            settings = "oauth_client_id, oauth_client_secret and scope" if oauth else "api_token"
            return CheckResult(False, str(exc), f"check connectors.zendesk url, {settings}")
        missing = self._missing_fields(listed)
        if missing:
            return CheckResult(
                False,
                "; ".join(f"{key}: no ticket field {field_id}" for key, field_id in missing),
                "set it to the id of one of the account's ticket fields (Admin Center → "
                "Objects and rules → Tickets → Fields)",
            )
        if self.tokens is not None:
            lifetime = self.tokens.expires_in
            expiry = f"tokens live {lifetime / 60:g} min" if lifetime else "tokens do not expire"
            return CheckResult(
                True,
                f"ticket fields readable with OAuth client {self.settings.oauth_client_id!r} "
                f"(scope {self.settings.scope!r}; {expiry}, renewed before they do)",
            )
        detail = (
            f"ticket fields readable with the API token of {self.settings.email}, deprecated: "
            f"Zendesk refuses API tokens from {ZENDESK_API_TOKENS_END}"
        )
        return CheckResult(True, detail, MOVE_TO_OAUTH)

    def is_own_write(self, event: dict[str, Any]) -> bool:
        comment = (event.get("event") or {}).get("comment") or {}
        return str(comment.get("body", "")).endswith(helpdesk.NOTE_SIGNATURE)
