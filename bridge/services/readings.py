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


@dataclass(frozen=True)
class TicketFields:
    """A ticket as a helpdesk's own delivery carries it, put in the words of the bridge's
    documented trigger body (docs/helpdesk-webhooks.md): ``fields`` are that body's ``ticket``
    object (``id``, ``subject``, ``requester``, ``organization``, ``priority``, ``tags``,
    ``custom_fields``, ``type``, ``status``, ``created_at``, ``updated_at``…), ``updated_by``
    who changed it (the helpdesk's name when the delivery does not say)."""

    fields: dict[str, Any]
    updated_by: str


@dataclass(frozen=True)
class HelpdeskComment:
    """The comment a helpdesk's own delivery carries: whether the customer can see it
    (``public``), whether the customer wrote it (``by_customer``; None when the delivery does
    not say, and then it is no public comment the bridge acts on), its text, the addresses the
    customer's mail was sent to (``copied``: every To and CC), and the helpdesk's id for it
    (``message_id``, "" when it has none: the bridge then knows it by its words)."""

    public: bool
    by_customer: bool | None
    text: str
    copied: tuple[str, ...] = ()
    message_id: str = ""


@runtime_checkable
class HelpdeskEvents(EventKeys, Protocol):
    """A helpdesk's deliveries as the bridge reads them (``events`` on its connector class).
    Each reading answers None for a delivery not in the helpdesk's own shape: the bridge then
    reads it as its documented trigger body, which every helpdesk's trigger may send.
    ``own_shape`` names that shape for the refusal of a delivery that is in neither."""

    own_shape: str

    def ticket(self, document: dict[str, Any]) -> TicketFields | None: ...
    def comment(self, document: dict[str, Any]) -> HelpdeskComment | None: ...
