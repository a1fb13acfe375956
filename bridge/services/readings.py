"""The ports through which the bridge reads a vendor's deliveries: each vendor's package reads
its own (``events`` on its connector class, found through the connector's entry point), and the
core asks for what it needs by source, never naming a vendor."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, runtime_checkable

from bridge.domain.records import FixEta
from bridge.services.ar_events import ArEvent, ArIdentity
from bridge.services.signals import ShipSignal


class EventKeys(Protocol):
    """How a vendor's package keys its deliveries in the inbox: by what an event is about
    (a comment's id, a release's tag), which a webhook and catch-up's copy of it both show, so
    the two collide and act once; None for an event keyed by the vendor's delivery id."""

    def content_key(self, event_type: str, payload: dict[str, Any]) -> str | None: ...


@dataclass(frozen=True)
class TrackerReading:
    """What one tracker delivery says, read by the tracker's own package: the fix shipped
    (``ship``), the AR put in fix versions (``fix_versions``: its key and the versions), what
    development said on an AR (``said``), a fix version's date as the AR's ETA (``fix_eta``), and
    a version dated before its release (``version_eta``: its id, name and date)."""

    ship: tuple[ShipSignal, ...] = ()
    fix_versions: tuple[str, tuple[str, ...]] = ("", ())
    said: tuple[ArEvent, ...] = ()
    fix_eta: tuple[str, FixEta] | None = None
    version_eta: tuple[str, str, dt.date] | None = None


@runtime_checkable
class TrackerEvents(EventKeys, Protocol):
    """A tracker's deliveries as the bridge reads them (``events`` on its connector class).
    ``release_event`` is the event type of a stored delivery that released a version, read
    again by ``release_of`` when an AR's fix version names it later; None for a tracker whose
    releases name their issues when they come. ``signal_meanings`` names each ship signal
    ``read`` can give (``ShipSignal.signal``) with its default meaning, ``fix_available`` or
    ``fixed_in_code``: ``resolution.signals`` in bridge.yaml starts from them."""

    release_event: str | None
    signal_meanings: ClassVar[dict[str, str]]

    def read(self, event_type: str, payload: dict[str, Any]) -> TrackerReading: ...
    def identity(self, event_type: str, payload: dict[str, Any]) -> ArIdentity | None: ...
    def release_of(self, stored: dict[str, Any]) -> ShipSignal | None: ...
    def duplicate_named(self, key: str, stored_comment: dict[str, Any]) -> str: ...
    def project_of(self, key: str) -> str: ...
