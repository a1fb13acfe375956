"""The fix shipped: every escalation waiting on the AR hears of it, each exactly once.

A GitHub or Jira delivery becomes a ShipSignal (``signals.py``); the configured mapping says
whether it means "fix available" (the customer is notified, with Accept / Still broken links) or
only "fixed in code" (support is told). One AR may serve many tickets: each escalation linked to
it is handled in its own transaction, and the notice row's unique key makes a duplicated or
re-ordered delivery send nothing twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace

import structlog

from bridge.jobs.registry import Outcome, StoredDelivery
from bridge.services import effects
from bridge.services.closing.notify import Notifier
from bridge.services.collaborators import Collaborators, Service
from bridge.services.development.ar_moves import ArMoves
from bridge.services.development.ar_voice import ArVoice
from bridge.services.escalation.waiting import waiting_list
from bridge.services.json_body import as_object, parse_json
from bridge.services.mrkdwn import inert, mention
from bridge.services.ports import Connector
from bridge.services.readings import TrackerEvents, TrackerReading
from bridge.services.signals import ShipSignal
from bridge.store.ar_links import ArLinks
from bridge.store.transactions import Transaction

log = structlog.get_logger(__name__)


def remember_fix_versions(
    session: Transaction, key: str, versions: list[str], now: dt.datetime, system: str
) -> None:
    """An AR's fix version (a GitHub milestone counts as one), so that releasing the version,
    or closing the milestone, finds the AR."""
    if not key or not versions:
        return
    # One version per AR is what the bridge acts on: the latest one the tracker reported.
    ArLinks(session).remember_fix_version(system, key, versions[-1], now)


def released_earlier(
    session: Transaction, source: str, reader: TrackerEvents, key: str, version: str
) -> ShipSignal | None:
    """Deliveries come in any order: the version holding this AR may have been released before
    the AR's fix version reached us. The inbox remembers that release."""
    if reader.release_event is None:
        return None
    release = ArLinks(session).released_version_body(source, reader.release_event, version)
    if release is None:
        return None
    signal = reader.release_of(as_object(parse_json(release)))
    return replace(signal, keys=(key,)) if signal is not None else None


class Shipped(Service):
    """Fans a ship signal out to every escalation waiting on its ARs."""

    def __init__(
        self,
        collaborators: Collaborators,
        notifier: Notifier,
        readers: Mapping[str, TrackerEvents] | None = None,
    ) -> None:
        super().__init__(collaborators)
        self.notifier = notifier
        self._readers = readers or {}

    def _project(self, signal: ShipSignal, key: str) -> str:
        """The project bridge.yaml's mapping names the AR's by, as its tracker reads the key
        (a Jira version event names its project by numeric id only)."""
        reader = self._readers.get(signal.system)
        return reader.project_of(key) if reader is not None else signal.project

    def join_ar(
        self, escalation_id: int, *, system: str, key: str, by: str, now: dt.datetime
    ) -> bool:
        """Another ticket has the same problem: its escalation waits on the AR too, and hears
        of the fix with the others. False if it was waiting already."""
        with self.transactions.begin() as session:
            if not ArLinks(session).link(escalation_id, system, key, now):
                return False
            text = (
                f"Same problem as {inert(f'{system}:{key}')}: this ticket hears of its fix "
                f"({mention(by)})."
            )
            step = f"joins:{system}:{key}"
            self.outbox.plan(
                session,
                [
                    effects.thread_reply(str(escalation_id), step, text=text),
                    waiting_list(session, self.pages, system, key, f"joins:{escalation_id}", now),
                ],
                now,
            )
        return True

    def apply(self, signal: ShipSignal, now: dt.datetime) -> int:
        """Handle one signal; returns how many escalations it concerned."""
        with self.transactions.begin() as session:
            waiting = ArLinks(session).waiting_on(signal.system, signal.keys, signal.version, now)
        concerned = 0
        signals = self.settings.resolution.signals
        meanings: dict[str, str | None] = {}  # by project: asked once, not per escalation
        for escalation_id, key in waiting:
            project = self._project(signal, key)
            if project not in meanings:
                meanings[project] = signals.meaning(signal.signal, project)
            meaning = meanings[project]
            if meaning is None:
                log.info("shipped.signal_not_mapped", signal=signal.signal, project=signal.project)
                continue
            concerned += 1
            self.notifier.notify_waiting(
                escalation_id,
                ar=f"{signal.system}:{key}",
                ref=signal.ref,
                available=meaning == "fix_available",
                now=now,
            )
        log.info("shipped.signal_applied", signal=signal.signal, escalations=concerned)
        return concerned


