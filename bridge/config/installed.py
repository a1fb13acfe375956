"""The connectors installed on this machine, as the configuration sees them: the classes their
packages publish in the entry-point group, found without importing ``bridge.connectors`` (which
builds on this package), so a setting naming a connector can be checked when it is read."""

from __future__ import annotations

from importlib.metadata import entry_points

ENTRY_POINT_GROUP = "support_bridge.connectors"


def installed_of_kind(kind: str) -> list[str]:
    """The names of the installed connectors whose class declares ``kind`` (``"tracker"``,
    ``"helpdesk"``, …), sorted."""
    return sorted(
        entry.name
        for entry in entry_points(group=ENTRY_POINT_GROUP)
        if str(getattr(entry.load(), "kind", "")) == kind
    )


def installed_tracker(name: str) -> str:
    """``name`` when it is an installed tracker; else a ValueError listing the installed ones."""
    trackers = installed_of_kind("tracker")
    if name not in trackers:
        msg = f"{name!r} is not an installed tracker (installed: {', '.join(trackers) or 'none'})"
        raise ValueError(msg)
    return name


def installed_signal_meanings() -> dict[str, str]:
    """Each installed tracker's ship signals with their default meaning (``signal_meanings`` of
    its ``events``: ``fix_available`` or ``fixed_in_code``), trackers in the order of their
    names, each tracker's signals in the order it declares them."""
    meanings: dict[str, str] = {}
    for entry in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda entry: entry.name):
        connector = entry.load()
        if str(getattr(connector, "kind", "")) == "tracker":
            events = getattr(connector, "events", None)
            meanings.update(getattr(events, "signal_meanings", {}))
    return meanings
