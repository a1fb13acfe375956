"""What development says on an AR, in the bridge's words: a comment, a status or resolution
change, a new assignee; and the issue an event is about. Each tracker's package reads its own
deliveries into these (``bridge/connectors/<tracker>/events.py``).

Each event carries an id the vendor gives it (Jira's comment or changelog id, GitHub's comment
id, or the issue's change time), so a delivery seen twice, or its catch-up copy, is heard once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from bridge.services.json_body import as_text

COMMENT = "comment"
STATUS = "status"
RESOLUTION = "resolution"
ASSIGNEE = "assignee"
# Outcomes that undo the plan the customer accepted: the escalation manager renegotiates it.
RENEGOTIATE = frozenset(
    {"won't fix", "won't do", "wont fix", "duplicate", "cannot reproduce", "not planned"}
)
DUPLICATE = "duplicate"


@dataclass(frozen=True)
class ArEvent:
    """``key`` names the AR as the tracker does (``DEV-7``, ``owner/repo#12``); ``event_id`` is
    the vendor's id of this change; ``said`` is the developer's words or the new value."""

    system: str
    key: str
    event_id: str
    kind: str
    author: str
    said: str
    # A duplicate: the surviving issue the event names (its key, and its id when given).
    survivor: str = ""
    survivor_id: str = ""
    # A duplicate whose surviving issue it does not name: how development names it (the
    # tracker's own convention, said in the thread and on the timeline).
    survivor_hint: str = ""

    @property
    def needs_renegotiation(self) -> bool:
        return self.kind == RESOLUTION and self.said.strip().lower() in RENEGOTIATE

    @property
    def is_duplicate(self) -> bool:
        return self.kind == RESOLUTION and self.said.strip().lower() == DUPLICATE


def day_of(value: Any) -> dt.date | None:
    """The date an ISO date or date-time starts with, if it is one."""
    try:
        return dt.date.fromisoformat(as_text(value)[:10])
    except ValueError:
        return None


def vendor_id_of(value: Any) -> str:
    """A tracker's immutable id of an issue (a number or a string), else ""."""
    if isinstance(value, bool):
        return ""
    return str(value) if isinstance(value, int | str) and str(value).strip() else ""


@dataclass(frozen=True)
class ArIdentity:
    """The issue an event is about: its key now, its immutable id, and, when the event itself
    says so, the key it had before (Jira's changelog ``Key`` item)."""

    key: str
    vendor_id: str
    previous_key: str = ""
    url: str = ""
