"""The "Same problem" button: a new ticket reports the problem of an escalation under monitoring.

Pressing it opens a one-field modal for the new ticket's number (at once: the trigger id lasts
three seconds); the submission is stored as a delivery, and the job reopens the escalation during
monitoring or says why not.
"""

from __future__ import annotations

import json
from typing import Any

CALLBACK_ID = "same_problem"
TICKET_BLOCK = "ticket"


def modal(escalation_id: str, channel: str | None) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": {"type": "plain_text", "text": "Same problem"},
        "submit": {"type": "plain_text", "text": "Reopen"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps({"escalation_id": escalation_id, "channel": channel}),
        "blocks": [
            {
                "type": "input",
                "block_id": TICKET_BLOCK,
                "label": {"type": "plain_text", "text": "New ticket with the same problem"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "placeholder": {"type": "plain_text", "text": "e.g. 4712 or <helpdesk>:4712"},
                },
            }
        ],
    }


def read_ticket(values: Any) -> str:
    """The ticket number typed in the modal, or "" when none was."""
    typed = ((values or {}).get(TICKET_BLOCK) or {}).get("value") or {}
    return str(typed.get("value") or "").strip()
