"""Origin marks: how every write of ours is tagged, and how an inbound event is recognised as
the echo of one of our own writes (so it is never applied twice).

Jira: the label ``support-bridge`` plus a per-key label, and the entity property
``support-bridge``; GitHub: a hidden ``<!-- support-bridge:KEY -->`` marker; Slack: message
metadata of type ``support_bridge_write``. Every connector also knows its own account.
"""

from __future__ import annotations

import hashlib
import re

BRIDGE_LABEL = "support-bridge"
PROPERTY_KEY = "support-bridge"
SLACK_EVENT_TYPE = "support_bridge_write"
# Only the marker the bridge places, as the last thing in what it wrote: a marker quoted
# earlier, from a customer's text, is never taken for ours. (The waiting-list comment keeps
# the digest of what it shows after its marker.)
_MARKER = re.compile(
    r"<!-- support-bridge:(?P<key>[^>]+?) -->"
    r"(?:\s*<!-- support-bridge-waiting [^>]*-->)?\s*\Z"
)


def key_label(key: str) -> str:
    """A Jira label naming an idempotency key (labels allow no spaces and are short)."""
    return "sb-" + hashlib.sha256(key.encode()).hexdigest()[:20]


def hidden_marker(key: str) -> str:
    return f"<!-- support-bridge:{key} -->"


def marker_in(text: str | None) -> str | None:
    """The idempotency key hidden at the end of a text we wrote, or None when a person wrote
    it (or only quoted a marker)."""
    found = _MARKER.search(text or "")
    return found["key"] if found else None


def slack_metadata(key: str, **payload: str) -> dict[str, object]:
    return {"event_type": SLACK_EVENT_TYPE, "event_payload": {"key": key, **payload}}
