"""What the Zendesk and Freshdesk connectors share: their declaration, the dispatch of the
outbox's operations and the signature that marks the notes we write."""

from __future__ import annotations

from typing import Any

from bridge.connectors.reach import http_probe
from bridge.connectors.registry import BuiltFromSettings, unknown_operation
from bridge.observability.health import Check
from bridge.services.ports import Helpdesk, IdempotencyKey, Kind

NOTE_SIGNATURE = "(Support Bridge)"


class HelpdeskConnector(BuiltFromSettings):
    """The base of a helpdesk connector: it reads tickets and writes notes, replies, fields."""

    kind = Kind.HELPDESK
    features = frozenset({"get_ticket", "internal_note", "public_reply", "set_fields", "solve"})

    @classmethod
    def probe(cls, config: Any) -> Check:
        """``doctor``'s first question: does the helpdesk's ``url`` answer at all."""
        return http_probe(getattr(cls, "key", "helpdesk"), str(config.url))

    def perform(
        self, operation: str, payload: dict[str, Any], key: IdempotencyKey
    ) -> dict[str, Any]:
        return perform(self, operation, payload, key)  # type: ignore[arg-type]

    def inert(self, text: str) -> str:
        """Someone else's words (a developer's comment) written so that nothing in them is
        markup: a comment's ``body`` is plain text where the helpdesk takes it so."""
        return text

    def create_ticket(self, fields: dict[str, Any], key: IdempotencyKey) -> str:
        """Helpdesks that cannot open a ticket for the customer say so (feature ``create_ticket``
        names the ones that can)."""
        raise unknown_operation(getattr(self, "key", "helpdesk"), "create_ticket")


def perform(
    helpdesk: Helpdesk, operation: str, payload: dict[str, Any], key: IdempotencyKey
) -> dict[str, Any]:
    if operation == "create_ticket":
        return {"ticket": helpdesk.create_ticket(payload, key), "operation": operation}
    ticket = str(payload["ticket"])
    # ``outside``: the text is someone else's words, neutralised in the helpdesk's markup.
    text = helpdesk.inert(payload["text"]) if payload.get("outside") else payload.get("text", "")
    if operation == "internal_note":
        helpdesk.internal_note(ticket, text, key)
    elif operation == "public_reply":
        helpdesk.public_reply(ticket, text, key)
    elif operation == "set_fields":
        helpdesk.set_fields(ticket, dict(payload["fields"]))
    elif operation == "solve":
        helpdesk.solve(ticket)
    else:
        raise unknown_operation(helpdesk.key, operation)
    return {"ticket": ticket, "operation": operation}


def signed(text: str) -> str:
    return f"{text}\n\n{NOTE_SIGNATURE}"