class ShippedProcessor(Service):
    """Inbox processor for every tracker's deliveries (each read by its own package): the fix
    shipped, and what development says on the AR (``ar_voice.py``)."""

    def __init__(
        self,
        collaborators: Collaborators,
        shipped: Shipped,
        connectors: Mapping[str, Connector],
        voice: ArVoice,
        readers: Mapping[str, TrackerEvents],
    ) -> None:
        super().__init__(collaborators)
        self.shipped = shipped
        self._connectors = connectors
        self._readers = readers
        self.voice = voice
        self.moves = ArMoves(collaborators)

    def __call__(self, row: StoredDelivery) -> Outcome:
        reader = self._readers.get(row.source)
        if reader is None:
            log.warning("shipped.no_reader", row_id=row.id, source=row.source)
            return "ignored"  # no installed connector reads this source's deliveries
        payload = as_object(parse_json(row.body))
        now = self.now()
        identity = reader.identity(row.event_type, payload)
        # First, so that everything below finds the AR under the key it has now.
        known = identity is None or self.moves.follow(row.source, identity, now)
        connector = self._connectors.get(row.source)
        if connector is not None and connector.is_own_write(payload):
            log.info("shipped.own_write_ignored", row_id=row.id, source=row.source)
            return "ignored"  # our own change coming back: never re-applied
        reading = reader.read(row.event_type, payload)
        # An issue nobody waits on (most of a tracker's traffic) says nothing to support.
        heard = self._hear(row.source, reading, now) if known else 0
        outcome = self._ship(row.source, reader, reading, now)
        return "done" if heard else outcome

    def _hear(self, source: str, reading: TrackerReading, now: dt.datetime) -> int:
        if reading.version_eta is not None:
            return self.voice.expect_version(source, *reading.version_eta, now)
        events, dated = list(reading.said), reading.fix_eta
        keys = {event.key for event in events} | ({dated[0]} if dated else set())
        if not keys:
            return 0
        with self.transactions() as session:
            if not ArLinks(session).any_known(source, sorted(keys)):
                return 0
        heard = self.voice.hear(events, now)
        return heard + (self.voice.expect(source, *dated, now) if dated else 0)

    def _ship(
        self, source: str, reader: TrackerEvents, reading: TrackerReading, now: dt.datetime
    ) -> Outcome:
        found: list[ShipSignal | None] = list(reading.ship)
        key, versions = reading.fix_versions
        if not self._concerns_an_ar(source, key if versions else "", found):
            return "ignored"
        if versions:
            with self.transactions.begin() as session:
                remember_fix_versions(session, key, list(versions), now, system=source)
                found += [released_earlier(session, source, reader, key, v) for v in versions]
        concerned = [self.shipped.apply(signal, now) for signal in found if signal is not None]
        return "done" if any(concerned) else "ignored"

    def _concerns_an_ar(self, system: str, key: str, found: list[ShipSignal | None]) -> bool:
        """Whether the delivery can touch an AR the bridge knows of."""
        keyed = [signal for signal in found if signal is not None]
        if any(not signal.keys for signal in keyed):
            return True  # a released version or closed milestone: found by its links
        keys = {key, *(k for signal in keyed for k in signal.keys)} - {""}
        with self.transactions() as session:
            return ArLinks(session).any_known(system, sorted(keys))
