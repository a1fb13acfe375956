"""What a development event says about a fix, in the bridge's words (``ShipSignal``); each
tracker's package reads its own deliveries into it (``bridge/connectors/<tracker>/events.py``)
and names its signals there (``signal_meanings``, the defaults of ``resolution.signals``).
Also the event types catch-up gives the helpdesk events it finds.
"""

from __future__ import annotations

from dataclasses import dataclass

# A helpdesk ticket marked for escalation that catch-up found (Zendesk's ticket event export,
# Freshdesk's tickets updated since).
MARKED_WHILE_DOWN = "ticket.marked_while_down"
# Freshdesk's reply rule names its event so (``{{triggered_event}}``).
CUSTOMER_REPLY = "{customer_reply}"


@dataclass(frozen=True)
class ShipSignal:
    """``keys`` are AR keys as the tracker names them (``owner/repo#12``, ``DEV-7``), or, for a
    released Jira version, empty with ``version`` set; ``ref`` names the release or the change."""

    signal: str
    system: str
    project: str
    ref: str
    keys: tuple[str, ...] = ()
    version: str = ""
