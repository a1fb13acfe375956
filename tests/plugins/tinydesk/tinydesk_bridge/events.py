"""How the bridge reads a TinyDesk delivery: ``events`` on the connector class, the
``HelpdeskEvents`` port. TinyDesk sends its ticket in the bridge's documented shape, which the
core reads itself; the message that came with it is TinyDesk's own, read here."""

from __future__ import annotations

from typing import Any, ClassVar

from bridge.services.json_body import as_object, as_text
from bridge.services.readings import HelpdeskComment, TicketFields

# Who wrote a message, in TinyDesk's words: the customer, or someone on the desk.
BY_CUSTOMER = {"requester": True, "agent": False}


class TinyDeskEvents:
    own_shape: ClassVar[str] = "a TinyDesk 'message'"

    def content_key(self, event_type: str, payload: dict[str, Any]) -> str | None:
        """None: TinyDesk names every delivery (``X-TinyDesk-Delivery``), and nothing else
        (no catch-up) reports the same event under another name."""
        return None

    def ticket(self, document: dict[str, Any]) -> TicketFields | None:
        """None: the body's ``ticket`` is already the documented body's, read by the core."""
        return None

    def comment(self, document: dict[str, Any]) -> HelpdeskComment | None:
        """The message a ``message.created`` carries: a reply the customer wrote, a public
        reply or an internal note from the desk."""
        message = as_object(document.get("message"))
        if not message:
            return None
        number = message.get("id")
        return HelpdeskComment(
            public=message.get("public") is True,
            by_customer=BY_CUSTOMER.get(as_text(message.get("author"))),
            text=as_text(message.get("text")),
            message_id=str(number) if isinstance(number, int) and number > 0 else "",
        )
