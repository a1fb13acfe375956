"""TinyDesk as a Support Bridge helpdesk: it reads tickets, writes internal notes and public
replies, tags the ticket with its AR and sets it solved."""

from __future__ import annotations

from typing import Any, ClassVar

from bridge.connectors.registry import BuiltFromSettings, Context
from bridge.domain.identifiers import TicketIds, numbered
from bridge.services.ports import (
    CheckResult,
    ConnectorError,
    IdempotencyKey,
    Kind,
    PermanentConnectorError,
)
from tinydesk_bridge.api import BUDGET, SYSTEM, TinyDeskApi
from tinydesk_bridge.events import TinyDeskEvents
from tinydesk_bridge.settings import TinyDeskSettings
from tinydesk_bridge.webhook import RECEIVER

# Every message we write carries this before its idempotency key in TinyDesk's ``ref``: how we
# find it again before writing (rule 1) and recognise it when its webhook comes back (rule 5).
REF_PREFIX = "support-bridge:"
SOLVED = "solved"


class TinyDeskConnector(BuiltFromSettings):
    key = "tinydesk"
    title: ClassVar[str] = "TinyDesk"
    kind = Kind.HELPDESK
    features = frozenset({"get_ticket", "internal_note", "public_reply", "set_fields", "solve"})
    # TinyDesk's limit is 120 a minute per desk; ``rate_limits`` in bridge.yaml can change it.
    budgets: ClassVar[dict[str, str]] = {BUDGET: "110/minute"}
    receiver = RECEIVER
    events = TinyDeskEvents()
    ticket_ids: ClassVar[TicketIds] = numbered("TinyDesk")

    def __init__(self, config: Any, context: Context) -> None:
        """Built by ``BuiltFromSettings.from_settings`` with this connector's bridge.yaml
        section (a dict) and what the bridge lends: the rate budget, earlier results."""
        self.settings = TinyDeskSettings.read(config)
        token = self.settings.api_token.get_secret_value()
        self.api = TinyDeskApi(str(self.settings.url), token, context)

    @classmethod
    def ticket_page(cls, config: Any, ticket: str) -> str | None:
        """The ticket's page in TinyDesk's agent view, where the board and Slack link to."""
        url = config.get("url") if isinstance(config, dict) else None
        return f"{str(url).rstrip('/')}/agent/tickets/{ticket}" if url else None

    def perform(
        self, operation: str, payload: dict[str, Any], key: IdempotencyKey
    ) -> dict[str, Any]:
        """One of the outbox's helpdesk operations; the answer is kept as the row's result."""
        ticket = str(payload["ticket"])
        text = str(payload.get("text", ""))
        if operation == "internal_note":
            self.internal_note(ticket, text, key)
        elif operation == "public_reply":
            self.public_reply(ticket, text, key)
        elif operation == "set_fields":
            self.set_fields(ticket, dict(payload["fields"]))
        elif operation == "solve":
            self.solve(ticket)
        else:
            raise PermanentConnectorError(SYSTEM, f"TinyDesk cannot {operation!r}")
        return {"ticket": ticket, "operation": operation}

    def get_ticket(self, ticket: str) -> dict[str, Any]:
        found: dict[str, Any] = self.api.call("GET", f"/tickets/{_number(ticket)}")
        return found

    def inert(self, text: str) -> str:
        """TinyDesk shows a message's text as plain text: nothing in it is markup."""
        return text

    def internal_note(self, ticket: str, text: str, key: IdempotencyKey) -> None:
        self._write(ticket, "notes", text, key)

    def public_reply(self, ticket: str, text: str, key: IdempotencyKey) -> None:
        self._write(ticket, "replies", text, key)

    def _write(self, ticket: str, kind: str, text: str, key: IdempotencyKey) -> None:
        ref = REF_PREFIX + key
        # Look before you create: an earlier attempt may have written it before it died.
        if key.fresh or not self._written(ticket, ref):
            body = {"text": text, "ref": ref}
            self.api.call("POST", f"/tickets/{_number(ticket)}/{kind}", body, creates=True)

    def _written(self, ticket: str, ref: str) -> bool:
        listed = self.api.call("GET", f"/tickets/{_number(ticket)}/messages") or {}
        return any(message.get("ref") == ref for message in listed.get("messages", []))

    def set_fields(self, ticket: str, fields: dict[str, Any]) -> None:
        """TinyDesk has no custom fields: the AR's number is kept as a tag (``ar-DEV-7``)."""
        unknown = sorted(set(fields) - {"ar_number"})
        if unknown:
            raise PermanentConnectorError(SYSTEM, f"TinyDesk has no field {unknown[0]!r}")
        tag = f"{self.settings.ar_tag_prefix}{fields['ar_number']}"
        self.api.call("POST", f"/tickets/{_number(ticket)}/tags", {"tags": [tag]})

    def solve(self, ticket: str) -> None:
        self.api.call("PUT", f"/tickets/{_number(ticket)}/status", {"status": SOLVED})

    def check(self) -> CheckResult:
        """Signs in: ``support-bridge doctor`` shows the answer."""
        try:
            me = self.api.call("GET", "/me") or {}
        except ConnectorError as exc:
            return CheckResult(False, str(exc), "check connectors.tinydesk url and api_token")
        return CheckResult(True, f"signed in to {me.get('desk')} as {me.get('agent')}")

    def is_own_write(self, event: dict[str, Any]) -> bool:
        message = event.get("message")
        return isinstance(message, dict) and str(message.get("ref") or "").startswith(REF_PREFIX)


def _number(ticket: str) -> int:
    """A TinyDesk ticket id is a whole number; anything else never reaches its URL."""
    if not ticket.isdigit():
        raise PermanentConnectorError(SYSTEM, f"{ticket!r} is not a TinyDesk ticket id")
    return int(ticket)
