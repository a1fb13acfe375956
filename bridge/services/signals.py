"""What a development event says about a fix, in the bridge's words (``ShipSignal``); each
tracker's package reads its own deliveries into it (``bridge/connectors/<tracker>/events.py``)
and names its signals there (``signal_meanings``, the defaults of ``resolution.signals``).
Also the event type catch-up gives a helpdesk ticket it finds marked for escalation.
"""

from __future__ import annotations

from dataclasses import dataclass

# A helpdesk ticket marked for escalation that catch-up found (in its package's listing of
# what changed while the bridge heard no webhooks).
MARKED_WHILE_DOWN = "ticket.marked_while_down"


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
